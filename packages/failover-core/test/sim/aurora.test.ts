import { describe, expect, it } from 'vitest';
import { isNotReady, isOperationRejected, isRegionUnreachable, isResourceNotFound } from '../../src/errors.js';
import { parseConfig, referenceAuroraConfig } from '../../src/index.js';
import { dbRef } from '../../src/plan/build-plan.js';
import { clusterRef } from '../../src/plan/aurora-steps.js';
import { endpointTargetAt } from '../../src/sim/aurora-endpoint.js';
import type { LatencyModel } from '../../src/sim/latency.js';
import { MemoryStateStore } from '../../src/sim/memory-state-store.js';
import { SimPorts } from '../../src/sim/sim-ports.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import { SimWorld, type Faults, type Layout } from '../../src/sim/world.js';

const aurora = parseConfig(referenceAuroraConfig);
const { primary, secondary } = aurora;
const GLOBAL = 'lamp-global';
const EU = primary.region;
const US = secondary.region;

/** A world on the Aurora tier, its clock and ports. */
function auroraWorld(faults: (t0: number) => Faults = () => ({}), options: { latency?: Partial<LatencyModel>; layout?: Layout } = {}) {
  const clock = new VirtualClock();
  const t0 = clock.now();
  const world = new SimWorld(aurora, t0, faults(t0), { seed: 1, latency: options.latency, layout: options.layout });
  const ports = new SimPorts(world, clock, new MemoryStateStore());
  return { clock, t0, world, ports, g: world.aurora! };
}

async function settle<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await p };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Polls `read` every 2 s until `done`; returns the values seen, in order, without repeats. */
async function watch<T>(clock: VirtualClock, read: () => Promise<T>, done: (v: T) => boolean, limitMs = 3_600_000): Promise<T[]> {
  const seen: T[] = [];
  const until = clock.now() + limitMs;
  for (;;) {
    const v = await read();
    if (JSON.stringify(seen.at(-1)) !== JSON.stringify(v)) seen.push(v);
    if (done(v) || clock.now() > until) return seen;
    await clock.sleep(2_000);
  }
}

