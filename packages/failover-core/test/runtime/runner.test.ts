import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { isLeaseLost, isLockHeld, isOperationRejected, Runner, type ControlRecord } from '../../src/index.js';
import { request, simulation, stalling } from '../sim/harness.js';

const KEY = 'app#lamp#control';
const outage = (t0: number) => ({ outages: [{ region: 'eu-west-1', from: t0 }] });

describe('Runner', () => {
  it('runs a failover to completion through the simulator, persisting every transition', async () => {
    const { clock, ports, store, world } = simulation(outage);
    const runner = new Runner({ ports, owner: 'a', stateKey: KEY });

    const outcome = await clock.run(() => runner.start(request('failover')));

    expect(outcome.state.phase).toBe('completed');
    expect(world.actions.promoteReplica).toBe(1);
    expect(store.writes).toBeGreaterThan(20);
    const stored = await store.read<ControlRecord>(KEY);
    expect(stored?.value).toMatchObject({ active: 'secondary', run: { phase: 'completed' }, lease: { owner: 'a', epoch: 1 } });
  });

  it('lets only one of two controllers started together act', async () => {
    const { clock, ports, world } = simulation(outage);
    const a = new Runner({ ports, owner: 'a', stateKey: KEY });
    const b = new Runner({ ports, owner: 'b', stateKey: KEY });

    const results = await clock.run(() => Promise.allSettled([a.start(request('failover', 'ra')), b.start(request('failover', 'rb'))]));

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected');
    expect(isLockHeld(rejected?.reason)).toBe(true);
    expect(world.actions.promoteReplica).toBe(1);
  });

  it('parks a run that awaits approval and frees the lease at once, so an approver need not wait', async () => {
    const { clock, ports, world } = simulation(outage);
    const parked = await clock.run(() => new Runner({ ports, owner: 'lambda', stateKey: KEY }).start({ ...request('failover'), approvalRequired: true }));
    expect(parked.state.phase).toBe('awaiting-approval');

    const approved = await clock.run(() => new Runner({ ports, owner: 'cli:alice', stateKey: KEY, approve: async () => 'alice' }).resume());

    expect(approved?.state).toMatchObject({ phase: 'completed', approvedBy: 'alice' });
    expect(approved?.epoch).toBe(2);
    expect(world.actions.promoteReplica).toBe(1);
  });

  it('stops when its signal is aborted, freeing the lease so the run resumes at once', async () => {
    const { clock, ports, world } = simulation(outage);
    const stop = new AbortController();
    let transitions = 0;
    const interrupted = await clock.run(() =>
      new Runner({ ports, owner: 'cli:alice', stateKey: KEY, signal: stop.signal, onTransition: () => ++transitions === 8 && stop.abort() }).start(request('failover')),
    );
    expect(interrupted.state.phase).toBe('running');

    const resumed = await clock.run(() => new Runner({ ports, owner: 'cli:bob', stateKey: KEY }).resume());

    expect(resumed?.state.phase).toBe('completed');
    expect(world.actions.promoteReplica).toBe(1);
  });

  it('refuses to start one operation over another\'s unfinished run, and gives the lease straight back', async () => {
    const { clock, ports } = simulation(outage);
    const stop = { aborted: false };
    await clock.run(() => new Runner({ ports, owner: 'a', stateKey: KEY, signal: stop, onTransition: () => void (stop.aborted = true) }).start(request('failover')));

    const other = clock.run(() => new Runner({ ports, owner: 'b', stateKey: KEY }).start(request('switchover', 'run-2')));
    await expect(other).rejects.toSatisfy(isOperationRejected);

    const resumed = await clock.run(() => new Runner({ ports, owner: 'c', stateKey: KEY }).resume());
    expect(resumed?.state.phase).toBe('completed');
  });

  it('refuses a second failover once traffic already runs in the DR region', async () => {
    const { clock, ports } = simulation(outage);
    await clock.run(() => new Runner({ ports, owner: 'a', stateKey: KEY }).start(request('failover')));

    const again = clock.run(() => new Runner({ ports, owner: 'b', stateKey: KEY }).start(request('failover', 'run-2')));

    await expect(again).rejects.toSatisfy(isOperationRejected);
  });

  it('hands over to another controller after a crash only once the lease expires, with a higher epoch', async () => {
    const { clock, ports, world, store } = simulation(outage);
    const crashing = new Runner({
      ports,
      owner: 'a',
      stateKey: KEY,
      beforeEvent: (i) => {
        if (i === 6) throw new Error('crash');
      },
    });
    await expect(clock.run(() => crashing.start(request('failover')))).rejects.toThrow('crash');

    const early = clock.run(() => new Runner({ ports, owner: 'b', stateKey: KEY }).resume());
    await expect(early).rejects.toSatisfy(isLockHeld);

    const resumed = await clock.run(async () => {
      await clock.sleep(61_000);
      return new Runner({ ports, owner: 'b', stateKey: KEY }).resume();
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
    const a = new Runner({ ports: slowPorts, owner: 'a', stateKey: KEY, beforeEvent: (i) => void (stall = i === 5) });

    const [first, second] = await clock.run(() =>
      Promise.allSettled([
        a.start(request('failover')),
        clock.sleep(100_000).then(() => new Runner({ ports, owner: 'b', stateKey: KEY }).resume()),
      ]),
    );

    expect(first.status === 'rejected' && isLeaseLost(first.reason)).toBe(true);
    expect(second.status === 'fulfilled' && second.value?.state.phase).toBe('completed');
    expect(world.actions.promoteReplica).toBe(1);
  });

  test.prop([fc.array(fc.integer({ min: 0, max: 900_000 }), { minLength: 2, maxLength: 4 }), fc.integer({ min: 1, max: 10_000 })], { numRuns: 40 })(
    'never lets two controllers sharing one store both act, whenever they start',
    async (offsets, seed) => {
      const { clock, ports, world } = simulation(outage, { seed });
      const results = await clock.run(() =>
        Promise.allSettled(
          offsets.map(async (ms, i) => {
            await clock.sleep(ms);
            return new Runner({ ports, owner: `c${i}`, stateKey: KEY }).start(request('failover', `r${i}`));
          }),
        ),
      );

      const started = results.filter((r) => r.status === 'fulfilled' && r.value.started);
      expect(started.length).toBe(1);
      for (const r of results) {
        if (r.status === 'rejected') expect(isLockHeld(r.reason) || isOperationRejected(r.reason)).toBe(true);
      }
      expect(world.actions.promoteReplica).toBe(1);
    },
  );
});
