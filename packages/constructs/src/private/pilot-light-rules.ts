import { Token } from 'aws-cdk-lib';
import type { DataTierName } from '@dr/failover-core';
import { DataTier, type AuroraGlobalTierOptions } from '../data-tier.js';
import type { PilotLightProps, PilotLightRegion } from '../pilot-light-props.js';
import { auroraTierIssues, isGlobalDatabaseClass } from './aurora-shared.js';
import { notificationRules } from './notification-subscriptions.js';
import { cidrsOverlap, type PropRule } from './validate.js';
import { defaultAvailabilityZones, isZoneOf } from './zones.js';

/** The checks of a region's `availabilityZones`, naming the prop by its path (`primary.availabilityZones`). */
function zoneRules(side: 'primary' | 'secondary', r: PilotLightRegion): PropRule[] {
  const zones = r.availabilityZones ?? defaultAvailabilityZones(r.region);
  return [
    {
      failed: zones === undefined,
      message: `${side}.availabilityZones must be named for ${r.region}: its zone names differ between accounts, so there is no default`,
    },
    {
      failed: (zones ?? []).some((az) => !isZoneOf(az, r.region)),
      message: `${side}.availabilityZones must all be zones of ${side}.region ${r.region}; got ${(zones ?? []).join(', ')}`,
    },
    {
      failed: zones !== undefined && zones.length < 2,
      message: `${side}.availabilityZones must name at least two zones; got ${zones?.length}`,
    },
  ];
}

/** What {@link PilotLightProps} come to once their defaults are filled in. */
export interface ResolvedPilotLight {
  readonly app: string;
  readonly primary: PilotLightRegion;
  readonly secondary: PilotLightRegion;
  readonly capacity: { readonly min: number; readonly desired: number; readonly max: number };
  readonly path: string;
  readonly activeRegion: string;
  /** The data tier's name. */
  readonly tier: DataTierName;
  /** The Aurora tier, its defaults filled in; undefined on the RDS tier. */
  readonly aurora?: ResolvedAuroraTier;
}

/** The Aurora tier's options with their defaults, and each region's cluster. */
export interface ResolvedAuroraTier extends AuroraGlobalTierOptions {
  readonly globalClusterIdentifier: string;
  readonly primaryClusterIdentifier: string;
  readonly secondaryClusterIdentifier: string;
}

/**
 * The context key an operator sets to the tier an app is deployed with (`rds-replica` or
 * `aurora-global`): a `dataTier` that differs is refused at synth (see the README, "Data tier").
 */
export const DEPLOYED_DATA_TIER_CONTEXT = '@dr/constructs:deployedDataTier';

/** The props with their defaults (before validation: {@link pilotLightRules} checks them). */
export function resolvePilotLight(props: PilotLightProps): ResolvedPilotLight {
  const tier = props.dataTier ?? DataTier.rdsReplica();
  const aurora = tier.aurora && {
    ...tier.aurora,
    globalClusterIdentifier: tier.aurora.globalClusterIdentifier ?? `${props.app}-global`,
    primaryClusterIdentifier: props.primary.dbClusterIdentifier ?? `${props.primary.dbInstanceIdentifier}-cluster`,
    secondaryClusterIdentifier: props.secondary.dbClusterIdentifier ?? `${props.secondary.dbInstanceIdentifier}-cluster`,
  };
  return {
    tier: tier.name,
    aurora,
    app: props.app,
    primary: props.primary,
    secondary: props.secondary,
    capacity: props.capacity ?? { min: 2, desired: 2, max: 4 },
    path: props.healthCheckPath ?? '/ref',
    activeRegion: props.activeRegion ?? props.primary.region,
  };
}

