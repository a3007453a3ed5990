import { buildPlan, Runner, stateKeys, type ControlRecord, type Operation, type Ports } from '@dr/failover-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAwsPorts } from '../src/index.js';
import { FakeAws, startDynalite, type LocalDynamo } from '@dr/aws-fakes';
import { config } from './fixtures.js';

let dynamo: LocalDynamo;
let fake: FakeAws | undefined;
let table = 0;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => dynamo.stop());
afterEach(() => fake?.restore());

// Real clock, so the engine polls fast: the fakes move on calls, not on time.
const settings = { pollMs: 5, settleMs: 300, backoffMs: 5, maxBackoffMs: 20 };
const LEASE_MS = 400;

async function portsFor(): Promise<{ ports: Ports; key: string }> {
  const tableName = `dr-state-${++table}`;
  await dynamo.createTable(tableName);
  const ports = createAwsPorts(config, {
    stateTableName: tableName,
    endpoints: { dynamoDb: dynamo.endpoint },
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    fetch: async () => new Response('ok', { status: 200 }),
    timeouts: { callMs: 5_000 },
  });
  return { ports, key: stateKeys(config.app).control };
}

const request = (operation: Operation, runId = `${operation}-1`) => ({
  runId,
  operation,
  plan: buildPlan(config, operation, { runTag: runId }),
  maxDataLossSeconds: 60,
});

describe('the core plans through createAwsPorts, against stateful fakes of the SDK clients', () => {
  it('fails over with exactly one promotion, not fooled by the replica still reporting "available"', async () => {
    fake = new FakeAws(config);
    const { ports, key } = await portsFor();

    const { state } = await new Runner({ ports, owner: 'a', stateKey: key, settings, leaseMs: LEASE_MS }).start(request('failover'));

    expect(state.phase).toBe('completed');
    expect(fake.calls).toEqual({ promoteReplica: 1, promoteReplicaAttempts: 1, setCapacity: 1, setTrafficDial: 2, setEndpointWeight: 2 });
    expect(fake.servingRegion()).toBe('us-east-1');
    expect((await ports.stateStore.read<ControlRecord>(key))?.value.active).toBe('secondary');
  });

  it('switches over: writes fenced, lag at zero, one promotion', async () => {
    fake = new FakeAws(config);
    const { ports, key } = await portsFor();

    const { state } = await new Runner({ ports, owner: 'a', stateKey: key, settings, leaseMs: LEASE_MS }).start(request('switchover'));

    expect(state.phase).toBe('completed');
    expect(state.rpoSeconds).toBe(0);
    expect(fake.calls).toEqual({ promoteReplica: 1, promoteReplicaAttempts: 1, setCapacity: 1, setTrafficDial: 2, setEndpointWeight: 2, setWriteFence: 1 });
  });

  it('fails back home and rebuilds the pilot light', async () => {
    fake = new FakeAws(config, 'failed-over');
    const { ports, key } = await portsFor();
    await ports.stateStore.write<ControlRecord>(key, { active: 'secondary' }, 0);

    const { state } = await new Runner({ ports, owner: 'a', stateKey: key, settings, leaseMs: LEASE_MS }).start(request('failback'));

    expect(state.phase).toBe('completed');
    expect(fake.calls).toEqual({ renameInstance: 2, createReplica: 2, setCapacity: 2, setWriteFence: 1, promoteReplica: 1, promoteReplicaAttempts: 1, setTrafficDial: 2, setEndpointWeight: 2 });
    expect(fake.servingRegion()).toBe('eu-west-1');
    expect(fake.dbs.map((d) => `${d.region}/${d.id}/${d.sourceArn ? 'replica' : 'primary'}`).sort()).toEqual([
      'eu-west-1/lamp-primary-retired-failback1/primary',
      'eu-west-1/lamp-primary/primary',
      'us-east-1/lamp-replica-retired-failback1/primary',
      'us-east-1/lamp-replica/replica',
    ]);
  });

  it.each([3, 8, 14, 25])('resumes a failover interrupted before event %i without repeating any call that took effect', async (crashAt) => {
    fake = new FakeAws(config);
    const { ports, key } = await portsFor();
    const crashing = new Runner({
      ports,
      owner: 'a',
      stateKey: key,
      settings,
      leaseMs: LEASE_MS,
      beforeEvent: (i) => {
        if (i === crashAt) throw new Error('crash');
      },
    });
    await expect(crashing.start(request('failover'))).rejects.toThrow('crash');
    const beforeCrash = { ...fake.calls };

    await new Promise((resolve) => setTimeout(resolve, LEASE_MS + 50));
    const resumed = await new Runner({ ports, owner: 'b', stateKey: key, settings, leaseMs: LEASE_MS }).resume();

    expect(resumed?.state.failure ?? null).toBeNull();
    expect(resumed?.state.phase).toBe('completed');
    expect(resumed?.epoch).toBe(2);
    expect(fake.calls).toEqual({ promoteReplica: 1, promoteReplicaAttempts: 1, setCapacity: 1, setTrafficDial: 2, setEndpointWeight: 2 });
    // Every call made before the crash took effect; none was made again after it.
    for (const [kind, n] of Object.entries(beforeCrash)) expect(n).toBeLessThanOrEqual(fake.calls[kind] ?? 0);
    expect(Object.values(fake.calls).every((n) => n <= 2)).toBe(true);
  });
});
