import {
  buildPlan,
  parseConfig,
  referenceAuroraConfig,
  Runner,
  stateKeys,
  type DrConfig,
  type Operation,
  type Ports,
  type RunState,
} from '@dr/failover-core';
import { FakeAws, startDynalite, type LocalDynamo } from '@dr/aws-fakes';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAwsPorts } from '../src/index.js';

let dynamo: LocalDynamo;
let fake: FakeAws | undefined;
let table = 0;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => dynamo.stop());
afterEach(() => fake?.restore());

/**
 * The Aurora reference topology with no drain time (the fakes hold no connections to let finish)
 * and the shortest containment: a failover's last, best-effort step tries the region that is out
 * for that long before it leaves it to the controller.
 */
const config: DrConfig = parseConfig({ ...referenceAuroraConfig, timeouts: { drainSeconds: 0, containmentSeconds: 10 } });
const [EU, US] = [config.primary.region, config.secondary.region];
const [EU_DB, US_DB] = [config.primary.dbInstanceIdentifier, config.secondary.dbInstanceIdentifier];
/** The fakes move on describes, not on time: poll fast, but let a call settle for seconds (the waiter race). */
const settings = { pollMs: 5, settleMs: 3_000, backoffMs: 5, maxBackoffMs: 20 };
const timing = { leaseMs: 1_000, actMarginMs: 200, clockSkewMs: 100 };

async function portsFor(): Promise<{ ports: Ports; key: string }> {
  const tableName = `dr-aurora-state-${++table}`;
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

/** Runs one operation to its end and says why when it did not complete. */
async function run(ports: Ports, key: string, operation: Operation, runId = `${operation}-1`): Promise<RunState> {
  const plan = buildPlan(config, operation, { runTag: runId });
  const { state } = await new Runner({ ports, config, owner: 'a', stateKey: key, settings, ...timing }).start({
    runId,
    operation,
    plan,
    maxDataLossSeconds: 60,
  });
  expect(state.failure ?? null, `${operation}: ${state.failure?.message ?? ''}`).toBeNull();
  expect(state.phase).toBe('completed');
  return state;
}

/** True when `region`'s cluster parameter group has a `read_only` of its own: a fence set and not lifted. */
const fenceLeft = (f: FakeAws, r: DrConfig['primary']) =>
  f.aurora.clusterParameterGroups
    .find((g) => g.region === r.region && g.name === r.dbClusterParameterGroupName)
    ?.parameters.has('read_only');

const writable = (f: FakeAws) => [EU, US].flatMap((r) => f.writable(r).map((id) => `${r}/${id}`));
const calls = (f: FakeAws, kind: string) => f.calls[kind] ?? 0;

/** The pilot light on the Aurora tier: eu-west-1's cluster writes, us-east-1's is a connected secondary with no fence, no DR capacity. */
function expectPilotLight(f: FakeAws): void {
  expect(writable(f)).toEqual([`${EU}/${EU_DB}`]);
  expect(f.auroraDb(US, US_DB)).toMatchObject({ role: 'replica', synchronizationStatus: 'connected' });
  expect(fenceLeft(f, config.secondary)).toBe(false);
  expect(f.asgs.get(US)?.desired).toBe(0);
}

describe('the Aurora plans through createAwsPorts, against the stateful fakes', () => {
  it(
    'fails over while eu-west-1 is out, then fails back once it rejoins (its old volume kept), then fails over again',
    { timeout: 90_000 },
    async () => {
      fake = new FakeAws(config);
      const { ports, key } = await portsFor();
      fake.outages.add(EU);

      const first = await run(ports, key, 'failover', 'failover-1');

      expect(writable(fake)).toEqual([`${US}/${US_DB}`]);
      expect(first.rpoSeconds).toBeGreaterThan(0);
      expect(calls(fake, 'failoverGlobalCluster')).toBeGreaterThanOrEqual(1);
      fake.outages.delete(EU);

      const back = await run(ports, key, 'failback', 'failback-1');

      expectPilotLight(fake);
      expect(back.blocks['keep-failover-snapshot']?.detail).toMatch(/kept as lamp-primary-lost-writes-failback1/);
      expect(fake.aurora.clusterSnapshots.map((s) => s.id)).toContain('lamp-primary-lost-writes-failback1');

      fake.outages.add(EU);
      await run(ports, key, 'failover', 'failover-2');

      expect(writable(fake)).toEqual([`${US}/${US_DB}`]);
    },
  );

  it('switches over with no data loss and back, leaving no fence on the cluster that became a secondary', async () => {
    fake = new FakeAws(config);
    const { ports, key } = await portsFor();

    await run(ports, key, 'switchover', 'switchover-1');

    expect(writable(fake)).toEqual([`${US}/${US_DB}`]);
    expect(fake.auroraDb(EU, EU_DB)).toMatchObject({ role: 'replica' });
    expect(fenceLeft(fake, config.primary)).toBe(false);
    expect(fake.asgs.get(EU)?.desired).toBe(0);

    await run(ports, key, 'failback', 'failback-1');

    expectPilotLight(fake);
  });
});
