import type { DrConfig } from '../config/schema.js';
import { isWriteFenced } from '../machine/assess.js';
import { afterLook, type Containment, type ContainmentLook } from '../machine/containment.js';
import { asgRef, dbRef } from '../plan/build-plan.js';
import type { Ports } from '../ports.js';

export type { ContainmentLook } from '../machine/containment.js';

/** How a containment's calls are gated and counted by whoever holds the lease. */
export interface ContainmentGuard {
  /** True when the lease allows a mutating call now. */
  mayAct(): Promise<boolean>;
  /** Makes a mutating call (so a stopping holder can wait for it to answer). */
  act(call: () => Promise<void>): Promise<void>;
}

/**
 * One look at a region to contain, and the calls it still needs: fence its database if it is a
 * primary that is not fenced (a replica takes no writes; a fence counts once `in-sync`), and take
 * its capacity to 0. Calls are made only while the guard says the lease allows. Throws when the
 * region does not answer; done parts are seen done on a later look.
 */
export async function containOnce(ports: Ports, config: DrConfig, pending: Containment, guard: ContainmentGuard): Promise<ContainmentLook> {
  const r = config[pending.role];
  const writes = async (): Promise<boolean> => {
    if (pending.writes) return true;
    const status = await ports.database.describe(dbRef(r));
    if (!status.exists || status.role === 'replica' || isWriteFenced(status)) return true;
    if (status.readOnly !== 'on' && (await guard.mayAct())) await guard.act(() => ports.database.setWriteFence(dbRef(r), true));
    return false;
  };
  const capacity = async (): Promise<boolean> => {
    if (pending.capacity) return true;
    const status = await ports.compute.describe(asgRef(r));
    if (status.min === 0 && status.desired === 0) return true;
    if (await guard.mayAct()) await guard.act(() => ports.compute.setCapacity(asgRef(r), { min: 0, desired: 0, max: r.capacity.max }));
    return false;
  };
  const [w, c] = await Promise.all([writes(), capacity()]);
  return { writes: w, capacity: c };
}

/** The notice of a region contained. */
export function containedNotice(config: DrConfig, pending: Containment, now: number) {
  const r = config[pending.role];
  return {
    subject: `${r.region} contained`,
    message: `${r.dbInstanceIdentifier} in ${r.region} takes no writes and ${r.autoScalingGroupName} is at 0, ${Math.round((now - pending.since) / 60_000)} min after run ${pending.runId} left it to be contained.`,
    severity: 'info' as const,
    runId: pending.runId,
  };
}

/**
 * Records one look at a pending containment: writes what it leaves through `write` (the
 * containment with the parts seen done, or none once both are) and, once cleared, announces the
 * region contained. `always`: write even when the look saw nothing new (the controller's attempt,
 * whose write also gives the lease back); otherwise only on a change (a runner's tries while it
 * drives a run). `contained` is true when this call cleared it.
 */
export async function recordLook(
  ports: Ports,
  config: DrConfig,
  pending: Containment,
  look: ContainmentLook,
  write: (containment: Containment | undefined) => Promise<unknown>,
  always: boolean,
): Promise<{ readonly containment: Containment; readonly contained: boolean }> {
  const after = afterLook(pending, look);
  if (!always && !after.changed) return { containment: after.containment, contained: false };
  await write(after.record);
  if (after.cleared) {
    try {
      await ports.notifier.notify(containedNotice(config, pending, ports.clock.now()));
    } catch {
      // The record says it: a lost notice changes nothing.
    }
  }
  return { containment: after.containment, contained: after.cleared };
}
