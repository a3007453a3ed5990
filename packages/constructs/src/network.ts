import { Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { acknowledge } from './private/nag.js';
import { parseCidr, validateProps } from './private/validate.js';

/** Props of {@link PilotLightNetwork}. */
export interface PilotLightNetworkProps {
  /** The VPC's IPv4 CIDR, /16 to /22, such as `10.0.0.0/16` (primary) or `10.1.0.0/16` (DR). */
  readonly cidr: string;
  /**
   * The Availability Zones to use, named explicitly (at least two, all in the stack's region),
   * so synthesis needs no account lookup.
   */
  readonly availabilityZones: readonly string[];
  /**
   * NAT gateways for the private subnets. AWS APIs are reached through VPC endpoints, so NAT is
   * needed only for other internet egress.
   * @default 1
   */
  readonly natGateways?: number;
  /** Size of each subnet. @default 24 */
  readonly subnetCidrMask?: number;
  /**
   * Interface endpoints in the private subnets, so instances reach these AWS APIs without NAT.
   * S3 and DynamoDB always get (free) gateway endpoints.
   * @default SSM, SSM messages, EC2 messages, Secrets Manager, CloudWatch Logs, CloudWatch, ECR API and ECR Docker
   */
  readonly interfaceEndpoints?: readonly ec2.InterfaceVpcEndpointAwsService[];
}

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
 * subnets (the ALB), private subnets with egress (the app tier) and isolated subnets (the
 * database), gateway endpoints for S3 and DynamoDB, and interface endpoints for the AWS APIs
 * the instances use. Flow logs go to CloudWatch Logs.
 */
export class PilotLightNetwork extends Construct {
  /** The VPC. */
  readonly vpc: ec2.Vpc;

  constructor(scope: Construct, id: string, props: PilotLightNetworkProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    const cidr = parseCidr(props.cidr);
    const mask = props.subnetCidrMask ?? 24;
    validateProps(this, [
      { failed: cidr === undefined, message: `cidr must be an IPv4 CIDR such as 10.0.0.0/16; got ${JSON.stringify(props.cidr)}` },
      { failed: cidr !== undefined && (cidr.prefix < 16 || cidr.prefix > 22), message: `cidr must be /16 to /22; got /${cidr?.prefix}` },
      { failed: props.availabilityZones.length < 2, message: `availabilityZones must name at least two zones; got ${props.availabilityZones.length}` },
      { failed: new Set(props.availabilityZones).size !== props.availabilityZones.length, message: 'availabilityZones must not repeat a zone' },
      {
        failed: !Token.isUnresolved(region) && props.availabilityZones.some((az) => !az.startsWith(region)),
        message: `availabilityZones must all be in the stack's region ${region}; got ${props.availabilityZones.join(', ')}`,
      },
      { failed: cidr !== undefined && (mask < cidr.prefix + 2 || mask > 28), message: `subnetCidrMask must be between /${(cidr?.prefix ?? 16) + 2} and /28; got /${mask}` },
      { failed: (props.natGateways ?? 1) < 0, message: `natGateways must not be negative; got ${props.natGateways}` },
    ]);

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(props.cidr),
      availabilityZones: [...props.availabilityZones],
      natGateways: props.natGateways ?? 1,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: mask },
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: mask },
        { name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: mask },
      ],
      gatewayEndpoints: {
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
        DynamoDB: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
      },
      flowLogs: { all: { trafficType: ec2.FlowLogTrafficType.ALL } },
      restrictDefaultSecurityGroup: true,
    });
    for (const service of props.interfaceEndpoints ?? DEFAULT_ENDPOINTS) {
      const endpoint = this.vpc.addInterfaceEndpoint(service.shortName.replace(/[^A-Za-z0-9]/g, ''), { service, subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }, privateDnsEnabled: true });
      acknowledge(endpoint, ['AwsSolutions-EC23'], 'The endpoint admits HTTPS from this VPC\'s own CIDR only; cdk-nag cannot read the CIDR, which is a token.');
    }
  }
}
