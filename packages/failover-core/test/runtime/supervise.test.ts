import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/parse.js';
import { referenceConfig } from '../../src/config/reference.js';
import type { DrConfig } from '../../src/config/schema.js';
import { initialDetectorState, type DetectorState } from '../../src/detector/detector.js';
import type { ControlRecord } from '../../src/runtime/lease.js';
import { stateKeys, supervise } from '../../src/runtime/supervise.js';
import type { SimPorts } from '../../src/sim/sim-ports.js';
import { config } from '../fixtures.js';
import { request, runner, simulation } from '../sim/harness.js';

const keys = stateKeys(config.app);
/** The detector arms only once it has seen the primary healthy: faults start after a first healthy round. */
const BASELINE_MS = 15_000;
const outage = (t0: number) => ({ outages: [{ region: config.primary.region, from: t0 + BASELINE_MS }] });
let id = 0;
const invoke = (ports: SimPorts, clock: { now(): number }, cfg: DrConfig = config) =>
  supervise({ ports, config: cfg, owner: `c${++id}`, probeUntil: clock.now() + 50_000, runId: () => `run-${id}` });
const sent = (ports: SimPorts, text: string) => ports.notifier.sent.filter((n) => n.subject.includes(text)).length;

/** Invokes the controller every minute for `minutes`, as EventBridge does (one at a time here). */
async function everyMinute(
  ports: SimPorts,
  clock: { now(): number; sleep(ms: number): Promise<void> },
  minutes: number,
  cfg: DrConfig = config,
) {
  const results = [];
  for (let i = 0; i < minutes; i++) {
    const started = clock.now();
    results.push(await invoke(ports, clock, cfg));
    await clock.sleep(Math.max(0, started + 60_000 - clock.now()));
  }
  return results;
}

