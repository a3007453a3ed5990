import type { RegionRole } from '../config/schema.js';
import { isVersionConflict, LeaseLostError, LockHeldError } from '../errors.js';
import type { Containment } from '../machine/containment.js';
import type { RunState } from '../machine/types.js';
import type { Clock, StateStore } from '../ports.js';

/**
 * The bound assumed on the difference between any two controllers' clocks (Lambda in the DR
 * region, an operator's machine running `dr`): 5 seconds. Lambda hosts are kept in time by the
 * Amazon Time Sync Service, to well under a millisecond; an operator's laptop on NTP is usually
 * within tens of milliseconds, and 5 s leaves room for one that is not. A clock further off than
 * this can let two holders overlap, so `dr status` shows the lease's times for a person to check.
 */
export const CLOCK_SKEW_MS = 5_000;

/** The lease that makes one controller the only one acting. `epoch` only grows: a fencing token. */
export interface Lease {
  readonly owner: string;
  readonly epoch: number;
  /** When the lease lapses, by its holder's clock at the write that set it. */
  readonly expiresAt: number;
}

/** What the state store holds for one application. */
export interface ControlRecord {
  readonly lease?: Lease | undefined;
  /** The current or last run. */
  readonly run?: RunState | undefined;
  /** The region serving traffic: the target of the last run that passed its point of no return. */
  readonly active: RegionRole;
  /** A region still to contain, if any. */
  readonly containment?: Containment | undefined;
}

/** A lease held: the record as last written and the version to compare against next. */
export interface LeaseHold {
  readonly key: string;
  readonly owner: string;
  readonly epoch: number;
  readonly version: number;
  readonly record: ControlRecord;
  /**
   * Until when, by this holder's clock, it may count on the lease: the send time of the write
   * that last renewed it, plus the lease, less {@link CLOCK_SKEW_MS}. A write answered late
   * leaves less of it (or none).
   */
  readonly validUntil: number;
}

/** Timing of a lease. */
export interface LeaseTiming {
  readonly clock: Clock;
  readonly leaseMs: number;
  /** @default CLOCK_SKEW_MS */
  readonly skewMs?: number;
}

/**
 * The refusal a controller `owner` meets when it asks for the lease on `key` at `now`: a
 * `LockHeldError` while another owner holds a lease that has not lapsed, allowing for the skew
 * bound; undefined when it may take it. Pure: {@link acquireLease} and a rehearsal (which must
 * refuse exactly when the real run would) both decide with it.
 */
export function leaseHeldByAnother(
  key: string,
  record: ControlRecord | undefined,
  owner: string,
  now: number,
  skewMs = CLOCK_SKEW_MS,
): LockHeldError | undefined {
  const lease = record?.lease;
  // Any unexpired lease of another owner is respected, run or no run: between taking the lease
  // and writing its first run state, a controller must not lose it to a racer. Its holder's
  // clock may run behind ours by up to the skew bound. A released lease expires "now".
  return lease && lease.owner !== owner && lease.expiresAt + skewMs > now
    ? new LockHeldError(key, lease.owner, lease.expiresAt + skewMs)
    : undefined;
}

/**
 * Takes the lease on `key` for `owner`: fails with `LockHeldError` while another owner holds a
 * lease that has not lapsed by this clock, allowing for the skew bound. Taking it raises the
 * epoch, so a previous holder's next write is rejected. Two callers racing for it: the store's
 * compare-and-set lets exactly one win.
 */
export async function acquireLease(store: StateStore, key: string, owner: string, timing: LeaseTiming): Promise<LeaseHold> {
  const stored = await store.read<ControlRecord>(key);
  const record: ControlRecord = stored?.value ?? { active: 'primary' };
  const lease = record.lease;
  const now = timing.clock.now();
  const skew = timing.skewMs ?? CLOCK_SKEW_MS;
  const held = leaseHeldByAnother(key, record, owner, now, skew);
  if (held) throw held;
  const epoch = (lease?.epoch ?? 0) + 1;
  const next: ControlRecord = { ...record, lease: { owner, epoch, expiresAt: now + timing.leaseMs } };
  try {
    const version = await store.write(key, next, stored?.version ?? 0);
    return { key, owner, epoch, version, record: next, validUntil: now + timing.leaseMs - skew };
  } catch (e) {
    if (!isVersionConflict(e)) throw e;
    const winner = (await store.read<ControlRecord>(key))?.value.lease;
    throw new LockHeldError(key, winner?.owner ?? 'another controller', winner?.expiresAt ?? now, { cause: e });
  }
}

/**
 * Writes `record` under a held lease, renewing it for `leaseMs` from now (or releasing it with
 * `release`), with compare-and-set on the version. Fails with `LeaseLostError` when anyone else
 * wrote since: the caller must stop.
 */
export async function writeUnderLease(
  store: StateStore,
  hold: LeaseHold,
  record: Omit<ControlRecord, 'lease'>,
  timing: LeaseTiming,
  release = false,
): Promise<LeaseHold> {
  const sentAt = timing.clock.now();
  const skew = timing.skewMs ?? CLOCK_SKEW_MS;
  // A released lease is lapsed on every clock within the skew bound: the next holder need not wait.
  const expiresAt = release ? sentAt - skew : sentAt + timing.leaseMs;
  const next: ControlRecord = { ...record, lease: { owner: hold.owner, epoch: hold.epoch, expiresAt } };
  try {
    const version = await store.write(hold.key, next, hold.version);
    return { ...hold, version, record: next, validUntil: release ? expiresAt : expiresAt - skew };
  } catch (e) {
    if (isVersionConflict(e)) throw new LeaseLostError(hold.key, hold.epoch, { cause: e });
    throw e;
  }
}
