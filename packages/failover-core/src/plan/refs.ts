/**
 * How a plan names what it touches: port references to a region's database, Auto Scaling group
 * and endpoint group, which side is the other, and the name a retired database is given.
 */
import type { RegionRole, RegionResources } from '../config/schema.js';
import type { DbRef, AsgRef, EndpointGroupRef } from '../ports.js';
import type { Operation } from './types.js';

/** Weight of an endpoint that takes traffic (Global Accelerator's default). */
export const ACTIVE_ENDPOINT_WEIGHT = 128;

/** The other side of the configuration. */
export const otherRole = (role: RegionRole): RegionRole => (role === 'primary' ? 'secondary' : 'primary');

/** The database of a region as a port reference. */
export const dbRef = (r: RegionResources, dbInstanceIdentifier = r.dbInstanceIdentifier): DbRef => ({
  region: r.region,
  dbInstanceIdentifier,
});

/** The Auto Scaling group of a region as a port reference. */
export const asgRef = (r: RegionResources): AsgRef => ({
  region: r.region,
  autoScalingGroupName: r.autoScalingGroupName,
  targetGroupArn: r.targetGroupArn,
});

/** The Global Accelerator endpoint group of a region as a port reference. */
export const groupRef = (r: RegionResources): EndpointGroupRef => ({
  region: r.region,
  endpointGroupArn: r.endpointGroupArn,
  loadBalancerArn: r.loadBalancerArn,
});

/** Which side serves before an operation, when the caller does not say. */
export const defaultFrom = (operation: Operation): RegionRole => (operation === 'failback' ? 'secondary' : 'primary');

/** The longest RDS DB instance identifier. */
const MAX_IDENTIFIER = 63;

/** What a retired name puts between the identifier and the run tag. */
const RETIRED_INFIX = '-retired-';

/** A retired name keeps the last this-many letters and digits of the run tag. */
const MAX_TAG = 12;

/**
 * The prefix every name a failback or rebuild retires `dbInstanceIdentifier` to starts with,
 * whatever the run's tag: what to list a region's retired instances of that database by. The
 * identifier is kept whole up to 42 characters, and cut there when longer, so that the longest
 * tag still fits RDS's 63 characters; a cut never leaves a hyphen before the infix (RDS allows no
 * two hyphens in a row).
 * @example retiredPrefix('lamp-primary') // 'lamp-primary-retired-'
 */
export function retiredPrefix(dbInstanceIdentifier: string): string {
  return `${dbInstanceIdentifier.slice(0, MAX_IDENTIFIER - MAX_TAG - RETIRED_INFIX.length).replace(/-+$/, '')}${RETIRED_INFIX}`;
}

/** The name a run tagged `runTag` retires `id` to: {@link retiredPrefix} and the tag's last 12 letters and digits. */
export function retiredIdentifier(id: string, runTag: string): string {
  const tag =
    runTag
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '')
      .slice(-MAX_TAG) || 'run';
  return `${retiredPrefix(id)}${tag}`;
}
