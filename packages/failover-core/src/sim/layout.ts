/**
 * Where a simulated world starts: who serves, what the pilot light looks like, and the settings
 * its databases were deployed with.
 */
import type { RegionResources, RegionRole } from '../config/schema.js';
import { DEFAULT_PARAMETER_GROUP, type SimDbSettings } from './sim-rds.js';
import type { SimAsg } from './compute-model.js';
import type { LatencyModel } from './latency.js';
import type { SimWorld } from './world.js';
import { buildAuroraLayout } from './aurora-layout.js';

/** Options of a {@link SimWorld}. */
export interface SimWorldOptions {
  /** Seed of every random draw. @default 1 */
  readonly seed?: number;
  /** Overrides of the default latency model. */
  readonly latency?: Partial<LatencyModel>;
  /** @default 'steady' */
  readonly layout?: Layout;
  /**
   * Routing of the pilot light's endpoint at the start. Ours is weight 0, dial 0; a topology
   * that lets Global Accelerator fail over by itself (as the original brief's did) has a weight.
   * @default { weight: 0, dialPercent: 0 }
   */
  readonly pilotLightEndpoint?: { readonly weight: number; readonly dialPercent: number };
  /**
   * The DR region's Auto Scaling group runs at its desired capacity from the start, its endpoint
   * still at weight 0: AWS's warm-standby strategy instead of a pilot light (compute paid for all
   * the time, no launch to wait for). Source: AWS whitepaper "Disaster Recovery of Workloads on AWS",
   * "Warm standby" (https://docs.aws.amazon.com/whitepapers/latest/disaster-recovery-workloads-on-aws/disaster-recovery-options-in-the-cloud.html).
   * @default false
   */
  readonly warmStandby?: boolean;
}

/** Where the world starts. */
export type Layout =
  /** Primary serves; the secondary is a pilot light (replica, ASG at 0, endpoint weight 0). */
  | 'steady'
  /**
   * A failover has happened and was contained: the secondary serves; the primary region is back
   * with a stale database, fenced, and no capacity.
   */
  | 'failed-over';

/** The settings a database of `r` was deployed with (the DR config's), with the constructs' defaults. */
export function deployedSettings(r: RegionResources): SimDbSettings {
  const s = r.dbSettings;
  return {
    ...s,
    storageEncrypted: s?.storageEncrypted ?? true,
    copyTagsToSnapshot: s?.copyTagsToSnapshot ?? true,
    tags: s?.tags ?? {},
    allocatedStorageGiB: 20,
  };
}

/**
 * Lays out the world's starting state: parameter groups in both regions, the databases (with
 * a day of history behind them), the Auto Scaling groups and the endpoint groups, as the
 * layout says who serves.
 */
export function buildLayout(
  world: SimWorld,
  layout: Layout,
  pilot: { readonly weight: number; readonly dialPercent: number },
  warmStandby = false,
): void {
  const longAgo = world.startAt - 86_400_000;
  const serving: RegionRole = layout === 'steady' ? 'primary' : 'secondary';
  if (world.aurora) buildAuroraLayout(world, world.aurora, serving, longAgo);
  else buildRdsLayout(world, serving, longAgo);
  buildCompute(world, serving, longAgo, pilot, warmStandby);
}

/** The RDS tier's databases: the primary and its cross-region replica, or a contained old primary after a failover. */
function buildRdsLayout(world: SimWorld, serving: RegionRole, longAgo: number): void {
  const { primary, secondary } = world.config;
  const layout = serving === 'primary' ? 'steady' : 'failed-over';
  for (const r of [primary, secondary]) {
    world.rds.addGroup(r.region, DEFAULT_PARAMETER_GROUP, 'default', true);
    world.rds.addGroup(r.region, r.dbParameterGroupName);
    if (r.retiredDbParameterGroupName) world.rds.addGroup(r.region, r.retiredDbParameterGroupName, 'on');
  }
  const servingR = world.config[serving];
  const servingDb = world.rds.addDb({
    region: servingR.region,
    id: servingR.dbInstanceIdentifier,
    role: 'primary',
    createdAt: longAgo,
    availableAt: longAgo,
    group: servingR.dbParameterGroupName,
    settings: deployedSettings(servingR),
    backupDays: servingR.dbSettings?.backupRetentionDays ?? 7,
  });
  if (layout === 'steady') {
    world.rds.addDb({
      region: secondary.region,
      id: secondary.dbInstanceIdentifier,
      role: 'replica',
      sourceKey: servingDb.key,
      createdAt: longAgo,
      availableAt: longAgo,
      group: secondary.dbParameterGroupName,
      settings: deployedSettings(secondary),
      backupDays: secondary.dbSettings?.backupRetentionDays ?? 7,
    });
  } else {
    // The old primary came back after the outage and was contained: a standalone instance
    // with stale data, fenced through its own group.
    world.rds.addDb({
      region: primary.region,
      id: primary.dbInstanceIdentifier,
      role: 'primary',
      createdAt: longAgo,
      availableAt: longAgo,
      group: primary.dbParameterGroupName,
      settings: deployedSettings(primary),
      backupDays: primary.dbSettings?.backupRetentionDays ?? 7,
    });
    const group = world.rds.group(primary.region, primary.dbParameterGroupName);
    if (group) world.rds.setReadOnly(group, 'on', longAgo);
  }
}

/** The Auto Scaling groups and endpoint groups: the serving region at its capacity and weight, the other a pilot light. */
function buildCompute(
  world: SimWorld,
  serving: RegionRole,
  longAgo: number,
  pilot: { readonly weight: number; readonly dialPercent: number },
  warmStandby: boolean,
): void {
  for (const role of ['primary', 'secondary'] as const) {
    const r = world.config[role];
    const active = role === serving;
    const running = active || warmStandby;
    const asg: SimAsg = {
      region: r.region,
      name: r.autoScalingGroupName,
      min: running ? r.capacity.min : 0,
      desired: running ? r.capacity.desired : 0,
      max: r.capacity.max,
      instances: [],
      losses: new Set(),
    };
    world.asgs.set(r.region, asg);
    if (running) world.launch(asg, longAgo, r.capacity.desired);
    world.groups.set(r.region, {
      region: r.region,
      dial: [{ at: longAgo, value: active ? 100 : pilot.dialPercent }],
      // The pilot light's endpoint has weight 0: Global Accelerator ignores the dial on
      // failover, so only weight 0 keeps traffic off a region whose database is read-only.
      weight: [{ at: longAgo, value: active ? 128 : pilot.weight }],
    });
  }
}
