import type { RegionRole } from '../config/schema.js';
import { isVersionConflict, LeaseLostError, LockHeldError } from '../errors.js';
import type { StateStore } from '../ports.js';
import type { RunState } from './types.js';

/** The lease that makes one controller the only one acting. `epoch` only grows: a fencing token. */
export interface Lease {
  readonly owner: string;
  readonly epoch: number;
  readonly expiresAt: number;
}

/** What the state store holds for one application. */
export interface ControlRecord {
  readonly lease?: Lease | undefined;
  /** The current or last run. */
  readonly run?: RunState | undefined;
  /** The region serving traffic, as far as completed runs know. */
  readonly active: RegionRole;
}

/** A lease held: the record as last written and the version to compare against next. */
export interface LeaseHold {
  readonly key: string;
  readonly owner: string;
  readonly epoch: number;
  readonly version: number;
  readonly record: ControlRecord;
}

/**
 * Takes the lease on `key` for `owner`: fails with `LockHeldError` while another owner holds an
 * unexpired lease. Taking it raises the epoch, so a previous holder's next
 * write is rejected. Two callers racing for it: the store's compare-and-set lets exactly one win.
 */
export async function acquireLease(store: StateStore, key: string, owner: string, now: number, leaseMs: number): Promise<LeaseHold> {
  const stored = await store.read<ControlRecord>(key);
  const record: ControlRecord = stored?.value ?? { active: 'primary' };
  const lease = record.lease;
  // Any unexpired lease of another owner is respected, run or no run: between taking the lease
  // and writing its first run state, a controller must not lose it to a racer. A finished run
  // releases its lease by writing an expiry of "now".
  if (lease && lease.owner !== owner && lease.expiresAt > now) {
    throw new LockHeldError(key, lease.owner, lease.expiresAt);
  }
  const epoch = (lease?.epoch ?? 0) + 1;
  const next: ControlRecord = { ...record, lease: { owner, epoch, expiresAt: now + leaseMs } };
  try {
    const version = await store.write(key, next, stored?.version ?? 0);
    return { key, owner, epoch, version, record: next };
  } catch (e) {
    if (!isVersionConflict(e)) throw e;
    const winner = (await store.read<ControlRecord>(key))?.value.lease;
    throw new LockHeldError(key, winner?.owner ?? 'another controller', winner?.expiresAt ?? now, { cause: e });
  }
}

/**
 * Writes `record` under a held lease (stamping the lease with `expiresAt`), with compare-and-set
 * on the version. Fails with `LeaseLostError` when anyone else wrote since: the caller must stop.
 */
export async function writeUnderLease(store: StateStore, hold: LeaseHold, record: Omit<ControlRecord, 'lease'>, expiresAt: number): Promise<LeaseHold> {
  const next: ControlRecord = { ...record, lease: { owner: hold.owner, epoch: hold.epoch, expiresAt } };
  try {
    const version = await store.write(hold.key, next, hold.version);
    return { ...hold, version, record: next };
  } catch (e) {
    if (isVersionConflict(e)) throw new LeaseLostError(hold.key, hold.epoch, { cause: e });
    throw e;
  }
}