describe('supervise: detection', () => {
  it('watches a healthy primary and keeps the detector state between invocations', async () => {
    const { clock, ports } = simulation();

    const result = await clock.run(() => invoke(ports, clock));

    expect(result).toMatchObject({ action: 'watched', rounds: 5, detector: { verdict: 'healthy' } });
    expect((await ports.stateStore.read<DetectorState>(keys.detector))?.value.verdict).toBe('healthy');
  });

  it('starts a failover when the primary is down, and completes it', async () => {
    const { clock, ports, world } = simulation(outage);

    const results = await clock.run(() => everyMinute(ports, clock, 4));

    expect(results.find((r) => r.action === 'started')?.run?.phase).toBe('completed');
    expect(world.actions.promoteReplica).toBe(1);
  });

  it('starts the failover even when an earlier invocation saved "down" and died before starting it', async () => {
    const { clock, ports, world, t0 } = simulation(outage);
    await ports.stateStore.write<DetectorState>(
      keys.detector,
      { ...initialDetectorState, verdict: 'down', downRounds: 3, suspectSince: t0, downSince: t0 + 30_000 },
      0,
    );

    const result = await clock.run(async () => {
      await clock.sleep(120_000);
      return invoke(ports, clock);
    });

    expect(result.action).toBe('started');
    expect(world.actions.promoteReplica).toBe(1);
  });

  it('does not retry unattended a failover that was refused for the same impairment', async () => {
    const { clock, ports, world } = simulation((t0) => ({ ...outage(t0), replicaLagMs: [120_000, 200_000] }));

    const results = await clock.run(() => everyMinute(ports, clock, 5));

    expect(results.filter((r) => r.action === 'started' && r.run?.phase === 'refused')).toHaveLength(1);
    expect(world.actions.promoteReplica).toBeUndefined();
  });

  it('never fails over a primary it has not seen healthy (day one, a broken deploy)', async () => {
    const { clock, ports, world } = simulation((t0) => ({ outages: [{ region: config.primary.region, from: t0 }] }));

    const results = await clock.run(() => everyMinute(ports, clock, 5));

    expect(results.map((r) => r.action)).not.toContain('started');
    expect(results.at(-1)?.detector).toMatchObject({ armed: false });
    expect(world.callLog).toEqual([]);
  });

  it('does not fail over a primary whose database reboots for maintenance, and says so; it does once the impairment outlasts the bound', async () => {
    const bounded = parseConfig({ ...referenceConfig, detection: { maintenanceSeconds: 120 } });
    const short = simulation((t0) => ({ maintenance: [{ region: config.primary.region, from: t0 + BASELINE_MS, to: t0 + 4 * 60_000 }] }));
    const long = simulation((t0) => ({ maintenance: [{ region: config.primary.region, from: t0 + BASELINE_MS }] }));

    const shortResults = await short.clock.run(() => everyMinute(short.ports, short.clock, 8));
    const longResults = await long.clock.run(() => everyMinute(long.ports, long.clock, 6, bounded));

    expect(shortResults.map((r) => r.action)).toContain('maintenance');
    expect(shortResults.map((r) => r.action)).not.toContain('started');
    expect(sent(short.ports, 'fails during its database')).toBe(1);
    expect(short.world.callLog).toEqual([]);
    expect(longResults.map((r) => r.action)).toContain('maintenance');
    expect(longResults.map((r) => r.action)).toContain('started');
  });

  it('ignores an invocation whose scheduled event is older than one schedule interval (a late retry), and writes no heartbeat for it', async () => {
    const { clock, ports, world } = simulation(outage);

    const result = await clock.run(async () => {
      await clock.sleep(10 * 60_000);
      return supervise({
        ports,
        config,
        owner: 'late',
        probeUntil: clock.now() + 50_000,
        runId: () => 'late-run',
        scheduledAt: clock.now() - 2 * 60_000,
      });
    });

    expect(result.action).toBe('stale-tick');
    expect(world.callLog).toEqual([]);
    expect(await ports.stateStore.read(keys.heartbeat)).toBeUndefined();
  });

  it('writes a heartbeat at the end of each invocation', async () => {
    const { clock, ports } = simulation();

    await clock.run(() =>
      supervise({ ports, config, owner: 'c', probeUntil: clock.now() + 20_000, runId: () => 'r', scheduledAt: clock.now() }),
    );

    expect((await ports.stateStore.read(keys.heartbeat))?.value).toMatchObject({ action: 'watched', verdict: 'healthy', armed: true });
  });
});

describe('supervise: containment of the old region', () => {
  it('fences the old primary and takes its capacity to 0 within a minute of its region coming back', async () => {
    const { clock, ports, world, t0, store } = simulation((t) => ({
      outages: [{ region: config.primary.region, from: t + BASELINE_MS, to: t + 30 * 60_000 }],
    }));

    await clock.run(() => everyMinute(ports, clock, 35));

    const old = world.findDb(config.primary.region, config.primary.dbInstanceIdentifier, clock.now())!;
    const back = t0 + 30 * 60_000;
    const writableAfterReturn = Array.from({ length: 300 }, (_, s) => back + s * 1000).filter((t) => world.writableAt(old, t)).length;
    expect(world.writableAt(old, clock.now())).toBe(false);
    expect(writableAfterReturn).toBeLessThan(90);
    expect(world.asgs.get(config.primary.region)?.desired).toBe(0);
    expect((await store.read<ControlRecord>(keys.control))?.value.containment).toBeUndefined();
    expect(sent(ports, `${config.primary.region} contained`)).toBe(1);
  });
});

describe('supervise: a failed failover past its point of no return', () => {
  it('retries it every invocation until it completes, once capacity is back', async () => {
    const { clock, ports, world } = simulation((t0) => ({
      ...outage(t0),
      capacityLoss: [{ region: config.secondary.region, from: t0 + BASELINE_MS, to: t0 + 25 * 60_000 }],
    }));

    const results = await clock.run(() => everyMinute(ports, clock, 45));

    expect(results.some((r) => r.run?.phase === 'failed')).toBe(true);
    expect(results.at(-1)?.run?.phase ?? (await ports.stateStore.read<ControlRecord>(keys.control))?.value.run?.phase).toBe('completed');
    expect(world.actions.promoteReplica).toBe(1);
  });
});

