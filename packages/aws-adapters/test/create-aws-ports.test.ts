import {
  buildPlan,
  parseConfig,
  Runner,
  stateKeys,
  type ControlRecord,
  type DrConfig,
  type Operation,
  type Ports,
  type RunState,
} from '@dr/failover-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAwsPorts, lookupHealthRecord } from '../src/index.js';
import { FakeAws, FakeDns, startDynalite, startFakeAwsServer, type LocalDynamo } from '@dr/aws-fakes';
import { config as reference } from './fixtures.js';

let dynamo: LocalDynamo;
let fake: FakeAws | undefined;
let table = 0;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => dynamo.stop());
afterEach(() => fake?.restore());

/**
 * The reference topology with no drain time: a planned handover would otherwise wait a real
 * minute for connections the fake does not have, and a failover's containment of the old
 * primary waits the same time before fencing it.
 */
const config: DrConfig = parseConfig({ ...reference, timeouts: { ...reference.timeouts, drainSeconds: 0 } });
const [EU, US] = [config.primary.region, config.secondary.region];
const [PRIMARY, REPLICA] = [config.primary.dbInstanceIdentifier, config.secondary.dbInstanceIdentifier];

/**
 * Real clock, so the engine polls fast: the fakes move on calls, not on time. The settle time
 * stays in seconds: a promotion shows no effect for two describes (the waiter race), which on a
 * loaded machine can take longer than a few hundred milliseconds, and the engine would ask again.
 */
const settings = { pollMs: 5, settleMs: 5_000, backoffMs: 5, maxBackoffMs: 20 };
/**
 * A short lease, so a crashed runner's lease lapses within the test. The act margin and skew
 * bound shrink with it: by default a mutating call needs 15 s of lease left, which a 1 s lease
 * never has, and the runner would (rightly) make none.
 */
const timing = { leaseMs: 1_000, actMarginMs: 200, clockSkewMs: 100 };

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

const runner = (ports: Ports, key: string, owner = 'a', extra: { beforeEvent?: (i: number) => void } = {}) =>
  new Runner({ ports, config, owner, stateKey: key, settings, ...timing, ...extra });

/** Runs one operation to its end and says why when it did not complete. */
async function run(ports: Ports, key: string, operation: Operation, runId?: string): Promise<RunState> {
  const { state } = await runner(ports, key).start(request(operation, runId));
  expect(state.failure ?? null, `${operation}: ${state.failure?.message ?? ''}`).toBeNull();
  expect(state.phase).toBe('completed');
  return state;
}

/** Every database that accepts writes now, in both regions, as `region/id`. */
const writable = (f: FakeAws) => [EU, US].flatMap((r) => f.writable(r).map((id) => `${r}/${id}`));

/** What Global Accelerator and the Auto Scaling groups are set to, per region. */
const routing = (f: FakeAws) =>
  Object.fromEntries(
    [config.primary, config.secondary].map((r) => {
      const g = f.groups.get(r.endpointGroupArn)!;
      return [r.region, { dial: g.dial, weight: g.endpoints[0]?.weight, desired: f.asgs.get(r.region)?.desired }];
    }),
  );

/** A database serving as deployed: a primary on its own group, the fence lifted (read_only at the default) and applied. */
function expectServing(f: FakeAws, region: string, id: string, group: string): void {
  expect(f.db(region, id)).toMatchObject({
    role: 'primary',
    parameterGroup: group,
    effectiveParameterGroup: group,
    applyStatus: 'in-sync',
    readOnlyEffective: false,
    writable: true,
  });
  expect(f.parameterGroup(region, group)?.parameters.has('read_only')).toBe(false);
}

/** A database fenced: read_only 1 in its group, applied, taking no writes. */
function expectFenced(f: FakeAws, region: string, id: string): void {
  expect(f.db(region, id)).toMatchObject({ applyStatus: 'in-sync', readOnlyEffective: true, writable: false });
}

