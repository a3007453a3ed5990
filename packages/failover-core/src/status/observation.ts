import type { RegionRole } from '../config/schema.js';
import type { UnreachableReason } from '../errors.js';
import type { CapacityStatus, DbStatus, EndpointGroupStatus } from '../ports.js';

/**
 * Why a read failed, for people and scripts: the network's reasons of `RegionUnreachableError`
 * (no answer came), or AWS's answer (`access-denied`, `not-found`, `throttled`, `aws-error` for a
 * 5xx), or `error` for anything else.
 */
export type ReadFailureReason = UnreachableReason | 'access-denied' | 'not-found' | 'throttled' | 'aws-error' | 'error';

/** One read of the world that may fail (a region down): its value, or why not. Plain JSON, as `dr status --json` prints it. */
export type Observation<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string; readonly reason: ReadFailureReason };

/** One AWS read and the region whose API it called (null reason: it answered): what {@link judgeReach} compares. */
export interface ReachAttempt {
  readonly region: string;
  readonly reason: ReadFailureReason | null;
}

/** What was observed of one region's serving side: the reads the headline judges. */
export interface RegionObservation {
  readonly role: RegionRole;
  readonly region: string;
  readonly database: Observation<DbStatus>;
  readonly compute: Observation<CapacityStatus>;
  readonly traffic: Observation<EndpointGroupStatus>;
}
