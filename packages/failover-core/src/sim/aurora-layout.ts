/**
 * Where a world on the Aurora tier starts: the global database's two clusters, each with its one
 * instance and its cluster parameter group, and, in the `failed-over` layout, the failover that
 * happened before the drill, its old primary's region back at the start (so it is being rebuilt
 * as a secondary while the drill runs).
 */
import type { DrConfig, RegionResources, RegionRole } from '../config/schema.js';
import type { Faults } from './faults.js';
import { deployedSettings } from './layout.js';
import { SimAurora, type AuroraEnvironment, type SimCluster } from './sim-aurora.js';
import type { SimWorld } from './world.js';

/** Adds `r`'s cluster and its instance, created long ago. */
function addCluster(world: SimWorld, aurora: SimAurora, r: RegionResources, longAgo: number): SimCluster {
  world.rds.addGroup(r.region, r.dbParameterGroupName);
  const clusterKey = aurora.clusters.length + 1;
  const instance = world.rds.addDb({
    region: r.region,
    id: r.dbInstanceIdentifier,
    // Aurora instances take their role from the global membership (SimAurora), not from here.
    role: 'primary',
    createdAt: longAgo,
    availableAt: longAgo,
    group: r.dbParameterGroupName,
    settings: deployedSettings(r),
    backupDays: r.dbSettings?.backupRetentionDays ?? 7,
    clusterKey,
  });
  return aurora.addCluster({
    region: r.region,
    id: r.dbClusterIdentifier ?? r.dbInstanceIdentifier,
    parameterGroup: r.dbClusterParameterGroupName ?? `${r.dbClusterIdentifier ?? r.dbInstanceIdentifier}-cluster-params`,
    instance,
    backupDays: r.dbSettings?.backupRetentionDays ?? 7,
  });
}

/**
 * Lays out the global database: the primary cluster the writer; in `failed-over`, a failover to the
 * secondary an hour before the start whose old primary was contained (fenced) and whose region came
 * back at the start, so AWS is re-adding it on a new volume as the drill begins.
 */
export function buildAuroraLayout(world: SimWorld, aurora: SimAurora, serving: RegionRole, longAgo: number): void {
  const { primary, secondary } = world.config;
  const home = addCluster(world, aurora, primary, longAgo);
  const dr = addCluster(world, aurora, secondary, longAgo);
  if (serving === 'primary') return;
  const failedAt = world.startAt - 3_600_000;
  aurora.operations.push({
    kind: 'failover',
    from: home,
    to: dr,
    requestedAt: failedAt,
    shownAt: failedAt,
    activeAt: failedAt,
    plannedEndAt: failedAt + 1,
    failsByFault: false,
    dnsMs: 0,
    snapshotMs: world.draw('layout-snapshot', world.latency.clusterSnapshotMs),
    rejoinMs: world.draw('layout-rejoin', world.latency.globalRejoinMs),
    returnedAt: world.startAt,
  });
  const group = aurora.parameters.group(home.region, home.parameterGroup);
  if (group) aurora.parameters.set(group, 'on', failedAt + 2);
}

/**
 * The global database of a world whose config is on the Aurora tier (undefined on the RDS tier).
 * `faults` reads the faults in force when asked, since a drill adds them as it goes.
 */
export function auroraOf(config: DrConfig, world: Omit<AuroraEnvironment, 'faults'>, faults: () => Faults): SimAurora | undefined {
  const tier = config.database;
  if (tier.tier !== 'aurora-global') return undefined;
  return new SimAurora(tier.globalClusterIdentifier, tier.engineVersion, {
    rds: world.rds,
    latency: world.latency,
    draw: (label, range) => world.draw(label, range),
    regionUp: (region, t) => world.regionUp(region, t),
    faults,
  });
}
