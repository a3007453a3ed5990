import type { RegionRole } from '../config/schema.js';
import type { AsgRef, CapacitySetting, ClusterRef, DbRef, EndpointGroupRef } from '../ports.js';

/**
 * The operations a plan can be built for. `rebuild` recreates the pilot light of the region that
 * does not serve (its database retired and replicated anew) without moving traffic: what a
 * planned handover rolled back after its promotion leaves to do.
 */
export type Operation = 'failover' | 'switchover' | 'failback' | 'rebuild';

/** What one block does. Kinds starting with `await-` or `verify-` only observe; the rest change the world once. */
export type BlockAction =
  | { readonly kind: 'set-traffic-dial'; readonly group: EndpointGroupRef; readonly percent: number }
  | { readonly kind: 'set-endpoint-weight'; readonly group: EndpointGroupRef; readonly weight: number }
  /** `ifExists`: an instance that is not there needs no fence (a stale database already gone). */
  | { readonly kind: 'set-write-fence'; readonly db: DbRef; readonly fenced: boolean; readonly ifExists?: boolean }
  | { readonly kind: 'promote-replica'; readonly db: DbRef; readonly backupRetentionDays?: number | undefined }
  | { readonly kind: 'set-capacity'; readonly asg: AsgRef; readonly capacity: CapacitySetting }
  /**
   * Rename, and move to the region's retired parameter group (applied by `reboot-instance`). `instanceClass`: as deployed, for the cost it
   * keeps.
   */
  | { readonly kind: 'retire-instance'; readonly db: DbRef; readonly newIdentifier: string; readonly instanceClass?: string | undefined }
  /** Reboot `db` until `parameterGroupName` is in effect for it (`in-sync`); nothing to do when `db` is not there. */
  | { readonly kind: 'reboot-instance'; readonly db: DbRef; readonly parameterGroupName: string }
  | { readonly kind: 'create-replica'; readonly db: DbRef; readonly source: DbRef }
  | { readonly kind: 'set-backup-retention'; readonly db: DbRef; readonly days: number }
  | { readonly kind: 'await-writable'; readonly db: DbRef }
  | { readonly kind: 'await-healthy'; readonly asg: AsgRef; readonly count: number }
  | { readonly kind: 'await-replica-sync'; readonly db: DbRef; readonly maxLagSeconds: number }
  /** Wait until the group takes no new connections and `seconds` have passed for established ones to finish. */
  | { readonly kind: 'await-drain'; readonly group: EndpointGroupRef; readonly seconds: number }
  | { readonly kind: 'verify-serving'; readonly group: EndpointGroupRef; readonly url: string }
  /**
   * Wait until the impairment has lasted `confirmSeconds` from its estimated start, reading the
   * detector's signals each time: done when a fresh look then still finds the primary failing;
   * impossible as soon as a fresh up from an independent vantage point shows it recovered. Its
   * look stays good for `freshSeconds`: a later block that would act before the point of no
   * return (a run resumed after a crash, a slow step) sends the run back to confirm again.
   */
  | { readonly kind: 'await-impairment'; readonly region: string; readonly confirmSeconds: number; readonly freshSeconds: number }
  /**
   * Aurora tier: `FailoverGlobalCluster` with `AllowDataLoss` to `target` (its instance `db`), or
   * `SwitchoverGlobalCluster` (no data loss). Done once `target` is the writer and nothing is in
   * progress.
   */
  | { readonly kind: 'failover-global-cluster'; readonly globalClusterIdentifier: string; readonly target: ClusterRef; readonly db: DbRef }
  | {
      readonly kind: 'switchover-global-cluster';
      readonly globalClusterIdentifier: string;
      readonly target: ClusterRef;
      readonly db: DbRef;
    }
  /**
   * Aurora tier: wait until `cluster` (the old primary) is a secondary of the global database
   * again, synchronized, with its instance `db` available: AWS re-adds a recovered old primary by
   * itself, on a new storage volume.
   */
  | { readonly kind: 'await-rejoined'; readonly globalClusterIdentifier: string; readonly cluster: ClusterRef; readonly db: DbRef }
  /**
   * Aurora tier: copy the snapshot Aurora took of `cluster`'s old volume before re-adding it (a
   * system snapshot, deleted with the automated backups) to the manual snapshot `copyIdentifier`:
   * the writes a failover lost are in it. Nothing to do when Aurora took none.
   */
  | { readonly kind: 'keep-failover-snapshot'; readonly cluster: ClusterRef; readonly copyIdentifier: string };

/** The kinds of block that change the world. */
export type MutatingKind = Exclude<BlockAction['kind'], `await-${string}` | `verify-${string}`>;

/** Every mutating block kind, once (a kind left out, or one that is not mutating, does not compile). */
const MUTATING_KINDS: ReadonlySet<string> = new Set(
  Object.keys({
    'set-traffic-dial': true,
    'set-endpoint-weight': true,
    'set-write-fence': true,
    'promote-replica': true,
    'set-capacity': true,
    'retire-instance': true,
    'reboot-instance': true,
    'create-replica': true,
    'set-backup-retention': true,
    'failover-global-cluster': true,
    'switchover-global-cluster': true,
    'keep-failover-snapshot': true,
  } satisfies Record<MutatingKind, true>),
);

