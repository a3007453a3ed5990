/**
 * Step sequences more than one operation takes: the handover of writes from one region to the
 * other (switchover, failback), retiring a database out of the way, and rebuilding the pilot
 * light (a new replica and its backups) in the region that no longer serves.
 */
import type { DrConfig, RegionResources } from '../config/schema.js';
import {
  fenceTraffic,
  block,
  liftFence,
  KEEP_AFTER_COMMIT,
  awaitWritable,
  shiftTraffic,
  verify,
  createReplica,
  backups,
  fenceWrites,
} from './blocks.js';
import { groupRef, dbRef, retiredIdentifier, asgRef } from './refs.js';
import type { PlanStep, Undo } from './types.js';

/**
 * A planned handover from `src` to `dst`, with no data loss: stop new connections to `src`, let
 * established ones finish, fence its writes, wait until `dst` has applied every write, promote
 * `dst` while its own fence keeps it read-only, and only then lift that fence: the point of no
 * return. Until it, `src` holds every write, so a failure gives the service back to `src`.
 */
export function handover(config: DrConfig, src: RegionResources, dst: RegionResources): PlanStep[] {
  const t = config.timeouts;
  return [
    ...drainSteps(config, src),
    {
      id: 'fence-writes',
      name: `Fence writes on ${src.dbInstanceIdentifier}, and on ${dst.dbInstanceIdentifier} once promoted`,
      blocks: [
        fenceWrites('fence-writes', src, t.actionSeconds, 'restore'),
        block(
          'fence-target',
          `Keep ${dst.dbInstanceIdentifier} read-only after its promotion (read_only 1 in ${dst.dbParameterGroupName})`,
          { kind: 'set-write-fence', db: dbRef(dst), fenced: true },
          t.actionSeconds,
          {
            keep: 'a replica is read-only either way, and a promoted one must stay fenced',
          },
        ),
      ],
    },
    {
      id: 'sync',
      name: 'Wait for zero replica lag',
      blocks: [
        block(
          'await-sync',
          `Wait until ${dst.dbInstanceIdentifier} has applied every write`,
          { kind: 'await-replica-sync', db: dbRef(dst), maxLagSeconds: 0 },
          t.replicaSyncSeconds,
          'restore',
        ),
      ],
    },
    {
      id: 'promote',
      name: `Promote ${dst.dbInstanceIdentifier} (it stays read-only)`,
      blocks: [
        block(
          'promote-replica',
          `Promote ${dst.dbInstanceIdentifier} in ${dst.region}`,
          { kind: 'promote-replica', db: dbRef(dst), backupRetentionDays: dst.dbSettings?.backupRetentionDays },
          t.promotionSeconds,
          {
            keep: `a promotion cannot be undone: ${dst.dbInstanceIdentifier} stays fenced, and the pilot light is rebuilt with dr rebuild`,
          },
        ),
      ],
    },
    {
      id: 'commit',
      name: `Lift the fence of ${dst.dbInstanceIdentifier} (the point of no return)`,
      blocks: [liftFence('lift-fence', dst, t.actionSeconds, KEEP_AFTER_COMMIT, { commits: true })],
    },
    { id: 'await-writable', name: 'Wait until writable', blocks: [awaitWritable(config, dst)] },
    shiftTraffic(config, dst),
    verify(config, dst),
  ];
}

/**
 * The start of every planned handover: stop new connections to `src` (users lose it here) and let
 * established ones finish for `drainSeconds` before its writes are fenced.
 */
export function drainSteps(config: DrConfig, src: RegionResources): PlanStep[] {
  const t = config.timeouts;
  return [
    { id: 'drain', name: `Drain ${src.region}`, milestone: 'outage-start', blocks: fenceTraffic(config, src) },
    {
      id: 'await-drain',
      name: `Let ${src.region}'s established connections finish (${t.drainSeconds} s)`,
      blocks: [
        block(
          'await-drain',
          `Wait ${t.drainSeconds} s after ${src.region} takes no new connections`,
          { kind: 'await-drain', group: groupRef(src), seconds: t.drainSeconds },
          t.drainSeconds + t.actionSeconds,
          'restore',
        ),
      ],
    },
  ];
}

