/**
 * The Aurora global database tier's blocks and step sequences. The compute and traffic steps are
 * the RDS tier's; what differs is the data: a managed `FailoverGlobalCluster` (with
 * `AllowDataLoss`) instead of a replica's promotion, `SwitchoverGlobalCluster` for a planned
 * handover (Aurora waits for the secondary to have every write and makes the old primary a
 * secondary), and a failback that switches back once AWS has re-added the old primary.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html
 */
import type { AuroraGlobalTier } from '../config/data-tier.js';
import type { DrConfig, RegionResources } from '../config/schema.js';
import type { ClusterRef } from '../ports.js';
import {
  awaitHealthy,
  awaitWritable,
  block,
  containCapacity,
  fenceWrites,
  KEEP_AFTER_COMMIT,
  liftFence,
  scaleUp,
  shiftTraffic,
  verify,
} from './blocks.js';
import { asgRef, dbRef } from './refs.js';
import type { PlanBlock, PlanStep, Undo } from './types.js';
import { drainSteps } from './shared-steps.js';

/** The Aurora tier of a configuration, or undefined on the RDS tier. */
export const auroraTier = (config: DrConfig): AuroraGlobalTier | undefined =>
  config.database.tier === 'aurora-global' ? config.database : undefined;

/** The Aurora cluster of a region as a port reference (validation guarantees it on the Aurora tier). */
export const clusterRef = (r: RegionResources): ClusterRef => ({ region: r.region, dbClusterIdentifier: r.dbClusterIdentifier ?? '' });

const clusterName = (r: RegionResources) => `${r.dbClusterIdentifier ?? r.dbInstanceIdentifier} in ${r.region}`;

/** The point of no return of an unplanned failover: Aurora's managed failover to `dst`, losing what `dst` had not received. */
export function failoverGlobal(config: DrConfig, tier: AuroraGlobalTier, dst: RegionResources): PlanBlock {
  return block(
    'failover-global-cluster',
    `Fail ${tier.globalClusterIdentifier} over to ${clusterName(dst)} (FailoverGlobalCluster, AllowDataLoss)`,
    { kind: 'failover-global-cluster', globalClusterIdentifier: tier.globalClusterIdentifier, target: clusterRef(dst), db: dbRef(dst) },
    config.timeouts.promotionSeconds,
    KEEP_AFTER_COMMIT,
    { commits: true },
  );
}

/**
 * A planned handover from `src` to `dst` with no data loss: stop new connections to `src`, let
 * established ones finish, fence `src`'s writes (and lift any fence on `dst`, a secondary, so it
 * is writable once it is the writer), then `SwitchoverGlobalCluster`: the point of no return.
 * Until it `src` holds every write, so a failure gives the service back to `src`.
 */
export function globalHandover(config: DrConfig, tier: AuroraGlobalTier, src: RegionResources, dst: RegionResources): PlanStep[] {
  const t = config.timeouts;
  return [
    ...drainSteps(config, src),
    {
      id: 'fence-writes',
      name: `Fence writes on ${clusterName(src)}; no fence on ${clusterName(dst)}`,
      blocks: [fenceWrites('fence-writes', src, t.actionSeconds, 'restore'), liftFence('lift-fence', dst, t.actionSeconds, 'restore')],
    },
    {
      id: 'commit',
      name: `Switch ${tier.globalClusterIdentifier} over to ${clusterName(dst)} (the point of no return)`,
      blocks: [
        block(
          'switchover-global-cluster',
          `Switch ${tier.globalClusterIdentifier} over to ${clusterName(dst)} (SwitchoverGlobalCluster: it waits for every write, loses none)`,
          {
            kind: 'switchover-global-cluster',
            globalClusterIdentifier: tier.globalClusterIdentifier,
            target: clusterRef(dst),
            db: dbRef(dst),
          },
          t.replicaSyncSeconds + t.promotionSeconds,
          KEEP_AFTER_COMMIT,
          // AWS may cancel a switchover it accepted, returning both clusters as they were: the
          // writer moving, not the call, is the point of no return.
          { commits: true, commitsWhenSeen: true },
        ),
      ],
    },
    { id: 'await-writable', name: 'Wait until writable', blocks: [awaitWritable(config, dst)] },
    shiftTraffic(config, dst),
    verify(config, dst),
  ];
}

/**
 * What a region that stopped serving keeps as the pilot light after a handover: capacity 0 and
 * no write fence left on its cluster (now a secondary, read-only by Aurora), so the next
 * switchover to it finds it writable.
 */
function darkSteps(config: DrConfig, dark: RegionResources, keep: Undo): PlanStep {
  const t = config.timeouts;
  return {
    id: 'contain',
    name: `Take ${dark.region} to zero capacity; its cluster rests as a secondary without a fence`,
    blocks: [containCapacity(config, dark), liftFence('lift-old-fence', dark, t.actionSeconds, keep)],
  };
}

