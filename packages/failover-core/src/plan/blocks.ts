/**
 * The blocks plans are made of: one change or one wait each, with its timeout and what a
 * rollback does with it. Named for what they do to a region (fence its traffic, scale it up,
 * lift its write fence), so the step lists in `build-plan.ts` read as the runbook.
 */
import type { DrConfig, RegionResources } from '../config/schema.js';
import { ACTIVE_ENDPOINT_WEIGHT, asgRef, dbRef, groupRef } from './refs.js';
import type { Undo, PlanBlock, PlanStep } from './types.js';

/** The undo of the point of no return and what follows it: none, since a run rolls back only before that point. */
export const KEEP_AFTER_COMMIT: Undo = { keep: 'past the point of no return' };

/** A block: its id, what it does (as the runbook says it), its action, timeout and undo. */
export const block = (
  id: string,
  description: string,
  action: PlanBlock['action'],
  timeoutSeconds: number,
  undo: Undo,
  extra: Partial<Pick<PlanBlock, 'bestEffort' | 'commits' | 'commitsWhenSeen' | 'afterCommit' | 'delaySeconds'>> = {},
): PlanBlock => ({
  id,
  description,
  action,
  timeoutSeconds,
  undo,
  ...extra,
});

/** Takes `r` out of Global Accelerator's routing: weight 0 (which failover honours) and dial 0, both restored on a rollback. */
export function fenceTraffic(config: DrConfig, r: RegionResources): PlanBlock[] {
  const t = config.timeouts;
  return [
    block(
      'fence-weight',
      `Set ${r.region} endpoint weight to 0 so no traffic reaches it, failover included`,
      { kind: 'set-endpoint-weight', group: groupRef(r), weight: 0 },
      t.actionSeconds,
      'restore',
    ),
    block(
      'fence-dial',
      `Set ${r.region} traffic dial to 0%`,
      { kind: 'set-traffic-dial', group: groupRef(r), percent: 0 },
      t.actionSeconds,
      'restore',
    ),
  ];
}

/** Scales `r`'s Auto Scaling group to its configured capacity; restored on a rollback. */
export const scaleUp = (config: DrConfig, r: RegionResources): PlanBlock =>
  block(
    'scale-compute',
    `Scale ${r.autoScalingGroupName} in ${r.region} to ${r.capacity.desired} (min ${r.capacity.min}, max ${r.capacity.max})`,
    { kind: 'set-capacity', asg: asgRef(r), capacity: r.capacity },
    config.timeouts.actionSeconds,
    'restore',
  );

/** Waits until `r`'s target group counts its desired number of healthy targets. */
export const awaitHealthy = (config: DrConfig, r: RegionResources): PlanBlock =>
  block(
    'await-healthy',
    `Wait for ${r.capacity.desired} healthy targets in ${r.region}`,
    { kind: 'await-healthy', asg: asgRef(r), count: r.capacity.desired },
    config.timeouts.healthySeconds,
    KEEP_AFTER_COMMIT,
  );

/** Waits until `r`'s database accepts writes. */
export const awaitWritable = (config: DrConfig, r: RegionResources): PlanBlock =>
  block(
    'await-writable',
    `Wait until ${r.dbInstanceIdentifier} accepts writes`,
    { kind: 'await-writable', db: dbRef(r) },
    config.timeouts.promotionSeconds,
    KEEP_AFTER_COMMIT,
  );

/** Where `r`'s writes are fenced: its Aurora cluster's parameter group on the Aurora tier, its DB parameter group otherwise. */
export const fenceGroup = (r: RegionResources): string => r.dbClusterParameterGroupName ?? r.dbParameterGroupName;

/**
 * The `read_only` a lifted fence rests at: RDS MySQL's replica-aware default, or the Aurora engine
 * default (a secondary cluster is read-only regardless).
 */
const restingReadOnly = (r: RegionResources): string => (r.dbClusterParameterGroupName ? 'its default' : '{TrueIfReplica}');

/** Fences `r`'s writes: `read_only` 1 in the group its writes are fenced in ({@link fenceGroup}). */
export const fenceWrites = (id: string, r: RegionResources, timeoutSeconds: number, undo: Undo): PlanBlock =>
  block(
    id,
    `Make ${r.dbInstanceIdentifier} read-only (read_only 1 in ${fenceGroup(r)})`,
    { kind: 'set-write-fence', db: dbRef(r), fenced: true },
    timeoutSeconds,
    undo,
  );

