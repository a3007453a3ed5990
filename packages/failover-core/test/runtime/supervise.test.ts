import { describe, expect, it } from 'vitest';
import { buildPlan, initialDetectorState, parseConfig, referenceConfig, Runner, stateKeys, supervise, type DetectorState, type Ports } from '../../src/index.js';
import { config } from '../fixtures.js';
import { simulation } from '../sim/harness.js';

const keys = stateKeys(config.app);
const outage = (t0: number) => ({ outages: [{ region: config.primary.region, from: t0 }] });
let id = 0;
const invoke = (ports: Ports, clock: { now(): number }) =>
  supervise({ ports, config, owner: `c${++id}`, probeUntil: clock.now() + 50_000, runId: () => `run-${id}` });

describe('supervise', () => {
  it('watches a healthy primary and keeps the detector state between invocations', async () => {
    const { clock, ports } = simulation();

    const result = await clock.run(() => invoke(ports, clock));

    expect(result).toMatchObject({ action: 'watched', rounds: 5, detector: { verdict: 'healthy' } });
    expect((await ports.stateStore.read<DetectorState>(keys.detector))?.value.verdict).toBe('healthy');
  });

  it('starts a failover when the primary is down, and completes it', async () => {
    const { clock, ports, world } = simulation(outage);

    const results = await clock.run(async () => {
      const all = [];
      for (let i = 0; i < 4; i++) {
        all.push(await invoke(ports, clock));
        await clock.sleep(10_000);
      }
      return all;
    });

    expect(results.map((r) => r.action)).toContain('started');
    expect(results.find((r) => r.action === 'started')?.run?.phase).toBe('completed');
    expect(world.actions.promoteReplica).toBe(1);
  });

  it('starts the failover even when an earlier invocation saved "down" and died before starting it', async () => {
    const { clock, ports, world, t0 } = simulation(outage);
    const down: DetectorState = { ...initialDetectorState, verdict: 'down', downRounds: 3, suspectSince: t0, downSince: t0 + 30_000 };
    await ports.stateStore.write(keys.detector, down, 0);

    const result = await clock.run(async () => {
      await clock.sleep(120_000);
      return invoke(ports, clock);
    });

    expect(result.action).toBe('started');
    expect(world.actions.promoteReplica).toBe(1);
  });

  it('does not retry unattended a failover that was refused for the same impairment', async () => {
    const { clock, ports, world } = simulation((t0) => ({ ...outage(t0), replicaLagMs: [120_000, 200_000] }));

    const actions = await clock.run(async () => {
      const seen = [];
      for (let i = 0; i < 5; i++) {
        const r = await invoke(ports, clock);
        seen.push(`${r.action}:${r.run?.phase ?? '-'}`);
        await clock.sleep(10_000);
      }
      return seen;
    });

    expect(actions.filter((a) => a === 'started:refused')).toHaveLength(1);
    expect(world.actions.promoteReplica).toBeUndefined();
  });
});

describe('supervise and runs it did not start', () => {
  it('leaves an operator\'s unfinished run to the operator, even with the primary down', async () => {
    const { clock, ports, world } = simulation(outage);
    const stop = { aborted: false };
    // An operator's switchover, stopped (Ctrl-C) right after it began.
    await clock.run(() =>
      new Runner({ ports, owner: 'cli:alice', stateKey: keys.control, signal: stop, onTransition: () => void (stop.aborted = true) }).start({
        runId: 'op-1',
        operation: 'switchover',
        plan: buildPlan(config, 'switchover'),
        maxDataLossSeconds: 60,
      }),
    );

    const result = await clock.run(() => invoke(ports, clock));

    expect(result).toMatchObject({ action: 'held', run: { runId: 'op-1', trigger: 'operator' } });
    expect(world.actions.promoteReplica ?? 0).toBe(0);
  });

  it('does not resume a run awaiting approval every minute: the record stays as it was, and a reminder goes out every 15 minutes', async () => {
    const approvalConfig = parseConfig({ ...referenceConfig, approval: { required: true } });
    const { clock, ports, world } = simulation(outage);
    const call = () => supervise({ ports, config: approvalConfig, owner: `c${++id}`, probeUntil: clock.now() + 50_000, runId: () => `run-${id}` });
    const first = await clock.run(async () => {
      for (let i = 0; ; i++) {
        const r = await call();
        if (r.action !== 'watched' || i === 10) return r;
        await clock.sleep(10_000);
      }
    });
    expect(first).toMatchObject({ action: 'started', run: { phase: 'awaiting-approval', trigger: 'detector' } });
    const parked = await ports.stateStore.read(keys.control);
    const notices = () => (ports.notifier as unknown as { sent: { subject: string }[] }).sent.filter((n) => n.subject.includes('awaits approval')).length;
    const before = notices();

    const later = await clock.run(async () => {
      const actions = [];
      for (let minute = 1; minute <= 31; minute++) {
        await clock.sleep(60_000);
        actions.push((await call()).action);
      }
      return actions;
    });

    expect(new Set(later)).toEqual(new Set(['awaiting-approval']));
    expect((await ports.stateStore.read(keys.control))?.version).toBe(parked?.version);
    expect(notices() - before).toBe(2);
    expect(world.actions.promoteReplica ?? 0).toBe(0);
  });
});
