import type { PilotLightProps, PilotLightRegion } from '../pilot-light-props.js';
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
}

/** The props with their defaults (before validation: {@link pilotLightRules} checks them). */
export function resolvePilotLight(props: PilotLightProps): ResolvedPilotLight {
  return {
    app: props.app,
    primary: props.primary,
    secondary: props.secondary,
    capacity: props.capacity ?? { min: 2, desired: 2, max: 4 },
    path: props.healthCheckPath ?? '/ref',
    activeRegion: props.activeRegion ?? props.primary.region,
  };
}

/** Every check of {@link PilotLightProps}, each naming the prop by its path. */
export function pilotLightRules(props: PilotLightProps, resolved: ResolvedPilotLight): PropRule[] {
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
    {
      failed: primary.internetFacingLoadBalancer === false,
      message:
        "primary.internetFacingLoadBalancer must not be false: Route 53's checkers and the failover controller probe the primary's health path from outside its VPC",
    },
  ];
}