describe('supervise: runs it did not start', () => {
  const heldConfig = parseConfig({ ...referenceConfig, controller: { operatorHoldSeconds: 600 } });

  /** An operator's switchover, stopped (Ctrl-C) right after it drained the primary: before its point of no return. */
  async function interruptedSwitchover(sim: ReturnType<typeof simulation>) {
    const stop = { aborted: false };
    await sim.clock.run(() =>
      runner(sim.ports, 'cli:alice', {
        signal: stop,
        onTransition: (s) => void (s.blocks['fence-weight']?.status === 'done' && (stop.aborted = true)),
      }).start(request('switchover', 'op-1')),
    );
  }

  it("holds an operator's unfinished run, with a notice, while the hold lasts, even with the primary down", async () => {
    const sim = simulation((t0) => ({ outages: [{ region: config.primary.region, from: t0 + 5 * 60_000 }] }));
    await interruptedSwitchover(sim);

    const results = await sim.clock.run(async () => {
      await sim.clock.sleepUntil(sim.t0 + 5 * 60_000);
      return everyMinute(sim.ports, sim.clock, 5, heldConfig);
    });

    expect(new Set(results.map((r) => r.action))).toEqual(new Set(['held']));
    expect(sent(sim.ports, 'left unfinished: the controller is holding')).toBe(1);
    expect(sim.world.actions.promoteReplica ?? 0).toBe(0);
  });

  it('takes the run over when the hold ends: before its point of no return it is rolled back, the primary served again', async () => {
    const sim = simulation();
    await interruptedSwitchover(sim);

    const results = await sim.clock.run(() => everyMinute(sim.ports, sim.clock, 14, heldConfig));

    const took = results.find((r) => r.action === 'took-over');
    expect(took?.run?.phase).toBe('rolled-back');
    expect(sim.world.weightAt(config.primary.region, sim.clock.now())).toBe(128);
    expect(sim.world.dialAt(config.primary.region, sim.clock.now())).toBe(100);
    expect(sent(sim.ports, 'the controller took over')).toBe(1);
  });

  it('does not resume a run awaiting approval every minute: the record stays as it was, and a reminder goes out every 15 minutes', async () => {
    const approvalConfig = parseConfig({ ...referenceConfig, approval: { required: true, expiresAfterSeconds: 3_600 } });
    const { clock, ports, world } = simulation(outage);
    const first = await clock.run(async () => (await everyMinute(ports, clock, 4, approvalConfig)).find((r) => r.action === 'started'));
    expect(first).toMatchObject({ run: { phase: 'awaiting-approval', trigger: 'detector' } });
    const parked = await ports.stateStore.read(keys.control);
    const before = sent(ports, 'awaits approval');

    const later = await clock.run(() => everyMinute(ports, clock, 31, approvalConfig));

    expect(new Set(later.map((r) => r.action))).toEqual(new Set(['awaiting-approval']));
    expect((await ports.stateStore.read(keys.control))?.version).toBe(parked?.version);
    expect(sent(ports, 'awaits approval') - before).toBe(2);
    expect(world.actions.promoteReplica ?? 0).toBe(0);
  });

  it('refuses a run whose approval expired, changing nothing, and detection carries on', async () => {
    const approvalConfig = parseConfig({ ...referenceConfig, approval: { required: true, expiresAfterSeconds: 600 } });
    const { clock, ports, world } = simulation(outage);

    const results = await clock.run(() => everyMinute(ports, clock, 16, approvalConfig));

    expect(results.map((r) => r.action)).toContain('expired');
    expect(results.find((r) => r.action === 'expired')?.run?.phase).toBe('refused');
    expect(world.callLog).toEqual([]);
  });
});