/** The pilot light as deployed: the DR replica replicating from the primary on its own group at the default, no capacity, no traffic. */
function expectPilotLight(f: FakeAws): void {
  expect(writable(f)).toEqual([`${EU}/${PRIMARY}`]);
  expectServing(f, EU, PRIMARY, config.primary.dbParameterGroupName);
  expect(f.db(US, REPLICA)).toMatchObject({
    role: 'replica',
    sourceArn: f.db(EU, PRIMARY)?.arn,
    parameterGroup: config.secondary.dbParameterGroupName,
    applyStatus: 'in-sync',
    writable: false,
  });
  expect(f.parameterGroup(US, config.secondary.dbParameterGroupName)?.parameters.has('read_only')).toBe(false);
  expect(routing(f)).toEqual({ [EU]: { dial: 100, weight: 128, desired: 2 }, [US]: { dial: 0, weight: 0, desired: 0 } });
}

/** Every retired instance runs with its region's retired group (read_only 1): lifting a fence never reaches it. */
function expectRetiredFenced(f: FakeAws): void {
  const retired = f.dbs.filter((d) => d.id.includes('-retired-'));
  for (const d of retired) {
    const group = d.region === EU ? config.primary.retiredDbParameterGroupName : config.secondary.retiredDbParameterGroupName;
    expect(f.db(d.region, d.id), d.id).toMatchObject({
      role: 'primary',
      effectiveParameterGroup: group,
      applyStatus: 'in-sync',
      readOnlyEffective: true,
      writable: false,
    });
  }
}

