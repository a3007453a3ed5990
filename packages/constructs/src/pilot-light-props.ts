import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { DataTier } from './data-tier.js';
import type { NotificationSubscription } from './notifications.js';

/** What differs between the two regions. */
export interface PilotLightRegion {
  /** The region, such as `eu-west-1`: its stacks deploy there. */
  readonly region: string;
  /** The region's VPC CIDR, /16 to /22; the two regions' must not overlap. */
  readonly cidr: string;
  /**
   * At least two zones of `region`, named: synthesis needs no account lookup.
   * @default - two zones every account has in the region (`eu-west-1a`, `eu-west-1b`; `us-east-1a`,
   * `us-east-1b`, as the brief names them; see `defaultAvailabilityZones`); regions whose zone
   * names differ between accounts have no default
   */
  readonly availabilityZones?: readonly string[];
  /**
   * NAT gateways of this region's VPC. The DR region needs none: its instances stay in isolated
   * private subnets, reaching S3 through a gateway endpoint and the database in the VPC, and the
   * DR Lambdas run outside the VPC. Give the DR region one if the app needs internet egress when
   * it serves after a failover.
   * @default - 1 in the primary region, 0 in the DR region
   */
  readonly natGateways?: number;
  /**
   * Interface endpoints of this region's VPC (AWS APIs the instances call without NAT).
   * @default - the primary region: PilotLightNetwork's default set (SSM, Secrets Manager,
   * CloudWatch, ECR...); the DR region: none (each costs about $7.30 a month per zone while dark)
   */
  readonly interfaceEndpoints?: readonly ec2.InterfaceVpcEndpointAwsService[];
  /** The region's data bucket (a valid, globally unique S3 name): the two regions' replicate to each other. */
  readonly bucketName: string;
  /** The region's Auto Scaling group name, written to the DR config the failover engine scales by. */
  readonly autoScalingGroupName: string;
  /**
   * The region's DB instance identifier, written to the DR config: on the RDS tier the primary
   * instance or the cross-region replica the failover engine promotes and fences by; on the
   * Aurora tier the one instance of the region's cluster (the writer, or the DR cluster's reader).
   */
  readonly dbInstanceIdentifier: string;
  /**
   * The region's Aurora DB cluster (the DR config's `dbClusterIdentifier`); only on the
   * `aurora-global` data tier. Its groups are `<id>-cluster-params` and `<id>-instance-params`.
   * @default - `<dbInstanceIdentifier>-cluster` on the Aurora tier
   */
  readonly dbClusterIdentifier?: string;
  /**
   * ACM certificate in this region for HTTPS on 443 (port 80 then redirects, except the health
   * path); give both regions one or neither, so users get HTTPS after a failover too.
   * @default - HTTP only
   */
  readonly certificateArn?: string;
  /**
   * Whether this region's ALB has public addresses. The DR region's is internal: Global
   * Accelerator reaches internal ALB endpoints, so users are served all the same after a
   * failover, and the dark region neither pays for the two public IPv4 addresses of an
   * internet-facing ALB nor shows the internet an attack surface. The controller and `dr`, which
   * run outside its VPC, check its health path through the health record reader in that VPC (the
   * config's `secondary.healthCheckVia`). The primary's must be internet-facing: Route 53's
   * checkers and the controller probe it from outside.
   * @see https://docs.aws.amazon.com/global-accelerator/latest/dg/about-endpoints-caveats.html
   * @see https://aws.amazon.com/vpc/pricing/
   * @default - true in the primary region, false in the DR region
   */
  readonly internetFacingLoadBalancer?: boolean;
}