describe('simulated Aurora global database: at rest', () => {
  it('the primary cluster is the writer, the secondary a connected member whose instance reads as a replica with the global lag', async () => {
    const { clock, ports } = auroraWorld();
    const [global, writer, reader] = await clock.run(() =>
      Promise.all([
        ports.globalDatabase.describe(GLOBAL, US),
        ports.database.describe(dbRef(primary)),
        ports.database.describe(dbRef(secondary)),
      ]),
    );
    expect(global).toMatchObject({ exists: true, engineVersion: '8.0.mysql_aurora.3.08.0', failoverState: undefined });
    expect(global.members).toEqual([
      { region: EU, dbClusterIdentifier: 'lamp-primary', isWriter: true, synchronizationStatus: 'connected' },
      { region: US, dbClusterIdentifier: 'lamp-secondary', isWriter: false, synchronizationStatus: 'connected' },
    ]);
    expect(writer).toMatchObject({ role: 'primary', writable: true, replicaLagSeconds: undefined, readOnly: 'default' });
    expect(writer.parameterGroup).toEqual({ name: 'lamp-primary-cluster-params', applyStatus: 'in-sync' });
    expect(reader).toMatchObject({ role: 'replica', writable: false, replicating: true, sourceIdentifier: 'lamp-primary' });
    // Typical global lag is under a second: the port reports it in whole seconds.
    expect(reader.replicaLagSeconds).toBeLessThanOrEqual(1);
  });

  it('refuses the RDS tier calls on an Aurora instance, naming the cluster', async () => {
    const { clock, ports } = auroraWorld();
    const results = await clock.run(() =>
      Promise.all([
        settle(ports.database.promoteReplica(dbRef(secondary))),
        settle(ports.database.createReplica(dbRef(secondary), dbRef(primary))),
        settle(ports.database.retireInstance(dbRef(primary), 'lamp-primary-1-retired-x')),
        settle(ports.database.rebootInstance(dbRef(primary))),
      ]),
    );
    for (const r of results) {
      expect(r.ok).toBe(false);
      expect(isOperationRejected((r as { error: unknown }).error)).toBe(true);
    }
    expect(String((results[0] as { error: Error }).error.message)).toContain('lamp-secondary');
  });

  it('fences writes through the cluster parameter group: applying, then in-sync; refuses a group the cluster does not use', async () => {
    const { clock, ports, world } = auroraWorld();
    const seen = await clock.run(async () => {
      await ports.database.setWriteFence(dbRef(primary), true);
      return watch(
        clock,
        async () => {
          const s = await ports.database.describe(dbRef(primary));
          return `${s.parameterGroup?.applyStatus}:${s.writeFenced}:${s.writable}`;
        },
        (v) => v === 'in-sync:true:false',
      );
    });
    expect(seen.at(0)).toBe('applying:false:true');
    expect(seen.at(-1)).toBe('in-sync:true:false');
    // A cluster moved to another group (by hand) is refused: fencing the configured group would not reach it.
    const g = world.aurora!;
    Object.assign(g.clusters[0]!, { parameterGroup: 'lamp-primary-old-params' });
    g.parameters.addGroup(EU, 'lamp-primary-old-params');
    const refused = await clock.run(() => settle(ports.database.setWriteFence(dbRef(primary), false)));
    expect(refused.ok === false && isOperationRejected(refused.error)).toBe(true);
    expect(String((refused as { error: Error }).error.message)).toMatch(/lamp-primary-old-params.*lamp-primary-cluster-params/);
  });

  it('on the RDS tier the global database port answers that there is none', async () => {
    const { referenceConfig } = await import('../../src/index.js');
    const world = new SimWorld(parseConfig(referenceConfig), 0);
    const ports = new SimPorts(world, new VirtualClock());
    const [global, failover] = await ports.clock.run(() =>
      Promise.all([ports.globalDatabase.describe(GLOBAL, US), settle(ports.globalDatabase.failover(GLOBAL, clusterRef(secondary)))]),
    );
    expect(global.exists).toBe(false);
    expect(failover.ok === false && isResourceNotFound(failover.error)).toBe(true);
  });
});

