import type { RegionResources, RegionRole } from '../config/schema.js';
import type { Containment } from '../machine/containment.js';
import type { CapacityStatus, DbStatus } from '../ports.js';
import type { Observation } from './observation.js';

/** One observed part of a region still to contain: true or false when seen, null (with why) when it could not be read. */
export interface ObservedPart {
  readonly value: boolean | null;
  readonly error: string | null;
}

/** A region left to contain, with what the record says is done and what was observed now. */
export interface ContainmentStatus {
  readonly role: RegionRole;
  readonly region: string;
  readonly dbInstanceIdentifier: string;
  readonly autoScalingGroupName: string;
  /** Since when (epoch ms). */
  readonly since: number;
  /** The run that left it. */
  readonly runId: string;
  /** What the controller has recorded done. */
  readonly recorded: { readonly writes: boolean; readonly capacity: boolean };
  /** Whether the database takes writes now (a primary, available, not fenced), as observed. */
  readonly databaseWritable: ObservedPart;
  /** Whether the Auto Scaling group is at 0, as observed. */
  readonly capacityAtZero: ObservedPart;
}

const observedPart = <T>(r: Observation<T> | undefined, judge: (v: T) => boolean): ObservedPart =>
  r === undefined ? { value: null, error: 'not read' } : r.ok ? { value: judge(r.value), error: null } : { value: null, error: r.error };

/**
 * A region left to contain (its database must not take writes, its capacity must be 0), judged
 * from what was observed now, not from the record alone: the controller records a part done only
 * when it sees it done, so the record can lag the world by one invocation. Pure.
 * @returns null when the record leaves nothing to contain.
 */
export function judgeContainment(
  resources: Readonly<Record<RegionRole, Pick<RegionResources, 'region' | 'dbInstanceIdentifier' | 'autoScalingGroupName'>>>,
  pending: Containment | undefined,
  regions: readonly {
    readonly role: RegionRole;
    readonly database: Observation<DbStatus>;
    readonly compute: Observation<CapacityStatus>;
  }[],
): ContainmentStatus | null {
  if (!pending) return null;
  const r = resources[pending.role];
  const seen = regions.find((x) => x.role === pending.role);
  return {
    role: pending.role,
    region: r.region,
    dbInstanceIdentifier: r.dbInstanceIdentifier,
    autoScalingGroupName: r.autoScalingGroupName,
    since: pending.since,
    runId: pending.runId,
    recorded: { writes: pending.writes, capacity: pending.capacity },
    databaseWritable: observedPart(seen?.database, (db) => db.exists && db.writable),
    capacityAtZero: observedPart(seen?.compute, (a) => a.min === 0 && a.desired === 0),
  };
}