/**
 * Mutating calls whose effect a describe shows as soon as the call returns: Global Accelerator's
 * weights and dials, an Auto Scaling group's capacity, a parameter group's setting. Repeating one
 * that shows no effect is harmless (it sets an absolute value) and is done at once. The others
 * (a promotion, a rename, a reboot, a replica's creation, a backup setting) can show the old
 * state for a while after the call returns — the waiter race documented for ModifyDBInstance
 * and seen after PromoteReadReplica — so they are repeated only after `settleMs`.
 */
const SHOWS_AT_ONCE: ReadonlySet<BlockAction['kind']> = new Set([
  'set-endpoint-weight',
  'set-traffic-dial',
  'set-capacity',
  'set-write-fence',
]);

/** True when a call's effect shows at once (see above); false when it may lag. */
export const showsAtOnce = (action: BlockAction): boolean => SHOWS_AT_ONCE.has(action.kind);

/** True for blocks that change the world (as opposed to waits and checks). */
export function isMutating(action: BlockAction): action is Extract<BlockAction, { kind: MutatingKind }> {
  return MUTATING_KINDS.has(action.kind);
}

/**
 * What happens to a block's change when a run is rolled back before its point of no return:
 * `restore` sets back the value seen before the block first acted; `keep` leaves the change,
 * for the reason given (it is where the next operation starts from, or it cannot be undone).
 */
export type Undo = 'restore' | { readonly keep: string };

/** One unit of work, run in parallel with the other blocks of its step. */
export interface PlanBlock {
  /** Unique within the plan, such as `promote-replica`. */
  readonly id: string;
  /** What it does, for people. */
  readonly description: string;
  readonly action: BlockAction;
  /** The block fails when it is not done this long (wall time, crashes included) after it started. */
  readonly timeoutSeconds: number;
  /** How a rollback treats the block's change. */
  readonly undo: Undo;
  /**
   * Best effort: failing never fails the run, and the step does not wait for it once its other
   * blocks are done (it is then `skipped`, and what it was for is left to the controller).
   */
  readonly bestEffort?: boolean;
  /** Acting on this block is the run's point of no return: before it a failed run is rolled back, after it never. */
  readonly commits?: boolean;
  /**
   * With `commits`: the point of no return is passed once the block's effect is seen, not when
   * its call is accepted — for a call AWS may cancel or fail after accepting it, putting
   * everything back as it was (a global database switchover). A call that was accepted and shows
   * no effect once the settle time has passed fails the block, so the run is rolled back.
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html (a cancelled switchover returns both clusters to their previous states)
   */
  readonly commitsWhenSeen?: boolean;
  /**
   * The block acts only once the run is past its point of no return, and its timeout counts from
   * then: the old primary is fenced as soon as the promotion is accepted, never before.
   */
  readonly afterCommit?: boolean;
  /**
   * The block acts no sooner than this long after it started (and its timeout counts from then):
   * established connections to the old region finish before its writes are fenced.
   */
  readonly delaySeconds?: number;
}

/** A moment a run is measured by. */
export type Milestone =
  /** Users lose the serving region here (a planned handover's drain); a failover's outage starts with the impairment. */
  | 'outage-start'
  /** The end of this step is the moment the new region is verified serving. */
  | 'serving';

/** Blocks that run in parallel; the next step starts when all are done. */
export interface PlanStep {
  readonly id: string;
  readonly name: string;
  readonly blocks: readonly PlanBlock[];
  readonly milestone?: Milestone | undefined;
}

/** A plan: steps in sequence, each step one or more blocks in parallel (the shape of AWS ARC Region switch). */
export interface Plan {
  readonly operation: Operation;
  /** The region that serves traffic before the run. */
  readonly from: RegionRole;
  /** The region that serves traffic after the run (the same as `from` for a rebuild). */
  readonly to: RegionRole;
  readonly fromRegion: string;
  readonly toRegion: string;
  readonly steps: readonly PlanStep[];
}

/** A block whose action is of one kind. */
export type BlockOf<K extends BlockAction['kind']> = PlanBlock & { readonly action: Extract<BlockAction, { kind: K }> };

/** The blocks of a plan whose action is of `kind`, in plan order. */
export function blocksOf<K extends BlockAction['kind']>(plan: Plan, kind: K): BlockOf<K>[] {
  return plan.steps.flatMap((s) => s.blocks).filter((b): b is BlockOf<K> => b.action.kind === kind);
}

/** The actions of a plan of `kind`, in plan order. */
export const actionsOf = <K extends BlockAction['kind']>(plan: Plan, kind: K): Extract<BlockAction, { kind: K }>[] =>
  blocksOf(plan, kind).map((b) => b.action);