describe('the core plans through createAwsPorts, against stateful fakes of the SDK clients', () => {
  it('fails over with one promotion: the promoted database writable, the old primary fenced and at capacity 0', async () => {
    fake = new FakeAws(config);
    const { ports, key } = await portsFor();

    await run(ports, key, 'failover');

    expect(fake.calls.promoteReplicaAttempts).toBe(1);
    expect(writable(fake)).toEqual([`${US}/${REPLICA}`]);
    expectServing(fake, US, REPLICA, config.secondary.dbParameterGroupName);
    // Its region answered, so the run contained it: no second writer, no capacity.
    expectFenced(fake, EU, PRIMARY);
    expect(routing(fake)).toEqual({ [EU]: { dial: 0, weight: 0, desired: 0 }, [US]: { dial: 100, weight: 128, desired: 2 } });
    const record = (await ports.stateStore.read<ControlRecord>(key))?.value;
    expect(record).toMatchObject({ active: 'secondary' });
    expect(record?.containment).toBeUndefined();
  });

  it('switches over with no data loss: the old primary fenced first, the promoted database writable once its fence is lifted', async () => {
    fake = new FakeAws(config);
    const { ports, key } = await portsFor();

    const state = await run(ports, key, 'switchover');

    expect(state.rpoSeconds).toBe(0);
    expect(fake.calls.promoteReplicaAttempts).toBe(1);
    expect(writable(fake)).toEqual([`${US}/${REPLICA}`]);
    expectServing(fake, US, REPLICA, config.secondary.dbParameterGroupName);
    expectFenced(fake, EU, PRIMARY);
    expect(routing(fake)).toEqual({ [EU]: { dial: 0, weight: 0, desired: 0 }, [US]: { dial: 100, weight: 128, desired: 2 } });
  });

  it('fails back home: both stale databases retired into their read-only groups, the pilot light rebuilt as deployed with no fence left', async () => {
    fake = new FakeAws(config, 'failed-over');
    const { ports, key } = await portsFor();
    await ports.stateStore.write<ControlRecord>(key, { active: 'secondary' }, 0);

    await run(ports, key, 'failback');

    expect(fake.calls.promoteReplicaAttempts).toBe(1);
    expectPilotLight(fake);
    expect(fake.dbs.map((d) => `${d.region}/${d.id}/${d.sourceArn ? 'replica' : 'primary'}`).sort()).toEqual([
      `${EU}/${PRIMARY}-retired-failback1/primary`,
      `${EU}/${PRIMARY}/primary`,
      `${US}/${REPLICA}-retired-failback1/primary`,
      `${US}/${REPLICA}/replica`,
    ]);
    expectRetiredFenced(fake);
    // Both recreated databases carry the settings the constructs gave the originals, backups on.
    const deployed = config.primary.dbSettings!;
    for (const [region, id] of [
      [EU, PRIMARY],
      [US, REPLICA],
    ] as const) {
      expect(fake.db(region, id)?.settings, `${region}/${id}`).toMatchObject({
        instanceClass: deployed.instanceClass,
        backupRetentionPeriod: deployed.backupRetentionDays,
        deletionProtection: deployed.deletionProtection,
        iamAuthentication: deployed.iamAuthentication,
        cloudwatchLogsExports: deployed.cloudwatchLogsExports,
      });
    }
    expect((await ports.stateStore.read<ControlRecord>(key))?.value.active).toBe('primary');
  });

  it('failover, failback, failover: the database promoted the second time is writable (issue 12, the fence never lifted)', async () => {
    fake = new FakeAws(config);
    const { ports, key } = await portsFor();

    await run(ports, key, 'failover', 'failover-1');
    await run(ports, key, 'failback', 'failback-1');
    // The replica rebuilt by the failback runs with the group its predecessor was fenced through.
    expectPilotLight(fake);
    await run(ports, key, 'failover', 'failover-2');

    expect(fake.calls.promoteReplica).toBe(3);
    expect(writable(fake)).toEqual([`${US}/${REPLICA}`]);
    expectServing(fake, US, REPLICA, config.secondary.dbParameterGroupName);
    expectFenced(fake, EU, PRIMARY);
    expectRetiredFenced(fake);
    expect(routing(fake)).toEqual({ [EU]: { dial: 0, weight: 0, desired: 0 }, [US]: { dial: 100, weight: 128, desired: 2 } });
  });

  it('switchover, failback, switchover: the home database is writable after the failback and the DR one after the second switchover', async () => {
    fake = new FakeAws(config);
    const { ports, key } = await portsFor();

    await run(ports, key, 'switchover', 'switchover-1');
    await run(ports, key, 'failback', 'failback-1');
    // The switchover fenced the home group; the database recreated with it at home must not stay read-only.
    expectPilotLight(fake);
    await run(ports, key, 'switchover', 'switchover-2');

    expect(writable(fake)).toEqual([`${US}/${REPLICA}`]);
    expectServing(fake, US, REPLICA, config.secondary.dbParameterGroupName);
    expectFenced(fake, EU, PRIMARY);
    expectRetiredFenced(fake);
  });

  it.each([3, 8, 14, 25])('resumes a failover interrupted before event %i without repeating any call that took effect', async (crashAt) => {
    const clean = new FakeAws(config);
    const cleanPorts = await portsFor();
    await run(cleanPorts.ports, cleanPorts.key, 'failover');
    const cleanCalls = { ...clean.calls };
    clean.restore();
    fake = new FakeAws(config);
    const { ports, key } = await portsFor();
    const crashing = runner(ports, key, 'a', {
      beforeEvent: (i) => {
        if (i === crashAt) throw new Error('crash');
      },
    });
    await expect(crashing.start(request('failover'))).rejects.toThrow('crash');
    const beforeCrash = { ...fake.calls };

    // The crashed runner's lease must lapse (with the skew bound) before another may take it.
    await new Promise((resolve) => setTimeout(resolve, timing.leaseMs + timing.clockSkewMs + 100));
    const resumed = await runner(ports, key, 'b').resume();

    expect(resumed?.state.failure ?? null).toBeNull();
    expect(resumed?.state.phase).toBe('completed');
    expect(resumed?.epoch).toBe(2);
    // The same calls as a run never interrupted: every call made before the crash took effect,
    // and none was made again after it.
    expect(fake.calls).toEqual(cleanCalls);
    for (const [kind, n] of Object.entries(beforeCrash)) expect(n).toBeLessThanOrEqual(fake.calls[kind] ?? 0);
    expect(writable(fake)).toEqual([`${US}/${REPLICA}`]);
    expectFenced(fake, EU, PRIMARY);
  });
});

