import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { isLeaseLost, isLockHeld, isOperationRejected } from '../../src/errors.js';
import type { ControlRecord } from '../../src/runtime/lease.js';
import { Rng } from '../../src/sim/random.js';
import { SimStateStore } from '../../src/sim/sim-state-store.js';
import { config } from '../fixtures.js';
import { KEY, request, runner, simulation, stalling } from '../sim/harness.js';

const outage = (t0: number) => ({ outages: [{ region: 'eu-west-1', from: t0 }] });

describe('Runner', () => {
  it('runs a failover to completion through the simulator, persisting every transition', async () => {
    const { clock, ports, store, world } = simulation(outage);

    const outcome = await clock.run(() => runner(ports, 'a').start(request('failover')));

    expect(outcome.state.phase).toBe('completed');
    expect(world.actions.promoteReplica).toBe(1);
    const stored = await store.read<ControlRecord>(KEY);
    expect(stored?.value).toMatchObject({ active: 'secondary', run: { phase: 'completed' }, lease: { owner: 'a', epoch: 1 } });
  });

  it('names the promoted region active from the point of no return, before the run ends', async () => {
    const { clock, ports, store } = simulation(outage);
    const seen: string[] = [];

    await clock.run(() =>
      runner(ports, 'a', {
        onTransition: (state) => {
          if (state.committedAt !== undefined && seen.length === 0)
            void store.read<ControlRecord>(KEY).then((r) => seen.push(`${state.phase}:${r?.value.active}`));
        },
      }).start(request('failover')),
    );

    expect(seen).toEqual(['running:secondary']);
  });

  it('leaves the region it failed over from to be contained when it does not answer, and says so', async () => {
    const { clock, ports, store } = simulation(outage);

    await clock.run(() => runner(ports, 'a').start(request('failover')));

    expect((await store.read<ControlRecord>(KEY))?.value.containment).toMatchObject({
      role: 'primary',
      runId: 'run-1',
      writes: false,
      capacity: false,
    });
  });

  it('contains the old primary itself when its control plane answers (ALB 5xx): fenced after the drain, before the replica is writable', async () => {
    const { clock, ports, store, world } = simulation((t0) => ({ alb5xx: [{ region: 'eu-west-1', from: t0 }] }));

    const outcome = await clock.run(() => runner(ports, 'a').start(request('failover')));

    const old = world.findDb('eu-west-1', 'lamp-primary', clock.now())!;
    const fencedAt = outcome.state.blocks['contain-writes']?.endedAt ?? Infinity;
    expect(world.writableAt(old, clock.now())).toBe(false);
    expect(world.asgs.get('eu-west-1')?.desired).toBe(0);
    expect(fencedAt).toBeLessThan(outcome.state.blocks['await-writable']?.endedAt ?? 0);
    expect((await store.read<ControlRecord>(KEY))?.value.containment).toBeUndefined();
  });

  it('lets only one of two controllers started together act', async () => {
    const { clock, ports, world } = simulation(outage);

    const results = await clock.run(() =>
      Promise.allSettled([runner(ports, 'a').start(request('failover', 'ra')), runner(ports, 'b').start(request('failover', 'rb'))]),
    );

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(isLockHeld(results.find((r) => r.status === 'rejected')?.reason)).toBe(true);
    expect(world.actions.promoteReplica).toBe(1);
  });

  it('parks a run that awaits approval and frees the lease at once, so an approver need not wait', async () => {
    const { clock, ports, world } = simulation(outage);
    const parked = await clock.run(() => runner(ports, 'lambda').start({ ...request('failover'), approvalRequired: true }));
    expect(parked.state.phase).toBe('awaiting-approval');

    const approved = await clock.run(() => runner(ports, 'cli:alice', { approve: async () => 'alice' }).resume());

    expect(approved?.state).toMatchObject({ phase: 'completed', approvedBy: 'alice' });
    expect(approved?.epoch).toBe(2);
    expect(world.actions.promoteReplica).toBe(1);
  });

  it('stops when its signal is aborted, freeing the lease so the run resumes at once', async () => {
    const { clock, ports, world } = simulation(outage);
    const stop = new AbortController();
    let transitions = 0;
    const interrupted = await clock.run(() =>
      runner(ports, 'cli:alice', { signal: stop.signal, onTransition: () => void (++transitions === 8 && stop.abort()) }).start(
        request('failover'),
      ),
    );
    expect(interrupted.state.phase).toBe('running');

    const resumed = await clock.run(() => runner(ports, 'cli:bob').resume());

    expect(resumed?.state.phase).toBe('completed');
    expect(world.actions.promoteReplica).toBe(1);
  });

  it("refuses to start one operation over another's unfinished run, and gives the lease straight back", async () => {
    const { clock, ports } = simulation(outage);
    const stop = { aborted: false };
    await clock.run(() => runner(ports, 'a', { signal: stop, onTransition: () => void (stop.aborted = true) }).start(request('failover')));

    await expect(clock.run(() => runner(ports, 'b').start(request('switchover', 'run-2')))).rejects.toSatisfy(isOperationRejected);

    expect((await clock.run(() => runner(ports, 'c').resume()))?.state.phase).toBe('completed');
  });

  it('refuses a second failover once traffic already runs in the DR region', async () => {
    const { clock, ports } = simulation(outage);
    await clock.run(() => runner(ports, 'a').start(request('failover')));

    await expect(clock.run(() => runner(ports, 'b').start(request('failover', 'run-2')))).rejects.toSatisfy(isOperationRejected);
  });

  it('rolls back a failover whose promotion is refused, and a second start of it begins anew', async () => {
    const { clock, ports, world } = simulation((t0) => ({ ...outage(t0), promotionFails: true }));

    const first = await clock.run(() => runner(ports, 'a').start(request('failover')));
    const restored = {
      weight: world.weightAt('eu-west-1', clock.now()),
      dial: world.dialAt('eu-west-1', clock.now()),
      drCapacity: world.asgs.get('us-east-1')?.desired,
    };
    world.inject({ promotionFails: false });
    const second = await clock.run(() => runner(ports, 'b').start(request('failover', 'run-2')));

    expect(first.state.phase).toBe('rolled-back');
    expect(restored).toEqual({ weight: 128, dial: 100, drCapacity: 0 });
    expect(second).toMatchObject({ started: true, state: { phase: 'completed', runId: 'run-2' } });
  });

  it('retries a run that failed past its point of no return when the same operation is asked for again', async () => {
    const { clock, ports, world } = simulation((t0) => ({
      ...outage(t0),
      capacityLoss: [{ region: 'us-east-1', from: t0, to: t0 + 20 * 60_000 }],
    }));

    const first = await clock.run(() => runner(ports, 'a').start(request('failover')));
    const again = await clock.run(async () => {
      await clock.sleep(10 * 60_000);
      return runner(ports, 'b').start(request('failover', 'run-2'));
    });

    expect(first.state).toMatchObject({ phase: 'failed', failure: { blockId: 'await-healthy' } });
    expect(first.state.committedAt).toBeDefined();
    expect(again).toMatchObject({ started: false, state: { phase: 'completed', runId: 'run-1' } });
    expect(world.actions.promoteReplica).toBe(1);
  });

  it('hands over to another controller after a crash only once the lease expires, with a higher epoch', async () => {
    const { clock, ports, world, store } = simulation(outage);
    const crashing = runner(ports, 'a', {
      beforeEvent: (i) => {
        if (i === 6) throw new Error('crash');
      },
    });
    await expect(clock.run(() => crashing.start(request('failover')))).rejects.toThrow('crash');

    await expect(clock.run(() => runner(ports, 'b').resume())).rejects.toSatisfy(isLockHeld);

    const resumed = await clock.run(async () => {
      await clock.sleep(70_000);
      return runner(ports, 'b').resume();
    });
    expect(resumed?.state.phase).toBe('completed');
    expect(resumed?.epoch).toBe(2);
    expect(world.actions.promoteReplica).toBe(1);
    expect((await store.read<ControlRecord>(KEY))?.value.lease?.epoch).toBe(2);
  });

  it('stops a controller whose lease was taken over, so its later writes are rejected and it acts no more', async () => {
    const { clock, ports, world } = simulation(outage);
    let stall = false;
    let stalled = false;
    const slowPorts = stalling(ports, 120_000, () => {
      if (!stall || stalled) return false;
      stalled = true;
      return true;
    });
    const a = runner(slowPorts, 'a', { beforeEvent: (i) => void (stall = i === 5) });

    const [first, second] = await clock.run(() =>
      Promise.allSettled([a.start(request('failover')), clock.sleep(100_000).then(() => runner(ports, 'b').resume())]),
    );

    expect(first.status === 'rejected' && isLeaseLost(first.reason)).toBe(true);
    expect(second.status === 'fulfilled' && second.value?.state.phase).toBe('completed');
    expect(world.actions.promoteReplica).toBe(1);
  });

  test.prop([fc.array(fc.integer({ min: 0, max: 900_000 }), { minLength: 2, maxLength: 4 }), fc.integer({ min: 1, max: 10_000 })], {
    numRuns: 40,
  })('never lets two controllers sharing one store both act, whenever they start', async (offsets, seed) => {
    const { clock, ports, world } = simulation(outage, { seed });
    const results = await clock.run(() =>
      Promise.allSettled(
        offsets.map(async (ms, i) => {
          await clock.sleep(ms);
          return runner(ports, `c${i}`).start(request('failover', `r${i}`));
        }),
      ),
    );

    expect(results.filter((r) => r.status === 'fulfilled' && r.value.started)).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(isLockHeld(r.reason) || isOperationRejected(r.reason)).toBe(true);
    expect(world.actions.promoteReplica).toBe(1);
  });
});