describe('simulated Aurora global database: failover (AllowDataLoss)', () => {
  it('works in the target region while the primary region is out: pending → failing-over → cleared, within the modelled minutes', async () => {
    const { clock, ports, g, t0 } = auroraWorld((t) => ({ outages: [{ region: EU, from: t }] }));
    const { states, calledAt, doneAt, primaryCall } = await clock.run(async () => {
      const primaryCall = await settle(ports.database.describe(dbRef(primary)));
      const calledAt = clock.now();
      await ports.globalDatabase.failover(GLOBAL, clusterRef(secondary));
      const states = await watch(
        clock,
        async () => {
          const s = await ports.globalDatabase.describe(GLOBAL, US);
          return `${s.failoverState?.status ?? 'none'}:${s.members.find((m) => m.isWriter)?.region}`;
        },
        (v) => v === `none:${US}`,
      );
      return { states, calledAt, doneAt: clock.now(), primaryCall };
    });
    expect(primaryCall.ok === false && isRegionUnreachable(primaryCall.error)).toBe(true);
    expect(states.filter((s) => s !== `none:${EU}`)).toEqual([`pending:${EU}`, `failing-over:${EU}`, `none:${US}`]);
    const seconds = (doneAt - calledAt) / 1000;
    expect(seconds).toBeGreaterThanOrEqual(60);
    expect(seconds).toBeLessThanOrEqual(185);
    expect(g.operations).toHaveLength(1);
    expect(t0).toBeLessThan(calledAt);
  });

  it('the waiter race: right after the call DescribeGlobalClusters may show nothing in progress; a repeated call starts nothing new', async () => {
    const { clock, ports, g } = auroraWorld(() => ({}), { latency: { globalStateShownMs: [20_000, 20_000], apiCallMs: [50, 50] } });
    const [first] = await clock.run(async () => {
      await ports.globalDatabase.failover(GLOBAL, clusterRef(secondary));
      const first = await ports.globalDatabase.describe(GLOBAL, US);
      await ports.globalDatabase.failover(GLOBAL, clusterRef(secondary));
      return [first];
    });
    expect(first.failoverState).toBeUndefined();
    expect(first.members.find((m) => m.isWriter)?.region).toBe(EU);
    expect(g.operations).toHaveLength(1);
  });

  it('RPO: the lag frozen at the failure; the writer endpoint follows the new writer only after DNS, so the DR app is down until then', async () => {
    const { clock, ports, world, g } = auroraWorld((t) => ({ outages: [{ region: EU, from: t + 1_000 }] }));
    const r = await clock.run(async () => {
      await clock.sleep(30_000);
      const lag = (await ports.database.describe(dbRef(secondary))).replicaLagSeconds;
      await ports.globalDatabase.failover(GLOBAL, clusterRef(secondary));
      await clock.sleep(400_000);
      return { lag };
    });
    expect(r.lag).toBeLessThanOrEqual(1);
    const op = g.operations[0]!;
    const end = g.end(op).at;
    expect(endpointTargetAt(g, end).region).toBe(EU);
    expect(world.appDownSince(US, end)).toBeDefined();
    expect(endpointTargetAt(g, end + op.dnsMs).region).toBe(US);
    expect(world.appDownSince(US, end + op.dnsMs)).toBeUndefined();
    expect(op.dnsMs).toBeGreaterThanOrEqual(1_000);
    expect(op.dnsMs).toBeLessThanOrEqual(15_000);
  });

  it('the recovered old primary is re-added on a new volume: snapshot rds:unplanned-global-failover-…, pending-resync, then connected', async () => {
    const { clock, ports, g, world } = auroraWorld((t) => ({ outages: [{ region: EU, from: t, to: t + 600_000 }] }));
    const { statuses, snapshots, lagDuringResync } = await clock.run(async () => {
      await ports.globalDatabase.failover(GLOBAL, clusterRef(secondary));
      await clock.sleep(700_000);
      const lagDuringResync = (await ports.database.describe(dbRef(primary))).replicaLagSeconds;
      const snapshots = await watch(
        clock,
        async () => (await ports.globalDatabase.failoverSnapshot(clusterRef(primary), 'copy')).source?.status ?? 'none',
        (v) => v === 'available',
      );
      const statuses = await watch(
        clock,
        async () => (await ports.globalDatabase.describe(GLOBAL, EU)).members.find((m) => m.region === EU)?.synchronizationStatus,
        (v) => v === 'connected',
        5 * 3_600_000,
      );
      return { statuses, snapshots, lagDuringResync };
    });
    expect(statuses).toEqual(['pending-resync', 'connected']);
    expect(snapshots).toEqual(['creating', 'available']);
    expect(lagDuringResync).toBeUndefined();
    const snapshot = g.systemSnapshots(g.clusters[0]!, clock.now())[0]!;
    expect(snapshot.id).toMatch(/^rds:unplanned-global-failover-lamp-primary-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}$/);
    // Aurora fenced the old primary: it came back not writable, and reads as a replica of the new writer.
    expect(world.writableAt(g.clusters[0]!.instance, world.startAt + 600_001)).toBe(false);
    const home = await clock.run(() => ports.database.describe(dbRef(primary)));
    expect(home).toMatchObject({ role: 'replica', writable: false, sourceIdentifier: 'lamp-secondary' });
  });

  it('keeps the system snapshot as a manual copy: creating, then available; again is a no-op; an unknown source is not found', async () => {
    const { clock, ports } = auroraWorld((t) => ({ outages: [{ region: EU, from: t, to: t + 60_000 }] }));
    const r = await clock.run(async () => {
      await ports.globalDatabase.failover(GLOBAL, clusterRef(secondary));
      await clock.sleep(900_000);
      const { source } = await ports.globalDatabase.failoverSnapshot(clusterRef(primary), 'lamp-primary-lost-writes-x');
      const missing = await settle(ports.globalDatabase.keepSnapshot(clusterRef(primary), 'rds:nothing', 'other'));
      await ports.globalDatabase.keepSnapshot(clusterRef(primary), source!.id, 'lamp-primary-lost-writes-x');
      await ports.globalDatabase.keepSnapshot(clusterRef(primary), source!.id, 'lamp-primary-lost-writes-x');
      const copies = await watch(
        clock,
        async () => (await ports.globalDatabase.failoverSnapshot(clusterRef(primary), 'lamp-primary-lost-writes-x')).copy?.status,
        (v) => v === 'available',
      );
      return { missing, copies };
    });
    expect(r.missing.ok === false && isResourceNotFound(r.missing.error)).toBe(true);
    expect(r.copies).toEqual(['creating', 'available']);
  });
});

