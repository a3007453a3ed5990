import { describe, expect, it } from 'vitest';
import { isLeaseLost, isLockHeld } from '../../src/errors.js';
import type { RunState } from '../../src/machine/types.js';
import { acquireLease, CLOCK_SKEW_MS, writeUnderLease, type ControlRecord } from '../../src/runtime/lease.js';
import { MemoryStateStore } from '../../src/sim/memory-state-store.js';

const KEY = 'app#lamp#control';
const LEASE = 60_000;
const running = { phase: 'running' } as RunState;
/** A clock that reads whatever the test sets. */
const at = (now: number) => ({ clock: { now: () => now, sleep: async () => undefined }, leaseMs: LEASE });

describe('acquireLease', () => {
  it('keeps a freshly taken lease even before its holder has written a run', async () => {
    const store = new MemoryStateStore();
    await acquireLease(store, KEY, 'a', at(0));

    await expect(acquireLease(store, KEY, 'b', at(1))).rejects.toSatisfy(isLockHeld);
  });

  it('lets exactly one of ten racing owners take the lease', async () => {
    const store = new MemoryStateStore();

    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => acquireLease(store, KEY, `c${i}`, at(0))));

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected' && isLockHeld(r.reason))).toHaveLength(9);
  });

  it('respects a lease until it has lapsed by the skew bound too, then hands over with a higher epoch', async () => {
    const store = new MemoryStateStore();
    const a = await acquireLease(store, KEY, 'a', at(0));
    const aWorking = await writeUnderLease(store, a, { active: 'primary', run: running }, at(0));

    await expect(acquireLease(store, KEY, 'b', at(LEASE + CLOCK_SKEW_MS - 1))).rejects.toSatisfy(isLockHeld);
    const b = await acquireLease(store, KEY, 'b', at(LEASE + CLOCK_SKEW_MS + 1));

    expect(b.epoch).toBe(aWorking.epoch + 1);
    await expect(writeUnderLease(store, aWorking, { active: 'primary', run: running }, at(2 * LEASE))).rejects.toSatisfy(isLeaseLost);
    expect((await store.read<ControlRecord>(KEY))?.value.lease).toEqual({ owner: 'b', epoch: 2, expiresAt: 2 * LEASE + CLOCK_SKEW_MS + 1 });
  });

  it('takes a lease at once when the last run finished and released it', async () => {
    const store = new MemoryStateStore();
    const a = await acquireLease(store, KEY, 'a', at(0));
    await writeUnderLease(store, a, { active: 'secondary', run: { phase: 'completed' } as RunState }, at(0), true);

    const b = await acquireLease(store, KEY, 'b', at(1));

    expect(b).toMatchObject({ epoch: 2, record: { active: 'secondary' } });
  });
});

describe('writeUnderLease: how long the holder may count on it', () => {
  it('counts from when the renewing write was sent, less the skew bound, so a write answered late leaves less', async () => {
    const store = new MemoryStateStore();
    const a = await acquireLease(store, KEY, 'a', at(0));
    let now = 10_000;
    const slow = { clock: { now: () => now, sleep: async () => undefined }, leaseMs: LEASE };
    const slowStore = {
      read: store.read.bind(store),
      write: async <T>(key: string, value: T, version: number) => {
        now += 75_000;
        return store.write(key, value, version);
      },
    };

    const renewed = await writeUnderLease(slowStore, a, { active: 'primary', run: running }, slow);

    expect(renewed.validUntil).toBe(10_000 + LEASE - CLOCK_SKEW_MS);
    expect(renewed.validUntil - now).toBeLessThan(0);
  });

  it('gives a released lease no time at all', async () => {
    const store = new MemoryStateStore();
    const a = await acquireLease(store, KEY, 'a', at(0));

    expect((await writeUnderLease(store, a, { active: 'primary' }, at(5_000), true)).validUntil).toBe(5_000 - CLOCK_SKEW_MS);
  });
});