/** A switchover on the Aurora tier. */
export function auroraSwitchoverSteps(config: DrConfig, tier: AuroraGlobalTier, src: RegionResources, dst: RegionResources): PlanStep[] {
  return [
    { id: 'scale', name: `Scale ${dst.region}`, blocks: [scaleUp(config, dst)] },
    { id: 'await-capacity', name: `Wait for healthy capacity in ${dst.region}`, blocks: [awaitHealthy(config, dst)] },
    ...globalHandover(config, tier, src, dst),
    darkSteps(config, src, KEEP_AFTER_COMMIT),
  ];
}

/** Waits until AWS has re-added `r`'s cluster (the old primary) as a synchronized secondary. */
const awaitRejoined = (config: DrConfig, tier: AuroraGlobalTier, r: RegionResources): PlanBlock =>
  block(
    'await-rejoined',
    `Wait until ${clusterName(r)} is a synchronized secondary of ${tier.globalClusterIdentifier} again (AWS re-adds a recovered old primary on a new volume)`,
    { kind: 'await-rejoined', globalClusterIdentifier: tier.globalClusterIdentifier, cluster: clusterRef(r), db: dbRef(r) },
    config.timeouts.replicaCreateSeconds,
    { keep: 'it only reads the global database' },
  );

/**
 * The manual snapshot a run tagged `runTag` keeps the old volume of `dbClusterIdentifier` as:
 * `<cluster>-lost-writes-<tag>` (a cluster snapshot identifier: letters, digits, single hyphens).
 */
export function lostWritesSnapshotIdentifier(dbClusterIdentifier: string, runTag: string): string {
  const tag =
    runTag
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '')
      .slice(-12) || 'run';
  return `${dbClusterIdentifier}-lost-writes-${tag}`;
}

/** Keeps the snapshot Aurora took of `r`'s old volume (the writes the failover lost) as a manual snapshot named for the run. */
const keepFailoverSnapshot = (config: DrConfig, r: RegionResources, runTag: string): PlanBlock => {
  const copyIdentifier = lostWritesSnapshotIdentifier(r.dbClusterIdentifier ?? r.dbInstanceIdentifier, runTag);
  return block(
    'keep-failover-snapshot',
    `Keep the snapshot of ${clusterName(r)}'s old volume as ${copyIdentifier} (Aurora's own copy goes with the automated backups)`,
    { kind: 'keep-failover-snapshot', cluster: clusterRef(r), copyIdentifier },
    config.timeouts.replicaCreateSeconds,
    { keep: 'the lost writes are kept for reconciliation' },
  );
};

/**
 * A failback on the Aurora tier, from `src` (serving since a failover) to `home`: wait until AWS
 * has re-added home's cluster as a secondary, keep the snapshot of its old volume, scale home,
 * then switch over back. The pilot light is the cluster `src` leaves as a secondary.
 */
export function auroraFailbackSteps(
  config: DrConfig,
  tier: AuroraGlobalTier,
  src: RegionResources,
  home: RegionResources,
  runTag: string,
): PlanStep[] {
  return [
    {
      id: 'await-rejoined',
      name: `Wait for ${clusterName(home)} to rejoin ${tier.globalClusterIdentifier}, and scale ${home.region}`,
      blocks: [awaitRejoined(config, tier, home), scaleUp(config, home)],
    },
    {
      id: 'await-capacity',
      name: `Wait for healthy capacity in ${home.region}; keep the old volume's snapshot`,
      blocks: [awaitHealthy(config, home), keepFailoverSnapshot(config, home, runTag)],
    },
    ...globalHandover(config, tier, src, home),
    darkSteps(config, src, KEEP_AFTER_COMMIT),
  ];
}

/**
 * Rebuild on the Aurora tier: the dark region's pilot light is its cluster as a synchronized
 * secondary, capacity 0 and no fence. AWS rebuilds a recovered old primary by itself; this waits
 * for it, keeps the old volume's snapshot, and puts the region's compute and fence to rest.
 */
export function auroraRebuildSteps(config: DrConfig, tier: AuroraGlobalTier, dark: RegionResources, runTag: string): PlanStep[] {
  const t = config.timeouts;
  const keep = { keep: 'the pilot light is rebuilt forward: the next attempt starts from here' };
  return [
    {
      id: 'await-rejoined',
      name: `Wait for ${clusterName(dark)} to rejoin ${tier.globalClusterIdentifier}, and take ${dark.region} to zero capacity`,
      blocks: [
        awaitRejoined(config, tier, dark),
        block(
          'scale-down',
          `Scale ${dark.autoScalingGroupName} in ${dark.region} to 0 (max ${dark.capacity.max})`,
          { kind: 'set-capacity', asg: asgRef(dark), capacity: { min: 0, desired: 0, max: dark.capacity.max } },
          t.actionSeconds,
          keep,
        ),
      ],
    },
    {
      id: 'configure-pilot-light',
      name: `Keep the old volume's snapshot; lift the write fence in ${dark.region}`,
      blocks: [keepFailoverSnapshot(config, dark, runTag), liftFence('lift-dr-fence', dark, t.actionSeconds, keep)],
    },
  ];
}