describe('Runner: lease discipline', () => {
  it('refuses a lease too short to outlast the clock-skew bound plus the act margin, under which it could never act', () => {
    const { ports } = simulation(outage);
    expect(() => runner(ports, 'c', { leaseMs: 20_000 })).toThrow(/leaseMs 20000 is too short/);
    expect(() => runner(ports, 'c', { leaseMs: 20_001 })).not.toThrow();
  });

  test.prop([fc.integer({ min: 1, max: 100_000 })], { numRuns: 30 })(
    'makes no call after a later epoch was granted, with state writes answered 75 s late and controllers racing',
    async (seed) => {
      const { clock, ports, world } = simulation(outage, {
        seed,
        store: (c) => new SimStateStore(c, new Rng(seed), [4, 20], { rate: 0.2, delayMs: 75_000 }),
      });
      const store = ports.stateStore as SimStateStore;

      await clock.run(() =>
        Promise.allSettled(
          [0, 45_000, 90_000, 135_000, 180_000, 240_000, 300_000].map(async (ms, i) => {
            await clock.sleep(ms);
            const owner = `c${i}`;
            try {
              await runner(ports.forCaller(owner), owner).start(request('failover', `r${i}`));
            } catch {
              try {
                await clock.sleep(120_000);
                await runner(ports.forCaller(`${owner}b`), `${owner}b`).resume();
              } catch {
                // Lost the lease or found it held: that is the point.
              }
            }
          }),
        ),
      );

      const violations = world.callLog.filter((call) => {
        const mine = store.grants.filter((g) => g.owner === call.caller && g.at <= call.at).at(-1);
        return !mine || store.grants.some((g) => g.at < call.at && g.epoch > mine.epoch);
      });
      expect(violations).toEqual([]);
      expect(world.actions.promoteReplica ?? 0).toBeLessThanOrEqual(1);
    },
  );

  it('renews the lease before acting when the last renewal came back too late to count on', async () => {
    const late = { rate: 1, delayMs: 75_000 };
    const { clock, ports, world } = simulation(outage, { store: (c) => new SimStateStore(c, new Rng(1), [4, 20], late) });

    const outcome = await clock.run(() => runner(ports, 'a', { leaseMs: 60_000 }).start(request('failover')));

    // Every write is answered after the lease it renewed has lapsed: the runner never acts.
    expect(outcome.state.phase).not.toBe('completed');
    expect(world.callLog).toEqual([]);
    expect(config.app).toBe('lamp');
  });
});
