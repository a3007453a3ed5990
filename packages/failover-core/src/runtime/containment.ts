import type { DrConfig } from '../config/schema.js';
import { describeError, isLockHeld } from '../errors.js';
import type { Containment } from '../machine/containment.js';
import { isTerminal } from '../machine/types.js';
import { asgRef, dbRef } from '../plan/build-plan.js';
import type { Ports } from '../ports.js';
import type { ControlRecord } from './lease.js';
import { Runner, type RunnerOptions } from './runner.js';

/** What one containment attempt found or did. */
export type ContainmentOutcome =
  | { readonly status: 'none' }
  /** Another controller holds the lease, or a run is unfinished: not now. */
  | { readonly status: 'busy' }
  /** The region did not answer; tried again next time. */
  | { readonly status: 'unreachable'; readonly error: string }
  /** Calls made; done once a later look sees them applied. */
  | { readonly status: 'acted'; readonly containment: Containment }
  /** Seen done and cleared. */
  | { readonly status: 'contained'; readonly containment: Containment };

/**
 * One attempt at a pending containment, under the lease: look at the region's database and
 * capacity, fence the database if it is a primary that is not fenced (a replica takes no
 * writes), take the capacity to 0, and clear the containment once a look sees both done. Best
 * effort, by the controller, whenever the region's control plane answers.
 */
export async function containPending(options: Omit<RunnerOptions, 'onTransition' | 'approve' | 'beforeEvent'>): Promise<ContainmentOutcome> {
  const { ports, config } = options;
  const runner = new Runner(options);
  let record: ControlRecord;
  try {
    record = await runner.take();
  } catch (e) {
    if (isLockHeld(e)) return { status: 'busy' };
    throw e;
  }
  const pending = record.containment;
  if (!pending || (record.run && !isTerminal(record.run.phase))) {
    await runner.writeRecord((current) => current, true);
    return pending ? { status: 'busy' } : { status: 'none' };
  }
  const r = config[pending.role];
  let writes: boolean;
  let capacity: boolean;
  try {
    [writes, capacity] = await Promise.all([containWrites(ports, config, pending.role, runner), containCapacity(ports, config, pending.role, runner)]);
  } catch (e) {
    await runner.writeRecord((current) => current, true);
    return { status: 'unreachable', error: describeError(e) };
  }
  const updated: Containment = { ...pending, writes: pending.writes || writes, capacity: pending.capacity || capacity };
  const cleared = updated.writes && updated.capacity;
  await runner.writeRecord((current) => ({ ...current, containment: cleared ? undefined : updated }), true);
  if (!cleared) return { status: 'acted', containment: updated };
  try {
    await ports.notifier.notify({
      subject: `${r.region} contained`,
      message: `${r.dbInstanceIdentifier} in ${r.region} takes no writes and ${r.autoScalingGroupName} is at 0, since the ${pending.runId} left it to the controller ${Math.round((ports.clock.now() - pending.since) / 60_000)} min ago.`,
      severity: 'info',
      runId: pending.runId,
    });
  } catch {
    // The containment holds whether or not anyone hears of it.
  }
  return { status: 'contained', containment: updated };
}

/** True when the database takes no writes (fenced and applied, a replica, or gone); otherwise fences it. */
async function containWrites(ports: Ports, config: DrConfig, role: 'primary' | 'secondary', runner: Runner): Promise<boolean> {
  const db = dbRef(config[role]);
  const status = await ports.database.describe(db);
  if (!status.exists || status.role === 'replica' || status.writeFenced) return true;
  if (status.readOnly !== 'on' && (await runner.leaseForAct())) await ports.database.setWriteFence(db, true);
  return false;
}

/** True when the group is at 0; otherwise sets it there. */
async function containCapacity(ports: Ports, config: DrConfig, role: 'primary' | 'secondary', runner: Runner): Promise<boolean> {
  const r = config[role];
  const status = await ports.compute.describe(asgRef(r));
  if (status.min === 0 && status.desired === 0) return true;
  if (await runner.leaseForAct()) await ports.compute.setCapacity(asgRef(r), { min: 0, desired: 0, max: r.capacity.max });
  return false;
}