describe('simulated Aurora global database: switchover', () => {
  it('is refused while the primary region is out (it needs every member healthy)', async () => {
    const { clock, ports } = auroraWorld((t) => ({ outages: [{ region: EU, from: t }] }));
    const r = await clock.run(() => settle(ports.globalDatabase.switchover(GLOBAL, clusterRef(secondary))));
    expect(r.ok === false && isOperationRejected(r.error)).toBe(true);
  });

  it('makes the primary read-only, waits for the lag, promotes the target; the old primary becomes a connected secondary, nothing lost', async () => {
    const { clock, ports, g, world } = auroraWorld();
    const states = await clock.run(async () => {
      await ports.globalDatabase.switchover(GLOBAL, clusterRef(secondary));
      return watch(
        clock,
        async () => {
          const s = await ports.globalDatabase.describe(GLOBAL, US);
          return `${s.failoverState?.status ?? 'none'}:${s.members.find((m) => m.isWriter)?.region}`;
        },
        (v) => v === `none:${US}`,
      );
    });
    expect(states.filter((s) => s !== `none:${EU}`)).toEqual([`pending:${EU}`, `switching-over:${EU}`, `none:${US}`]);
    const op = g.operations[0]!;
    const [home, dr] = g.clusters;
    // Read-only from the moment the switchover runs: neither cluster takes writes until the target is the writer.
    expect(world.writableAt(home!.instance, op.activeAt + 1)).toBe(false);
    expect(world.writableAt(dr!.instance, g.end(op).at)).toBe(true);
    expect(world.lagMsAt(home!.instance, g.end(op).at)).toBeDefined();
    expect(g.syncStatusAt(home!, g.end(op).at)).toBe('connected');
    // The writer's lag drained to nothing while it was read-only: no write is lost.
    expect(world.lagMsAt(dr!.instance, g.end(op).at - 1)).toBe(0);
  });

  it('fails when the target region goes out before it is done: the writer stays where it was', async () => {
    const { clock, ports, g, world } = auroraWorld((t) => ({ outages: [{ region: US, from: t + 15_000, to: t + 600_000 }] }));
    await clock.run(async () => {
      await ports.globalDatabase.switchover(GLOBAL, clusterRef(secondary));
      await clock.sleep(700_000);
    });
    expect(g.end(g.operations[0]!)).toEqual({ at: world.startAt + 15_000, completed: false });
    expect(g.writerAt(clock.now()).region).toBe(EU);
    expect(world.writableAt(g.clusters[0]!.instance, clock.now())).toBe(true);
  });
});

