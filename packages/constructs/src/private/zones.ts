/**
 * Availability Zones that every account has in each region, by name. Zone names map to physical
 * zones per account, and some regions do not offer every letter to every account (us-west-1
 * offers two of a, b and c; ap-northeast-1 has no b for newer accounts; ca-central-1 has no c):
 * regions whose names differ between accounts are left out, and must name their zones.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-regions-availability-zones.html
 * @see https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html
 */
const DEFAULT_ZONES: Readonly<Record<string, readonly string[]>> = {
  'us-east-1': ['us-east-1a', 'us-east-1b'],
  'us-east-2': ['us-east-2a', 'us-east-2b'],
  'us-west-2': ['us-west-2a', 'us-west-2b'],
  'eu-west-1': ['eu-west-1a', 'eu-west-1b'],
  'eu-west-2': ['eu-west-2a', 'eu-west-2b'],
  'eu-west-3': ['eu-west-3a', 'eu-west-3b'],
  'eu-central-1': ['eu-central-1a', 'eu-central-1b'],
  'eu-north-1': ['eu-north-1a', 'eu-north-1b'],
  'ap-southeast-1': ['ap-southeast-1a', 'ap-southeast-1b'],
  'ap-southeast-2': ['ap-southeast-2a', 'ap-southeast-2b'],
  'ap-northeast-1': ['ap-northeast-1a', 'ap-northeast-1c'],
  'ap-south-1': ['ap-south-1a', 'ap-south-1b'],
  'ca-central-1': ['ca-central-1a', 'ca-central-1b'],
  'sa-east-1': ['sa-east-1a', 'sa-east-1b'],
};

/**
 * The two Availability Zones a region's network uses when none are named, or undefined for a
 * region whose zone names differ between accounts (name them there).
 */
export function defaultAvailabilityZones(region: string): readonly string[] | undefined {
  return DEFAULT_ZONES[region];
}

/** True when `zone` names an Availability Zone of `region`: the region's name and one letter (`eu-west-1a`). */
export function isZoneOf(zone: string, region: string): boolean {
  return zone.length === region.length + 1 && zone.startsWith(region) && /^[a-z]$/.test(zone.slice(-1));
}