/** Fence, rename and move into the retired parameter group the database of `r` (stale, or promoted and left). */
export function retireSteps(config: DrConfig, r: RegionResources, which: 'stale' | 'promoted', runTag: string, undo: Undo): PlanStep[] {
  const t = config.timeouts;
  const retired = retiredIdentifier(r.dbInstanceIdentifier, runTag);
  const group = r.retiredDbParameterGroupName ?? '';
  return [
    {
      id: `fence-${which}`,
      name: `Fence writes on the ${which} database in ${r.region}`,
      blocks: [
        block(
          `fence-${which}-db`,
          `Make ${r.dbInstanceIdentifier} in ${r.region} read-only, if it is there`,
          { kind: 'set-write-fence', db: dbRef(r), fenced: true, ifExists: true },
          t.actionSeconds,
          undo,
        ),
      ],
    },
    {
      id: `retire-${which}`,
      name: `Retire the ${which} database in ${r.region}`,
      blocks: [
        block(
          `retire-${which}-db`,
          `Rename ${r.dbInstanceIdentifier} in ${r.region} to ${retired} (kept for reconciliation) and move it to ${group}`,
          { kind: 'retire-instance', db: dbRef(r), newIdentifier: retired, instanceClass: r.dbSettings?.instanceClass },
          t.promotionSeconds,
          undo,
        ),
      ],
    },
    {
      id: `reboot-${which}`,
      name: `Reboot ${retired} into ${group}`,
      blocks: [
        block(
          `reboot-${which}-db`,
          `Reboot ${retired} so ${group} (read_only 1) takes effect`,
          { kind: 'reboot-instance', db: dbRef(r, retired), parameterGroupName: group },
          t.promotionSeconds,
          undo,
        ),
      ],
    },
  ];
}

/**
 * Rebuild the pilot light in `dark` from `source`: retire the database there (the promoted one
 * a failback leaves, or a broken one), take its capacity to 0, replicate anew as deployed, turn
 * on backups, and lift the fence so the replica rests at `{TrueIfReplica}`.
 */
export function pilotLightSteps(
  config: DrConfig,
  dark: RegionResources,
  source: RegionResources,
  which: 'stale' | 'promoted',
  runTag: string,
  standalone = false,
): PlanStep[] {
  const t = config.timeouts;
  const keep = { keep: 'the pilot light is rebuilt forward: the next attempt starts from here' };
  const [fence, retire, reboot] = retireSteps(config, dark, which, runTag, keep);
  return [
    ...(standalone && fence ? [fence] : []),
    {
      ...retire!,
      blocks: [
        ...retire!.blocks,
        block(
          'scale-down',
          `Scale ${dark.autoScalingGroupName} in ${dark.region} to 0 (max ${dark.capacity.max})`,
          { kind: 'set-capacity', asg: asgRef(dark), capacity: { min: 0, desired: 0, max: dark.capacity.max } },
          t.actionSeconds,
          keep,
        ),
      ],
    },
    // The retired instance leaves the region's group at its reboot; the fence is lifted only after.
    {
      id: 'restore-pilot-light',
      name: `Recreate the replica in ${dark.region}`,
      blocks: [createReplica(config, dark, source, 'create-dr-replica'), ...reboot!.blocks],
    },
    { id: 'configure-pilot-light', name: `Turn on backups of ${dark.dbInstanceIdentifier}`, blocks: [backups(config, dark, 'dr-backups')] },
    {
      id: 'lift-dr-fence',
      name: `Lift the write fence in ${dark.region}`,
      blocks: [liftFence('lift-dr-fence', dark, t.actionSeconds, keep)],
    },
  ];
}