describe('simulated Aurora global database: faults', () => {
  const failedOver = async (faults: Faults, outageMs = 600_000, afterMs = 3 * 3_600_000) => {
    const sim = auroraWorld((t) => ({ outages: [{ region: EU, from: t, to: t + outageMs }], ...faults }));
    await sim.clock.run(async () => {
      await sim.ports.globalDatabase.failover(GLOBAL, clusterRef(secondary));
      await sim.clock.sleep(afterMs);
    });
    return sim;
  };

  it('promotionFails: FailoverGlobalCluster itself is refused', async () => {
    const { clock, ports, g } = auroraWorld(() => ({ promotionFails: true }));
    const r = await clock.run(() => settle(ports.globalDatabase.failover(GLOBAL, clusterRef(secondary))));
    expect(r.ok === false && isOperationRejected(r.error)).toBe(true);
    expect(g.operations).toHaveLength(0);
  });

  it('auroraFailoverFailsOnce: the first failover runs and fails without a new writer; the next call succeeds', async () => {
    const { clock, ports, g } = auroraWorld(() => ({ auroraFailoverFailsOnce: true }));
    const writers = await clock.run(async () => {
      await ports.globalDatabase.failover(GLOBAL, clusterRef(secondary));
      await clock.sleep(300_000);
      const after = g.writerAt(clock.now()).region;
      await ports.globalDatabase.failover(GLOBAL, clusterRef(secondary));
      await clock.sleep(300_000);
      return [after, g.writerAt(clock.now()).region];
    });
    expect(writers).toEqual([EU, US]);
    expect(g.operations.map((op) => g.end(op).completed)).toEqual([false, true]);
  });

  it('auroraRejoinStuck: the old primary stays pending-resync, and a switchover back to it is not ready', async () => {
    const { g, clock, ports } = await failedOver({ auroraRejoinStuck: true }, 600_000, 10 * 3_600_000);
    expect(g.syncStatusAt(g.clusters[0]!, clock.now())).toBe('pending-resync');
    const back = await clock.run(() => settle(ports.globalDatabase.switchover(GLOBAL, clusterRef(primary))));
    expect(back.ok === false && isNotReady(back.error)).toBe(true);
  });

  it('auroraOldPrimaryRemoved: the old primary leaves the global database', async () => {
    const { ports, clock } = await failedOver({ auroraOldPrimaryRemoved: true });
    const global = await clock.run(() => ports.globalDatabase.describe(GLOBAL, US));
    expect(global.members.map((m) => m.dbClusterIdentifier)).toEqual(['lamp-secondary']);
  });

  it('auroraNoFailoverSnapshot: no system snapshot of the old volume', async () => {
    const { ports, clock } = await failedOver({ auroraNoFailoverSnapshot: true });
    const status = await clock.run(() => ports.globalDatabase.failoverSnapshot(clusterRef(primary), 'copy'));
    expect(status).toEqual({ source: undefined, copy: undefined });
  });

  it('auroraFencingFailsMs: the returning old primary takes writes beside the new writer, until a read_only fence reaches it', async () => {
    const sim = auroraWorld((t) => ({ outages: [{ region: EU, from: t, to: t + 600_000 }], auroraFencingFailsMs: 300_000 }));
    const { clock, ports, g, world } = sim;
    await clock.run(async () => {
      await ports.globalDatabase.failover(GLOBAL, clusterRef(secondary));
      await clock.sleep(620_000);
    });
    const [home, dr] = g.clusters;
    const back = world.startAt + 600_000;
    expect(world.writableAt(home!.instance, back + 1_000)).toBe(true);
    expect(world.writableAt(dr!.instance, back + 1_000)).toBe(true);
    await clock.run(async () => {
      await ports.database.setWriteFence(dbRef(primary), true);
      await clock.sleep(20_000);
    });
    expect(world.writableAt(home!.instance, clock.now())).toBe(false);
  });
});