/** Lifts the write fence on `r`'s database parameter group (`read_only` back to `{TrueIfReplica}`). */
export const liftFence = (
  id: string,
  r: RegionResources,
  timeoutSeconds: number,
  undo: Undo,
  extra: Partial<Pick<PlanBlock, 'commits'>> = {},
): PlanBlock =>
  block(
    id,
    `Lift the write fence of ${r.dbInstanceIdentifier}: reset read_only in ${fenceGroup(r)} to ${restingReadOnly(r)}`,
    { kind: 'set-write-fence', db: dbRef(r), fenced: false },
    timeoutSeconds,
    undo,
    extra,
  );

/**
 * Best effort, after the point of no return: the old primary must not take writes beside the new
 * one. It waits the drain time first, so connections still on the old region finish against a
 * writable database; the new one is not writable for minutes yet (the promotion).
 */
export const containWrites = (config: DrConfig, r: RegionResources): PlanBlock =>
  block(
    'contain-writes',
    `Fence writes on ${r.dbInstanceIdentifier} in ${r.region} when its region answers (read_only 1 in ${fenceGroup(r)}), ${config.timeouts.drainSeconds} s after its traffic stopped`,
    { kind: 'set-write-fence', db: dbRef(r), fenced: true, ifExists: true },
    config.timeouts.containmentSeconds,
    KEEP_AFTER_COMMIT,
    {
      bestEffort: true,
      afterCommit: true,
      delaySeconds: config.timeouts.drainSeconds,
    },
  );

/** Best effort: takes `r`'s Auto Scaling group to zero when its region answers (the region the run left). */
export const containCapacity = (config: DrConfig, r: RegionResources): PlanBlock =>
  block(
    'contain-capacity',
    `Scale ${r.autoScalingGroupName} in ${r.region} to 0 when its region answers`,
    { kind: 'set-capacity', asg: asgRef(r), capacity: { min: 0, desired: 0, max: r.capacity.max } },
    config.timeouts.containmentSeconds,
    KEEP_AFTER_COMMIT,
    { bestEffort: true },
  );

/** The step that sends users to `r`: its endpoint's weight to the active weight, its dial to 100 %. */
export function shiftTraffic(config: DrConfig, r: RegionResources): PlanStep {
  const t = config.timeouts;
  return {
    id: 'shift-traffic',
    name: `Shift traffic to ${r.region}`,
    blocks: [
      block(
        'open-weight',
        `Set ${r.region} endpoint weight to ${ACTIVE_ENDPOINT_WEIGHT}`,
        { kind: 'set-endpoint-weight', group: groupRef(r), weight: ACTIVE_ENDPOINT_WEIGHT },
        t.actionSeconds,
        KEEP_AFTER_COMMIT,
      ),
      block(
        'open-dial',
        `Set ${r.region} traffic dial to 100%`,
        { kind: 'set-traffic-dial', group: groupRef(r), percent: 100 },
        t.actionSeconds,
        KEEP_AFTER_COMMIT,
      ),
    ],
  };
}

/** The step that checks `r` serves: Global Accelerator healthy and the health URL answering. */
export const verify = (config: DrConfig, r: RegionResources): PlanStep => ({
  id: 'verify',
  name: `Verify ${r.region} serves`,
  milestone: 'serving',
  blocks: [
    block(
      'verify-serving',
      `Global Accelerator reports ${r.region} healthy and ${r.healthCheckUrl} answers`,
      { kind: 'verify-serving', group: groupRef(r), url: r.healthCheckUrl },
      config.timeouts.healthySeconds,
      KEEP_AFTER_COMMIT,
    ),
  ],
});

/** Creates `r`'s database as a replica of `source`'s, with `r`'s deployed settings. */
export const createReplica = (config: DrConfig, r: RegionResources, source: RegionResources, id: string): PlanBlock =>
  block(
    id,
    `Create replica ${r.dbInstanceIdentifier} in ${r.region} from ${source.dbInstanceIdentifier}, as deployed (${r.dbSettings?.instanceClass ?? 'the source class'}, ${r.dbParameterGroupName})`,
    { kind: 'create-replica', db: dbRef(r), source: dbRef(source) },
    config.timeouts.replicaCreateSeconds,
    {
      keep: 'a replica of the serving database is where the next attempt starts',
    },
  );

/** Sets `r`'s database's backup retention to its configured days. */
export const backups = (config: DrConfig, r: RegionResources, id: string): PlanBlock =>
  block(
    id,
    `Keep ${r.dbSettings?.backupRetentionDays ?? 0} days of automated backups of ${r.dbInstanceIdentifier} (a new replica has none)`,
    { kind: 'set-backup-retention', db: dbRef(r), days: r.dbSettings?.backupRetentionDays ?? 1 },
    config.timeouts.promotionSeconds,
    { keep: 'backups are part of the database as deployed' },
  );