/** The checks of the data tier, each naming the prop by its path; `deployedTier` is the recorded tier, if any. */
function dataTierRules(props: PilotLightProps, resolved: ResolvedPilotLight, deployedTier: unknown): PropRule[] {
  const { aurora, tier, secondary } = resolved;
  const rules: PropRule[] = [
    {
      failed: deployedTier !== undefined && deployedTier !== tier,
      message: `dataTier is ${tier} but this app is deployed with ${JSON.stringify(deployedTier)} (context ${DEPLOYED_DATA_TIER_CONTEXT}): a deploy would make an empty database beside the retained one; migrate the data first (README, "Data tier"), then record the new tier`,
    },
  ];
  if (!aurora) {
    for (const side of ['primary', 'secondary'] as const)
      rules.push({
        failed: props[side].dbClusterIdentifier !== undefined,
        message: `${side}.dbClusterIdentifier is for the aurora-global data tier: set dataTier to DataTier.auroraGlobal(...), or remove it`,
      });
    return rules;
  }
  const instanceClass = aurora.instanceType ? `db.${aurora.instanceType.toString()}` : 'db.r6g.large';
  const keyRegion = aurora.secondaryKey?.env.region;
  return [
    ...rules,
    ...auroraTierIssues(aurora.engineVersion, aurora.globalClusterIdentifier, 'dataTier.').map((message) => ({ failed: true, message })),
    {
      failed: !isGlobalDatabaseClass(instanceClass),
      message: `dataTier.instanceType must be memory-optimized, db.r5 or later (such as r6g.large): an Aurora global database does not run on ${instanceClass}`,
    },
    {
      failed: keyRegion !== undefined && !Token.isUnresolved(keyRegion) && keyRegion !== secondary.region,
      message: `dataTier.secondaryKey must be a KMS key of the DR region ${secondary.region} (the DR cluster is encrypted with a key of its own region); got one of ${keyRegion}`,
    },
    {
      failed: aurora.primaryClusterIdentifier === aurora.secondaryClusterIdentifier,
      message: `secondary.dbClusterIdentifier must differ from primary.dbClusterIdentifier (${aurora.primaryClusterIdentifier}): the DR config names each region's cluster`,
    },
  ];
}

/** Every check of {@link PilotLightProps}, each naming the prop by its path. */
export function pilotLightRules(props: PilotLightProps, resolved: ResolvedPilotLight, deployedTier?: unknown): PropRule[] {
  const { primary, secondary, app, capacity, path, activeRegion } = resolved;
  return [
    {
      failed: activeRegion !== primary.region && activeRegion !== secondary.region,
      message: `activeRegion must be primary.region (${primary.region}) or secondary.region (${secondary.region}); got ${JSON.stringify(activeRegion)}`,
    },
    { failed: !/^[a-z][a-z0-9-]{0,30}$/.test(app), message: `app must be a short lower-case name; got ${JSON.stringify(app)}` },
    { failed: primary.region === secondary.region, message: `secondary.region must differ from primary.region (${primary.region})` },
    {
      failed: cidrsOverlap(primary.cidr, secondary.cidr),
      message: `secondary.cidr ${secondary.cidr} overlaps primary.cidr ${primary.cidr}`,
    },
    {
      failed: capacity.desired > capacity.max,
      message: `capacity.desired ${capacity.desired} is above the group's maximum ${capacity.max}`,
    },
    { failed: capacity.min > capacity.desired, message: `capacity.min ${capacity.min} is above capacity.desired ${capacity.desired}` },
    { failed: !path.startsWith('/'), message: `healthCheckPath must start with /; got ${JSON.stringify(path)}` },
    ...(['primary', 'secondary'] as const).flatMap((side) => zoneRules(side, props[side])),
    {
      failed: (primary.natGateways ?? props.natGateways ?? 1) < 1,
      message: `primary.natGateways must be at least 1: the image build and the database users' function in the primary region need egress; got ${primary.natGateways ?? props.natGateways}`,
    },
    {
      failed: (primary.certificateArn === undefined) !== (secondary.certificateArn === undefined),
      message:
        'secondary.certificateArn and primary.certificateArn must be given both or neither: the accelerator listens on 443 for both regions',
    },
    ...notificationRules(props.notificationEmail, props.notificationSubscriptions),
    ...dataTierRules(props, resolved, deployedTier),
    {
      failed: primary.internetFacingLoadBalancer === false,
      message:
        "primary.internetFacingLoadBalancer must not be false: Route 53's checkers and the failover controller probe the primary's health path from outside its VPC",
    },
  ];
}
