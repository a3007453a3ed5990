/**
 * The faults a simulated world can be given: windows of time in which a region is out, serves
 * errors, loses capacity or reboots its database, and rates at which calls fail.
 */
import type { Range } from './latency.js';

/** A window of time, in epoch milliseconds; `to` undefined means "until the end of the run". */
export interface Window {
  readonly from: number;
  readonly to?: number | undefined;
}

/** Faults the simulator can inject. Any combination may be active at once. */
export interface Faults {
  /** The whole region fails: its data plane and its control plane (calls time out). */
  readonly outages?: readonly (Window & { readonly region: string })[];
  /** The region's ALB answers 5xx: targets fail health checks; the control plane still answers. */
  readonly alb5xx?: readonly (Window & { readonly region: string })[];
  /** Probes of this region's health URL fail at random with `failureRate` (a lossy, flapping network path). */
  readonly flappingProbe?: Window & { readonly region: string; readonly failureRate: number };
  /** Control-plane calls (RDS, Auto Scaling, Global Accelerator) are throttled with this probability. */
  readonly throttleRate?: number;
  /**
   * A mutating call takes effect but its answer is lost with this probability: the caller sees
   * the call time out (a call that fails yet takes effect).
   */
  readonly lostResponseRate?: number;
  /** PromoteReadReplica is rejected (for example, the replica's storage is full). */
  readonly promotionFails?: boolean;
  /** The region has no capacity for the instance type: launches never reach InService. */
  readonly noCapacityRegion?: string;
  /** The region loses its instances (terminated) and cannot launch more during the window; then the group refills. */
  readonly capacityLoss?: readonly (Window & { readonly region: string })[];
  /** Capacity of `region` is lost `afterMs` after a promotion lands there, for `forMs`. */
  readonly capacityLossAfterPromotion?: { readonly region: string; readonly afterMs: number; readonly forMs: number };
  /** Replica lag is held in this range, in milliseconds (replication falling behind). */
  readonly replicaLagMs?: Range;
  /**
   * A maintenance reboot of the region's database (a Single-AZ instance is `rebooting` and takes
   * no connections): the app's health path fails meanwhile, so every health signal sees the
   * region down, while its control plane answers and reports the reboot.
   * Source: RDS user guide, "Maintaining a DB instance" and "Rebooting a DB instance".
   */
  readonly maintenance?: readonly (Window & { readonly region: string })[];
  /**
   * Aurora tier: the first `FailoverGlobalCluster` AWS accepts goes `pending`, `failing-over`, then
   * fails (RDS-EVENT-0239): `FailoverState` clears and the writer is unchanged. A later call can succeed.
   * (`promotionFails` makes AWS refuse the call itself, on either tier.)
   * Source: Aurora user guide, "Amazon RDS event categories and event messages" (RDS-EVENT-0239).
   */
  readonly auroraFailoverFailsOnce?: boolean;
  /**
   * Aurora tier: the first `SwitchoverGlobalCluster` AWS accepts goes `pending`, `switching-over`,
   * then is cancelled or fails (RDS-EVENT-0186 / 0187): both clusters return to their previous
   * states, the writer unchanged. Source: "Using switchover or failover in an Aurora global
   * database" (a cancelled switchover returns both clusters to their previous states).
   */
  readonly auroraSwitchoverCancelledOnce?: boolean;
  /**
   * Aurora tier: a recovered old primary is re-added but never finishes its rebuild: it stays
   * `pending-resync` (a rebuild AWS says takes "a few minutes to several hours" taking longer than any wait).
   */
  readonly auroraRejoinStuck?: boolean;
  /** Aurora tier: AWS does not re-add the old primary after a failover: it leaves the global database. */
  readonly auroraOldPrimaryRemoved?: boolean;
  /**
   * Aurora tier: Aurora's best-effort fencing of the old primary fails: once its region returns it
   * keeps taking writes for this many ms (unless the engine's `read_only` fence reaches it first),
   * then Aurora re-adds it. Source: aurora-global-database-disaster-recovery.html ("Aurora attempts
   * to fence writes ... split-brain" is possible).
   */
  readonly auroraFencingFailsMs?: number;
  /** Aurora tier: Aurora could not snapshot the old primary's volume before rebuilding it ("tries to" in AWS's words). */
  readonly auroraNoFailoverSnapshot?: boolean;
}

/** Whether `t` falls in the window (its start included, its end not). */
export const within = (w: Window, t: number): boolean => t >= w.from && (w.to === undefined || t < w.to);
