import { Annotations, Stack, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct, type IConstruct } from 'constructs';
import { acknowledge } from './private/nag.js';
import { parseCidr, validateProps } from './private/validate.js';
import { defaultAvailabilityZones, isZoneOf } from './private/zones.js';
import { RegionStack } from './region-stack.js';

export { defaultAvailabilityZones } from './private/zones.js';

/**
 * A region's network as the app tier and the database see it: the VPC, and which of its subnets
 * each uses. A {@link PilotLightNetwork}, or a VPC you already have ({@link PilotLightNetwork.fromVpc}).
 */
export interface IPilotLightNetwork extends IConstruct {
  /** The VPC. */
  readonly vpc: ec2.IVpc;
  /** The app tier's subnets (its instances, and an internal load balancer). */
  readonly appSubnets: ec2.SubnetSelection;
  /** The databases' subnets. */
  readonly databaseSubnets: ec2.SubnetSelection;
}

/** A VPC you already have, for {@link PilotLightNetwork.fromVpc}. */
export interface PilotLightNetworkAttributes {
  /** The VPC (`ec2.Vpc.fromLookup`, `ec2.Vpc.fromVpcAttributes`, or one of your stacks). */
  readonly vpc: ec2.IVpc;
  /**
   * The app tier's subnets: private, with NAT egress or isolated.
   * @default - the VPC's private subnets with egress
   */
  readonly appSubnets?: ec2.SubnetSelection;
  /**
   * The databases' subnets.
   * @default - the VPC's isolated subnets (name the group when the VPC has several isolated groups)
   */
  readonly databaseSubnets?: ec2.SubnetSelection;
}

/** {@link PilotLightNetwork.fromVpc}'s answer. */
class ImportedNetwork extends Construct implements IPilotLightNetwork {
  readonly vpc: ec2.IVpc;
  readonly appSubnets: ec2.SubnetSelection;
  readonly databaseSubnets: ec2.SubnetSelection;

  constructor(scope: Construct, id: string, attrs: PilotLightNetworkAttributes) {
    super(scope, id);
    this.vpc = attrs.vpc;
    // The defaults AppTier and the database constructs use when given no subnets.
    this.appSubnets = attrs.appSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    this.databaseSubnets = attrs.databaseSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
  }
}

/** Props of {@link PilotLightNetwork}. */
export interface PilotLightNetworkProps {
  /** The VPC's IPv4 CIDR, /16 to /22, such as `10.0.0.0/16` (primary) or `10.1.0.0/16` (DR). */
  readonly cidr: string;
  /**
   * The Availability Zones to use, named explicitly (at least two, all in the stack's region), so
   * synthesis needs no account lookup.
   * @default - {@link defaultAvailabilityZones} of the stack's region (the brief's `eu-west-1a`,
   * `eu-west-1b` and `us-east-1a`, `us-east-1b`); a region without a default must name them
   */
  readonly availabilityZones?: readonly string[];
  /**
   * NAT gateways for the private subnets. With none, the private subnets are isolated: no
   * internet egress at all, only the gateway endpoints (S3, DynamoDB) and the interface endpoints
   * you list. A NAT gateway costs about $33 a month before traffic, the largest fixed cost of a
   * dark pilot light, so `PilotLight` gives the DR region none.
   * @default 1
   */
  readonly natGateways?: number;
  /** Size of each subnet. @default 24 */
  readonly subnetCidrMask?: number;
  /**
   * Interface endpoints in the private subnets, so instances reach these AWS APIs without NAT.
   * S3 and DynamoDB always get (free) gateway endpoints.
   * Each costs about $7.30 a month per Availability Zone before traffic.
   * @default SSM, SSM messages, EC2 messages, Secrets Manager, CloudWatch Logs, CloudWatch, ECR API and ECR Docker
   */
  readonly interfaceEndpoints?: readonly ec2.InterfaceVpcEndpointAwsService[];
}

/** The subnet group of the app tier's subnets (private: with NAT egress, or isolated without NAT). */
export const APP_SUBNET_GROUP = 'private';
/** The subnet group of the databases' subnets (isolated). */
export const DATABASE_SUBNET_GROUP = 'isolated';

const DEFAULT_ENDPOINTS = [
  ec2.InterfaceVpcEndpointAwsService.SSM,
  ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES,
  ec2.InterfaceVpcEndpointAwsService.EC2_MESSAGES,
  ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
  ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
  ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING,
  ec2.InterfaceVpcEndpointAwsService.ECR,
  ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
];

/**
 * The network of one region: a VPC across explicitly named Availability Zones with public
 * subnets (the ALB), private subnets (the app tier: with NAT egress, or isolated when
 * `natGateways` is 0) and isolated subnets (the database), gateway endpoints for S3 and
 * DynamoDB, and interface endpoints for the AWS APIs the instances use. Flow logs go to
 * CloudWatch Logs. Select the app tier's subnets with {@link appSubnets} and the databases'
 * with {@link databaseSubnets}: without NAT both groups are isolated, so a selection by subnet
 * type alone would take both.
 */
