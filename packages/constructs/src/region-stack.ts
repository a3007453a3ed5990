import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { defaultAvailabilityZones, isZoneOf } from './private/zones.js';
import { validateProps } from './private/validate.js';

/** Props of {@link RegionStack}. */
export interface RegionStackProps extends StackProps {
  /** The stack's account and region, both explicit. */
  readonly env: { readonly account: string; readonly region: string };
  /**
   * The Availability Zones the stack's constructs may use, named.
   * @default - `defaultAvailabilityZones(env.region)`; a region without a default must name them
   */
  readonly availabilityZones?: readonly string[];
}

/**
 * A stack in one account and region that knows its Availability Zones without asking AWS.
 *
 * A stack with an explicit region looks its zones up from the account at synthesis (a context
 * lookup that needs credentials): `ec2.Vpc` asks for them even when given its zones, to check
 * them. `cdk synth` without credentials then fails ("Need to perform AWS calls ... but no
 * credentials have been configured"), and running the app with `node` records the lookup as
 * missing and synthesizes with dummy zones. This stack answers with the zones it is given, the
 * override the CDK documents for the purpose, so synthesis needs no credentials and no network.
 * `PilotLight` makes its regional stacks with it; use it for a `PilotLightNetwork` of your own.
 * @see https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.Stack.html#availabilityzones
 */
export class RegionStack extends Stack {
  private readonly zones: readonly string[];

  constructor(scope: Construct, id: string, props: RegionStackProps) {
    super(scope, id, props);
    const zones = props.availabilityZones ?? defaultAvailabilityZones(props.env.region) ?? [];
    validateProps(this, [
      {
        failed: zones.length === 0,
        message: `availabilityZones must be named for ${props.env.region}: its zone names differ between accounts, so there is no default`,
      },
      {
        failed: zones.some((az) => !isZoneOf(az, props.env.region)),
        message: `availabilityZones must all be zones of ${props.env.region}; got ${zones.join(', ')}`,
      },
    ]);
    this.zones = zones;
  }

  /** The zones given (or the region's default), never looked up. */
  override get availabilityZones(): string[] {
    return [...this.zones];
  }
}
