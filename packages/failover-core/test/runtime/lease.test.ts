import { describe, expect, it } from 'vitest';
import { acquireLease, isLeaseLost, isLockHeld, MemoryStateStore, writeUnderLease, type ControlRecord, type RunState } from '../../src/index.js';

const KEY = 'app#lamp#control';
const LEASE = 60_000;
const running = { phase: 'running' } as RunState;

describe('acquireLease', () => {
  it('keeps a freshly taken lease even before its holder has written a run', async () => {
    const store = new MemoryStateStore();
    await acquireLease(store, KEY, 'a', 0, LEASE);

    await expect(acquireLease(store, KEY, 'b', 1, LEASE)).rejects.toSatisfy(isLockHeld);
  });

  it('lets exactly one of ten racing owners take the lease', async () => {
    const store = new MemoryStateStore();

    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => acquireLease(store, KEY, `c${i}`, 0, LEASE)));

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected' && isLockHeld(r.reason))).toHaveLength(9);
  });

  it('refuses while another owner holds an unexpired lease on an unfinished run, then hands over with a higher epoch', async () => {
    const store = new MemoryStateStore();
    const a = await acquireLease(store, KEY, 'a', 0, LEASE);
    const aWorking = await writeUnderLease(store, a, { active: 'primary', run: running }, LEASE);

    await expect(acquireLease(store, KEY, 'b', LEASE - 1, LEASE)).rejects.toSatisfy(isLockHeld);
    const b = await acquireLease(store, KEY, 'b', LEASE + 1, LEASE);

    expect(b.epoch).toBe(aWorking.epoch + 1);
    await expect(writeUnderLease(store, aWorking, { active: 'primary', run: running }, 2 * LEASE)).rejects.toSatisfy(isLeaseLost);
    expect((await store.read<ControlRecord>(KEY))?.value.lease).toEqual({ owner: 'b', epoch: 2, expiresAt: 2 * LEASE + 1 });
  });

  it('takes a lease at once when the last run finished and released it', async () => {
    const store = new MemoryStateStore();
    const a = await acquireLease(store, KEY, 'a', 0, LEASE);
    await writeUnderLease(store, a, { active: 'secondary', run: { phase: 'completed' } as RunState }, 0);

    const b = await acquireLease(store, KEY, 'b', 1, LEASE);

    expect(b).toMatchObject({ epoch: 2, record: { active: 'secondary' } });
  });
});