describe('createAwsPorts: the Route 53 health check', () => {
  it('is read through the DNS servers it is given', async () => {
    fake = new FakeAws(config, 'steady', { mockSdk: false });
    const dns = await FakeDns.start(fake, { failureDelayMs: 0 });
    fake.outages.add(EU);
    try {
      const ports = createAwsPorts(config, { dnsServers: [dns.server], timeouts: { dnsMs: 1_000 } });

      const reading = await ports.healthChecks.status(config.primary.route53HealthCheck!);

      expect(reading.healthy).toBe(false);
      expect(dns.queries).toEqual([`A ${config.primary.route53HealthCheck!.recordName}`]);
    } finally {
      await dns.stop();
    }
  });

  it('is read through the health record reader Lambda it is named, in the state region', async () => {
    fake = new FakeAws(config, 'steady', { mockSdk: false });
    const dns = await FakeDns.start(fake, { failureDelayMs: 0 });
    const invoked: string[] = [];
    const server = await startFakeAwsServer(fake, {
      functions: {
        'lamp-reader': async (event, { region }) => {
          invoked.push(region);
          return {
            result: await lookupHealthRecord((event as { name: string }).name, { servers: [dns.server], timeoutMs: 500 }).then((l) =>
              'error' in l ? { error: l.error, message: l.message } : l,
            ),
          };
        },
      },
    });
    try {
      const ports = createAwsPorts(config, {
        healthRecordReader: 'lamp-reader',
        endpoints: { lambda: server.endpoint },
        credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' },
        timeouts: { dnsMs: 1_000 },
      });

      const reading = await ports.healthChecks.status(config.primary.route53HealthCheck!);

      expect(reading.healthy).toBe(true);
      expect(invoked).toEqual([US]);
    } finally {
      await Promise.all([server.stop(), dns.stop()]);
    }
  });

  it('refuses DNS servers and a reader together', () => {
    expect(() => createAwsPorts(config, { dnsServers: ['127.0.0.1:53'], healthRecordReader: 'lamp-reader' })).toThrow(
      'give either dnsServers (resolve the health records here) or healthRecordReader (through the reader Lambda), not both',
    );
  });
});

describe('createAwsPorts: the HTTP probe', () => {
  const fetched: string[] = [];
  const fetchOk: typeof fetch = async (input) => (fetched.push(String(input)), new Response('ok', { status: 200 }));

  it("checks a region's healthCheckUrl through its healthCheckVia function in its region, and other URLs directly", async () => {
    fetched.length = 0;
    const routed = parseConfig({ ...reference, secondary: { ...reference.secondary, healthCheckVia: 'lamp-health-record-reader' } });
    fake = new FakeAws(routed, 'steady', { mockSdk: false });
    const invoked: { event: unknown; region: string }[] = [];
    const server = await startFakeAwsServer(fake, {
      functions: {
        'lamp-health-record-reader': async (event, { region }) => (
          invoked.push({ event, region }),
          { result: { ok: true, status: 200, latencyMs: 3 } }
        ),
      },
    });
    try {
      const ports = createAwsPorts(routed, {
        endpoints: { lambda: server.endpoint },
        credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' },
        fetch: fetchOk,
      });

      const dr = await ports.probe.check({ url: routed.secondary.healthCheckUrl, timeoutMs: 1_000 });
      const primary = await ports.probe.check({ url: routed.primary.healthCheckUrl, timeoutMs: 1_000 });

      expect(dr).toEqual({ ok: true, status: 200, latencyMs: 3, error: undefined });
      expect(primary).toMatchObject({ ok: true, status: 200 });
      expect(invoked).toEqual([{ event: { kind: 'http', url: routed.secondary.healthCheckUrl, timeoutMs: 1_000 }, region: US }]);
      expect(fetched).toEqual([routed.primary.healthCheckUrl]);
    } finally {
      await server.stop();
    }
  });

  it('checks every URL directly when no region names healthCheckVia', async () => {
    fetched.length = 0;
    const ports = createAwsPorts(config, { fetch: fetchOk });

    await ports.probe.check({ url: config.secondary.healthCheckUrl, timeoutMs: 1_000 });

    expect(fetched).toEqual([config.secondary.healthCheckUrl]);
  });
});
