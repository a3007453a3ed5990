import type { RegionRole } from '../config/schema.js';
import { isDone } from './run-state.js';
import { isTerminal, type RunState } from './types.js';

/**
 * A region to contain: after a failover (or a planned handover) passed its point of no return,
 * or after a rollback in the region it was moving to, its database must not take writes and its
 * capacity must be 0. The controller does it whenever that region's control plane answers.
 */
export interface Containment {
  readonly role: RegionRole;
  /** Since when (epoch ms). */
  readonly since: number;
  /** The run that left it. */
  readonly runId: string;
  /** Seen done: the database fenced (read_only 1, in-sync), a replica, or gone. */
  readonly writes: boolean;
  /** Seen done: the Auto Scaling group at 0. */
  readonly capacity: boolean;
}

/**
 * What is left to contain after a run's transition. Pure. A failover or switchover that passed
 * its point of no return leaves the region it left to contain (its own best-effort blocks may
 * already have done it); a failback that passed it makes the home region primary, so nothing
 * there may be contained any more; a rollback leaves the region it was moving to (its capacity
 * back to 0, and its database fenced if a planned handover had promoted it).
 */
export function nextContainment(current: Containment | undefined, run: RunState, now: number): Containment | undefined {
  const fresh = (role: RunState['from'], since: number): Containment => ({ role, since, runId: run.runId, writes: false, capacity: false });
  if (run.operation === 'failback' && run.committedAt !== undefined) return undefined;
  if ((run.operation === 'failover' || run.operation === 'switchover') && run.committedAt !== undefined) {
    const base = current?.runId === run.runId && current.role === run.from ? current : fresh(run.from, run.committedAt);
    const writes = base.writes || isDone(run, 'contain-writes') || isDone(run, 'fence-writes');
    const capacity = base.capacity || isDone(run, 'contain-capacity');
    return writes && capacity ? undefined : { ...base, writes, capacity };
  }
  if (run.rollback && isTerminal(run.phase) && run.from !== run.to && current?.runId !== run.runId) return fresh(run.to, now);
  return current;
}

/** What one look at a region to contain saw done. */
export type ContainmentLook = Pick<Containment, 'writes' | 'capacity'>;

/** A containment after one look at its region. */
export interface AfterLook {
  /** The containment with what the look saw done. */
  readonly containment: Containment;
  /** The look saw a part done that the containment did not have yet. */
  readonly changed: boolean;
  /** Both parts are done: nothing is left to contain. */
  readonly cleared: boolean;
  /** What the control record keeps: the containment, or undefined once cleared. */
  readonly record: Containment | undefined;
}

/** What a look at a region to contain leaves: the parts seen done, cleared once both are. Pure. */
export function afterLook(pending: Containment, look: ContainmentLook): AfterLook {
  const containment: Containment = { ...pending, writes: look.writes, capacity: look.capacity };
  const cleared = containment.writes && containment.capacity;
  return {
    containment,
    changed: look.writes !== pending.writes || look.capacity !== pending.capacity,
    cleared,
    record: cleared ? undefined : containment,
  };
}
