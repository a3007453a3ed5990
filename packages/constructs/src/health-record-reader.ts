import { Duration, Lazy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { drFunction, lambdaRoleAndLogs, vpcPlacement } from './private/lambda-basics.js';
import { validateProps } from './private/validate.js';

/**
 * The address the Route 53 Resolver also answers on from inside any VPC, besides the VPC's
 * base address plus two.
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/AmazonDNS-concepts.html
 */
const RESOLVER_LINK_LOCAL = '169.254.169.253/32';

/** The tunables of {@link HealthRecordReader}. */
export interface HealthRecordReaderOptions {
  /**
   * The reader's subnets. It needs no internet and no AWS API, only the VPC resolver, which
   * answers in every subnet: isolated subnets do. One per Availability Zone is enough (Lambda
   * keeps one network interface per subnet and security group).
   * @default { subnetType: ec2.SubnetType.PRIVATE_ISOLATED, onePerAz: true }
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * The reader's code.
   * @default the `health-record-reader` bundle shipped in this package (handler `index.handler`)
   */
  readonly code?: lambda.Code;
  /** The handler within `code`. @default 'index.handler' */
  readonly handler?: string;
  /**
   * The Lambda timeout: one DNS query (the controller asks for 1.5 s at most) and a cold start.
   * An HTTP check (`allowHealthChecksOf`; the engine asks for 5 s) is cut short 200 ms before it,
   * so it answers a timed-out check rather than being ended by Lambda.
   * @default Duration.seconds(5)
   */
  readonly timeout?: Duration;
  /**
   * The reader logs nothing of its own; Lambda's lines for each invocation (every probe round)
   * are worth little after a few weeks.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/** Props of {@link HealthRecordReader}. */
export interface HealthRecordReaderProps extends HealthRecordReaderOptions {
  /** The VPC whose resolver answers the health record: the one its private hosted zone is associated with. */
  readonly vpc: ec2.IVpc;
}

/**
 * The health record reader: a small Lambda (arm64, 128 MB) in a VPC whose resolver answers a
 * private hosted zone, which resolves one DNS name per invocation for a caller outside the VPC
 * (the failover controller: `DR_HEALTH_RECORD_READER`, through `DnsHealthChecks` of
 * `@dr/aws-adapters`). Only resolvers of associated VPCs answer a private zone, so without it the
 * controller would have to run in the VPC, and the VPC would need a NAT gateway for the
 * controller's internet calls; the reader needs neither internet nor AWS APIs, so it runs in
 * isolated subnets, and its role may only write its own logs.
 *
 * Its security group has no inbound rule and lets out only DNS (UDP and TCP 53) to the VPC's own
 * addresses (the resolver is the VPC's base address plus two) and the resolver's link-local
 * address, and HTTP to the load balancers named by {@link HealthRecordReader.allowHealthChecksOf}
 * (its second request: a health check from inside the VPC of an internal load balancer). AWS states that security groups cannot block DNS
 * requests to the Route 53 Resolver,
 * so these rules record the intent rather than gate it; every other destination is closed.
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/hosted-zone-private-considerations.html
 */
export class HealthRecordReader extends Construct {
  /** The reader function. */
  readonly function: lambda.Function;
  /** Its security group: DNS out to the VPC resolver, nothing in. */
  readonly securityGroup: ec2.ISecurityGroup;
  /** The load balancers' DNS names it may check over HTTP (`allowHealthChecksOf`). */
  private readonly probeHosts: string[] = [];

  constructor(scope: Construct, id: string, props: HealthRecordReaderProps) {
    super(scope, id);
    const timeout = props.timeout ?? Duration.seconds(5);
    validateProps(this, [
      {
        failed: timeout.toMilliseconds() < 2_000 || timeout.toSeconds() > 60,
        message: `timeout must be between 2 and 60 seconds (one DNS query and a cold start); got ${timeout.toHumanString()}`,
      },
    ]);

    const { role, logGroup } = lambdaRoleAndLogs(
      this,
      `Reads a Route 53 health record through the resolver of ${props.vpc.node.path}`,
      props.logRetention ?? logs.RetentionDays.ONE_MONTH,
    );
    const placement = vpcPlacement(
      this,
      role,
      props.vpc,
      props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED, onePerAz: true },
      false,
    );
    this.securityGroup = placement.securityGroup;
    for (const peer of [ec2.Peer.ipv4(props.vpc.vpcCidrBlock), ec2.Peer.ipv4(RESOLVER_LINK_LOCAL)]) {
      this.securityGroup.addEgressRule(peer, ec2.Port.udp(53), 'DNS to the VPC resolver');
      // A DNS answer too large for UDP is asked again over TCP.
      this.securityGroup.addEgressRule(peer, ec2.Port.tcp(53), 'DNS to the VPC resolver (large answers)');
    }

    this.function = drFunction(this, {
      bundle: 'health-record-reader',
      placement,
      code: props.code,
      handler: props.handler,
      role,
      logGroup,
      memorySize: 128,
      timeout,
      description: `Resolves a Route 53 health record through the resolver of ${props.vpc.node.path}, for the failover controller outside it`,
    });
  }

  /**
   * Lets the reader make HTTP health checks of `loadBalancer` on `port` for callers outside the
   * VPC (the config's `healthCheckVia` for an internal load balancer, whose DNS name resolves to
   * private addresses): its DNS name joins the hosts the reader may fetch (`DR_PROBE_HOSTS`; any
   * other host is refused, so invoke rights do not reach the rest of the VPC), and the reader's
   * security group may reach the load balancer's on that port, which admits it.
   * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#load-balancer-scheme
   */
  allowHealthChecksOf(loadBalancer: elbv2.IApplicationLoadBalancer, port = 80): void {
    if (this.probeHosts.length === 0) {
      this.function.addEnvironment('DR_PROBE_HOSTS', Lazy.string({ produce: () => this.probeHosts.join(',') }));
    }
    this.probeHosts.push(loadBalancer.loadBalancerDnsName);
    const description = 'Health checks by the health record reader, for callers outside the VPC';
    // Both rules live here, by the reader: the load balancer is usually in a stack this one
    // depends on (the DR tier), and a rule there naming the reader's group would be a cycle.
    loadBalancer.connections.securityGroups.forEach((group, i) => {
      this.securityGroup.addEgressRule(ec2.Peer.securityGroupId(group.securityGroupId), ec2.Port.tcp(port), description);
      new ec2.CfnSecurityGroupIngress(this, `LoadBalancerIngress${this.probeHosts.length}-${i}`, {
        groupId: group.securityGroupId,
        sourceSecurityGroupId: this.securityGroup.securityGroupId,
        ipProtocol: 'tcp',
        fromPort: port,
        toPort: port,
        description,
      });
    });
  }

  /** Lets `grantee` invoke the reader: `lambda:InvokeFunction` on this function only (not its versions or aliases). */
  grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['lambda:InvokeFunction'], resourceArns: [this.function.functionArn] });
  }
}