export class PilotLightNetwork extends Construct implements IPilotLightNetwork {
  /** A VPC you already have, with the subnets the app tier and the databases go in. */
  static fromVpc(scope: Construct, id: string, attrs: PilotLightNetworkAttributes): IPilotLightNetwork {
    return new ImportedNetwork(scope, id, attrs);
  }

  /** The VPC. */
  readonly vpc: ec2.Vpc;
  /** The app tier's subnets (group `private`). */
  readonly appSubnets: ec2.SubnetSelection = { subnetGroupName: APP_SUBNET_GROUP };
  /** The databases' subnets (group `isolated`). */
  readonly databaseSubnets: ec2.SubnetSelection = { subnetGroupName: DATABASE_SUBNET_GROUP };
  /** The zones the VPC spans. */
  readonly availabilityZones: readonly string[];

  constructor(scope: Construct, id: string, props: PilotLightNetworkProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    const cidr = parseCidr(props.cidr);
    const mask = props.subnetCidrMask ?? 24;
    const natGateways = props.natGateways ?? 1;
    const stack = Stack.of(this);
    const zones =
      props.availabilityZones ??
      (stack instanceof RegionStack
        ? stack.availabilityZones
        : Token.isUnresolved(region)
          ? undefined
          : defaultAvailabilityZones(region)) ??
      [];
    if (!(stack instanceof RegionStack) && !Token.isUnresolved(region) && !Token.isUnresolved(stack.account)) {
      Annotations.of(this).addWarningV2(
        '@dr/constructs:zones-looked-up',
        `ec2.Vpc checks its zones against the stack's, which a ${stack.constructor.name} looks up from the account (credentials needed at synthesis): make the stack a RegionStack to synthesize with none.`,
      );
    }
    this.availabilityZones = zones;
    validateProps(this, [
      {
        failed: props.availabilityZones === undefined && zones.length === 0,
        message: Token.isUnresolved(region)
          ? 'availabilityZones must be named when the stack has no explicit region'
          : `availabilityZones must be named for ${region}: its zone names differ between accounts, so there is no default`,
      },
      { failed: cidr === undefined, message: `cidr must be an IPv4 CIDR such as 10.0.0.0/16; got ${JSON.stringify(props.cidr)}` },
      { failed: cidr !== undefined && (cidr.prefix < 16 || cidr.prefix > 22), message: `cidr must be /16 to /22; got /${cidr?.prefix}` },
      {
        failed: props.availabilityZones !== undefined && zones.length < 2,
        message: `availabilityZones must name at least two zones; got ${zones.length}`,
      },
      { failed: new Set(zones).size !== zones.length, message: 'availabilityZones must not repeat a zone' },
      {
        failed: !Token.isUnresolved(region) && zones.some((az) => !isZoneOf(az, region)),
        message: `availabilityZones must all be zones of the stack's region ${region} (${region}a, ${region}b, ...); got ${zones.join(', ')}`,
      },
      {
        failed: cidr !== undefined && (mask < cidr.prefix + 2 || mask > 28),
        message: `subnetCidrMask must be between /${(cidr?.prefix ?? 16) + 2} and /28; got /${mask}`,
      },
      {
        failed: !Number.isInteger(natGateways) || natGateways < 0 || natGateways > Math.max(zones.length, 1),
        message: `natGateways must be a whole number from 0 to the number of zones (${zones.length}); got ${props.natGateways}`,
      },
    ]);

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(props.cidr),
      availabilityZones: [...zones],
      natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: mask },
        {
          name: APP_SUBNET_GROUP,
          subnetType: natGateways > 0 ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED,
          cidrMask: mask,
        },
        { name: DATABASE_SUBNET_GROUP, subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: mask },
      ],
      gatewayEndpoints: {
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
        DynamoDB: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
      },
      flowLogs: { all: { trafficType: ec2.FlowLogTrafficType.ALL } },
      restrictDefaultSecurityGroup: true,
    });
    // CloudFormation's validation advises against literal zones (W3010). They are literal on
    // purpose: named zones are what lets synthesis run with no account lookup.
    Validations.of(this.vpc).acknowledge({
      id: 'CloudFormation-Validate::W3010',
      reason: 'The zones are named so that synthesis needs no account lookup (the brief names them too).',
    });
    for (const service of props.interfaceEndpoints ?? DEFAULT_ENDPOINTS) {
      const endpoint = this.vpc.addInterfaceEndpoint(service.shortName.replace(/[^A-Za-z0-9]/g, ''), {
        service,
        subnets: this.appSubnets,
        privateDnsEnabled: true,
      });
      acknowledge(
        endpoint,
        ['AwsSolutions-EC23'],
        "The endpoint admits HTTPS from this VPC's own CIDR only; cdk-nag cannot read the CIDR, which is a token.",
      );
    }
  }
}