/** Tunables of {@link PilotLight}, each with a default. */
export interface PilotLightOptions {
  /**
   * The app's health path: target groups, Route 53 and the failover controller check it, so it
   * must answer 200 only when the instance can serve (database and bucket reachable).
   * @default '/ref'
   */
  readonly healthCheckPath?: string;
  /** Capacity of the region that serves (the DR region scales to it on failover). @default { min: 2, desired: 2, max: 4 } */
  readonly capacity?: { readonly min: number; readonly desired: number; readonly max: number };
  /** The database the app works in (its app user may touch only this one). @default 'lampdb' */
  readonly databaseName?: string;
  /**
   * The recovery objectives, written to the DR config: the engine refuses an automatic failover
   * that would lose more than `maxDataLossSeconds`, and the replica lag alarm uses it too.
   * @default { rtoSeconds: 900, maxDataLossSeconds: 60 }
   */
  readonly objectives?: { readonly rtoSeconds: number; readonly maxDataLossSeconds: number };
  /** Require an operator's approval before an automatic failover. @default false */
  readonly approvalRequired?: boolean;
  /**
   * Receives failover news, every alarm of both regions (each region's alarms through a topic of
   * its own), and each region's Auto Scaling launch/terminate/error notifications. Checked at
   * synth: it must be an email address.
   * @default - no email subscription
   */
  readonly notificationEmail?: string;
  /**
   * More subscribers of the same news as `notificationEmail` (any of email, email-json, https,
   * sms, sqs, lambda), subscribed to the topics of both regions; each endpoint is checked at synth.
   * @default - none
   */
  readonly notificationSubscriptions?: readonly NotificationSubscription[];
  /**
   * NAT gateways of both regions, where a region does not set its own `natGateways`.
   * @deprecated Set `primary.natGateways` and `secondary.natGateways`: the DR region needs none.
   * @default - each region's default
   */
  readonly natGateways?: number;
  /**
   * Consecutive checks, per Route 53 checker, that change its view of the primary's health path
   * (1 to 10; the checks run every 10 s).
   * @default 2
   */
  readonly route53FailureThreshold?: number;
  /**
   * Route 53 regions that check the primary: at least three of `ROUTE53_CHECKER_REGIONS`.
   * @default - all eight, Route 53's default
   */
  readonly route53CheckerRegions?: readonly string[];
  /**
   * Replicate the ECR repository to the DR region. ECR registry replication is one setting per
   * account and region: this replaces any replication rule the account has in the primary region.
   * @default false
   */
  readonly replicateContainerRegistry?: boolean;
  /**
   * The region that serves: the accelerator sends users there, and its group keeps its minimum
   * capacity. After a failover (or a failback) set it to the region that serves now before any
   * redeploy. No deploy or rollback ever writes the live endpoint weights or dials (the endpoint
   * groups' provider, see `GlobalEntryPoint`), and a deploy whose template names another serving
   * region than the live one fails in the global stack; the regional stacks deploy before it, so
   * by then a stale value has already set the groups' minimum capacities.
   * @default - `primary.region`
   */
  readonly activeRegion?: string;
  /**
   * Which database carries the data to the DR region: `DataTier.rdsReplica()` (the brief's RDS
   * for MySQL read replica) or `DataTier.auroraGlobal({ engineVersion })` (an Aurora MySQL global
   * database). Changing it on a deployed app does not move the data: see the README, "Data tier".
   * @default DataTier.rdsReplica()
   */
  readonly dataTier?: DataTier;
  /**
   * Tags on both databases, also written to the DR config so a database a failback recreates
   * carries them (tags added with `Tags.of()` reach the databases but not the config).
   * @default - none
   */
  readonly databaseTags?: Readonly<Record<string, string>>;
}

/** Props of {@link PilotLight}: the required wiring, plus {@link PilotLightOptions}. */
export interface PilotLightProps extends PilotLightOptions {
  /** Lower-case name of the application; names the config, alarms and pipeline. */
  readonly app: string;
  /** The AWS account of every stack. */
  readonly account: string;
  /** The region that serves at first: the primary database, the app tier at capacity. */
  readonly primary: PilotLightRegion;
  /** The DR region: the pilot light (replica, app tier at zero) and the DR control plane. */
  readonly secondary: PilotLightRegion;
  /** Code of the failover controller Lambda. @default the `failover-controller` bundle shipped in this package */
  readonly controllerCode?: lambda.Code;
  /** Code of the daily snapshot Lambda. @default the `snapshot` bundle shipped in this package */
  readonly snapshotCode?: lambda.Code;
  /** Code of the readiness Lambda. @default the `readiness` bundle shipped in this package */
  readonly readinessCode?: lambda.Code;
}
