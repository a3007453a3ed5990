import type { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { DrConfigInput } from '@dr/failover-core';
import { Construct } from 'constructs';
import { AppTier } from './app-tier.js';
import { appUserName, DatabaseAppUser } from './database-app-user.js';
import { PilotLightDatabase, PilotLightReplica } from './database.js';
import { DrConfigParameter } from './dr-config-parameter.js';
import { DrOperatorPolicy } from './dr-operator-policy.js';
import { DrNotifications, FailoverController, type NotificationSubscription } from './failover-controller.js';
import { GlobalEntryPoint } from './global-entry-point.js';
import { HealthCheckRecord } from './health-check-record.js';
import { MachineImage } from './machine-image.js';
import { DrMonitoring } from './monitoring.js';
import { PilotLightNetwork } from './network.js';
import { RegionStack, type RegionStackProps } from './region-stack.js';
import { notificationRules } from './private/notification-subscriptions.js';
import { cidrsOverlap, validateProps, type PropRule } from './private/validate.js';
import { defaultAvailabilityZones, isZoneOf } from './private/zones.js';
import { BucketReplication } from './bucket-replication.js';
import { ReplicatedBucket } from './replicated-bucket.js';
import { ReadinessChecks } from './readiness.js';
import { SnapshotSchedule } from './snapshot-schedule.js';

/**
 * Boot commands for the image's /ref page: /etc/lamp/env (database host, name and app user, the
 * bucket, the region; no password), and a timer that writes a fresh IAM authentication token
 * for the app user to /etc/lamp/db-token (root and apache only) every 5 minutes; a token is
 * valid 15 (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.Connecting.html).
 * `generate-db-auth-token` signs a presigned URL locally (SigV4) with the instance role's
 * credentials, which the CLI gets from the instance metadata service (IMDSv2): it calls no AWS
 * endpoint, so the DR region's instances need neither NAT nor an interface endpoint for it
 * (https://docs.aws.amazon.com/cli/latest/reference/rds/generate-db-auth-token.html,
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-imds-credentials.html). Written at
 * boot rather than baked in the image: they change with the deploy, not with the image.
 */
function appEnvironment(region: string, dbHost: string, dbName: string, dbUser: string, bucket: string): ec2.UserData {
  const userData = ec2.UserData.forLinux();
  // String.raw: the scripts must reach the instance exactly as written here.
  userData.addCommands(
    'set -euo pipefail',
    'install -d -m 0750 -o root -g apache /etc/lamp',
    `printf 'DB_HOST="%s"\nDB_USER="%s"\nDB_NAME="%s"\nBUCKET="%s"\nAWS_REGION="%s"\n' '${dbHost}' '${dbUser}' '${dbName}' '${bucket}' '${region}' > /etc/lamp/env`,
    'chown root:apache /etc/lamp/env && chmod 0640 /etc/lamp/env',
    String.raw`cat > /usr/local/sbin/lamp-db-token <<'SH'
#!/bin/bash
# Writes a fresh IAM authentication token (valid 15 minutes) for the app's database user.
set -euo pipefail
source /etc/lamp/env
tmp=$(mktemp /etc/lamp/.db-token.XXXXXX)
trap 'rm -f "$tmp"' EXIT
aws rds generate-db-auth-token --hostname "$DB_HOST" --port 3306 --username "$DB_USER" --region "$AWS_REGION" --output text > "$tmp"
chown root:apache "$tmp" && chmod 0640 "$tmp"
# Renamed into place: the page never reads a half-written token.
mv -f "$tmp" /etc/lamp/db-token
SH`,
    'chmod 0755 /usr/local/sbin/lamp-db-token',
    String.raw`cat > /etc/systemd/system/lamp-db-token.service <<'UNIT'
[Unit]
Description=Writes the app's database token
[Service]
Type=oneshot
ExecStart=/usr/local/sbin/lamp-db-token
UNIT`,
    String.raw`cat > /etc/systemd/system/lamp-db-token.timer <<'UNIT'
[Unit]
Description=Refreshes the app's database token every 5 minutes (each is valid 15)
[Timer]
OnActiveSec=0
OnUnitActiveSec=5min
AccuracySec=15s
[Install]
WantedBy=timers.target
UNIT`,
    'systemctl daemon-reload',
    'systemctl enable --now lamp-db-token.timer',
    // The first token before Apache serves; the timer retries one that fails here.
    'for attempt in 1 2 3 4 5 6; do /usr/local/sbin/lamp-db-token && break; sleep 5; done',
    'systemctl restart httpd',
  );
  return userData;
}

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

/** What differs between the two regions. */
export interface PilotLightRegion {
  readonly region: string;
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
  readonly bucketName: string;
  readonly autoScalingGroupName: string;
  readonly dbInstanceIdentifier: string;
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
  /** @default '/ref' */
  readonly healthCheckPath?: string;
  /** Capacity of the region that serves (the DR region scales to it on failover). @default { min: 2, desired: 2, max: 4 } */
  readonly capacity?: { readonly min: number; readonly desired: number; readonly max: number };
  /** @default 'lampdb' */
  readonly databaseName?: string;
  /** @default { rtoSeconds: 900, maxDataLossSeconds: 60 } */
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
  readonly primary: PilotLightRegion;
  readonly secondary: PilotLightRegion;
  /** Code of the failover controller Lambda. @default the `failover-controller` bundle shipped in this package */
  readonly controllerCode?: lambda.Code;
  /** Code of the daily snapshot Lambda. @default the `snapshot` bundle shipped in this package */
  readonly snapshotCode?: lambda.Code;
  /** Code of the readiness Lambda. @default the `readiness` bundle shipped in this package */
  readonly readinessCode?: lambda.Code;
}

/**
 * The whole pilot light from a handful of props: the primary region serving, the DR region
 * as a pilot light (replica, zero instances, endpoint at weight 0), the global entry point in
 * us-west-2, and the DR control plane (config in SSM in both regions, the failover controller,
 * the Route 53 health check of the primary it reads through DNS with the reader Lambda in the DR
 * VPC, the snapshot job and the continuous readiness checks) in the DR region. Five stacks, deployed in dependency order:
 * Primary, Secondary, Global, then Control and PrimaryConfig (which also turns on the primary
 * bucket's replication, once the DR bucket exists).
 */
export class PilotLight extends Construct {
  readonly primaryStack: Stack;
  readonly secondaryStack: Stack;
  readonly globalStack: Stack;
  /** The DR region's control plane: config, failover controller, snapshots. */
  readonly controlStack: Stack;
  /** In the primary region, deployed last: the config's copy and the primary bucket's replication. */
  readonly primaryConfigStack: Stack;
  readonly entryPoint: GlobalEntryPoint;
  readonly controller: FailoverController;
  /** The Route 53 health check of the primary's health path and its failover record pair (in the control stack). */
  readonly primaryHealthCheck: HealthCheckRecord;
  /** The continuous readiness checks (in the control stack). */
  readonly readiness: ReadinessChecks;
  /** The `dr` command's permissions, `<app>-dr-operator` (in the control stack): attach it to the operators. */
  readonly operatorPolicy: DrOperatorPolicy;

  constructor(scope: Construct, id: string, props: PilotLightProps) {
    super(scope, id);
    const { primary, secondary, app } = props;
    const capacity = props.capacity ?? { min: 2, desired: 2, max: 4 };
    const path = props.healthCheckPath ?? '/ref';
    const activeRegion = props.activeRegion ?? primary.region;
    validateProps(this, [
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
    ]);
    const notify = { notificationEmail: props.notificationEmail, notificationSubscriptions: props.notificationSubscriptions };
    const tls = primary.certificateArn !== undefined;
    const zonesOf = (region: string) =>
      region === primary.region ? primary.availabilityZones : region === secondary.region ? secondary.availabilityZones : undefined;
    const stackProps = (region: string, description: string): RegionStackProps => ({
      env: { account: props.account, region },
      availabilityZones: zonesOf(region),
      crossRegionReferences: true,
      description,
    });

    // --- primary region -------------------------------------------------------------------
    this.primaryStack = new RegionStack(scope, `${id}-Primary`, stackProps(primary.region, `${app}: primary region`));
    const primaryNet = new PilotLightNetwork(this.primaryStack, 'Network', {
      cidr: primary.cidr,
      availabilityZones: primary.availabilityZones,
      natGateways: primary.natGateways ?? props.natGateways ?? 1,
      interfaceEndpoints: primary.interfaceEndpoints,
    });
    const image = new MachineImage(this.primaryStack, 'Image', {
      app,
      regions: [primary.region, secondary.region],
      vpc: primaryNet.vpc,
      replicateRegistry: props.replicateContainerRegistry,
    });
    const databaseName = props.databaseName ?? 'lampdb';
    const database = new PilotLightDatabase(this.primaryStack, 'Database', {
      vpc: primaryNet.vpc,
      vpcSubnets: primaryNet.databaseSubnets,
      instanceIdentifier: primary.dbInstanceIdentifier,
      databaseName,
      secretReplicaRegions: [secondary.region],
      tags: props.databaseTags,
    });
    // One topic per region, in the region's own stack, for everything that region reports: its
    // alarms and its group's launches, terminations and failures (one KMS key per region).
    const primaryNotifications = new DrNotifications(this.primaryStack, 'Notifications', { app, ...notify });
    primaryNotifications.allowAutoScalingNotifications();
    // What the instances connect as, in both regions: an IAM-authenticated user made at deploy.
    const appUser = new DatabaseAppUser(this.primaryStack, 'AppUser', {
      database,
      vpc: primaryNet.vpc,
      userName: appUserName(app),
      databaseName,
    });
    const primaryTier = new AppTier(this.primaryStack, 'App', {
      vpc: primaryNet.vpc,
      vpcSubnets: primaryNet.appSubnets,
      autoScalingGroupName: primary.autoScalingGroupName,
      capacity,
      pilotLight: activeRegion !== primary.region,
      certificateArn: primary.certificateArn,
      amiParameterName: image.amiParameterName,
      healthCheckPath: path,
      notificationTopic: primaryNotifications.topic,
      userData: appEnvironment(
        primary.region,
        database.instance.dbInstanceEndpointAddress,
        databaseName,
        appUser.userName,
        primary.bucketName,
      ),
    });
    // The group launches from the image parameter: it is created once the first image is built.
    // "You must create a Systems Manager parameter before you can use it in a launch template":
    // the template and the group wait for the first image, which writes the parameter; the group
    // also waits for the app user, or its first instances would fail /ref and be replaced.
    // https://docs.aws.amazon.com/autoscaling/ec2/userguide/using-systems-manager-parameters.html
    primaryTier.launchTemplate.node.addDependency(image.imageReady);
    primaryTier.autoScalingGroup.node.addDependency(image.imageReady, appUser.resource);
    database.connections.allowDefaultPortFrom(primaryTier);
    appUser.grantConnect(primaryTier.role);
    // Deployed before the DR bucket exists, so its rule is applied later, by the PrimaryConfig stack.
    const primaryBucket = new ReplicatedBucket(this.primaryStack, 'Data', {
      bucketName: primary.bucketName,
      partnerBucketName: secondary.bucketName,
      partnerRegion: secondary.region,
      deferReplication: true,
    });
    primaryBucket.grantReadWrite(primaryTier.role);
    // The primary's alarms notify the primary region's topic: they reach a person through that region alone.
    new DrMonitoring(this.primaryStack, 'Monitoring', { app, role: 'primary', appTier: primaryTier, topic: primaryNotifications.topic });

    // --- DR region --------------------------------------------------------------------------
    this.secondaryStack = new RegionStack(scope, `${id}-Secondary`, stackProps(secondary.region, `${app}: pilot light`));
    // Dark, the DR region pays for no NAT gateway and no interface endpoint (see PilotLightRegion).
    const drNet = new PilotLightNetwork(this.secondaryStack, 'Network', {
      cidr: secondary.cidr,
      availabilityZones: secondary.availabilityZones,
      natGateways: secondary.natGateways ?? props.natGateways ?? 0,
      interfaceEndpoints: secondary.interfaceEndpoints ?? [],
    });
    const replica = new PilotLightReplica(this.secondaryStack, 'Database', {
      vpc: drNet.vpc,
      vpcSubnets: drNet.databaseSubnets,
      instanceIdentifier: secondary.dbInstanceIdentifier,
      tags: props.databaseTags,
      source: { region: primary.region, instanceIdentifier: primary.dbInstanceIdentifier },
    });
    // The DR region's topic: the DR alarms, the controller, dr runs and the DR group's notifications.
    const notifications = new DrNotifications(this.secondaryStack, 'Notifications', { app, ...notify });
    notifications.allowAutoScalingNotifications();
    const drInternetFacing = secondary.internetFacingLoadBalancer ?? false;
    const drTier = new AppTier(this.secondaryStack, 'App', {
      vpc: drNet.vpc,
      vpcSubnets: drNet.appSubnets,
      // Internal, it sits in the app subnets; the controller checks it through the reader (below).
      internetFacing: drInternetFacing,
      autoScalingGroupName: secondary.autoScalingGroupName,
      capacity,
      pilotLight: activeRegion !== secondary.region,
      certificateArn: secondary.certificateArn,
      amiParameterName: image.amiParameterName,
      healthCheckPath: path,
      notificationTopic: notifications.topic,
      // After a failover the promoted replica keeps its endpoint: the DR app needs no change.
      userData: appEnvironment(secondary.region, replica.replica.attrEndpointAddress, databaseName, appUser.userName, secondary.bucketName),
    });
    replica.connections.allowDefaultPortFrom(drTier);
    // The user replicates with the data; the grant names this region.
    appUser.grantConnect(drTier.role);
    // The primary bucket exists by now (the Primary stack deploys first): this rule can be inline.
    const drBucket = new ReplicatedBucket(this.secondaryStack, 'Data', {
      bucketName: secondary.bucketName,
      partnerBucketName: primary.bucketName,
      partnerRegion: primary.region,
    });
    drBucket.grantReadWrite(drTier.role);
    this.secondaryStack.addStackDependency(this.primaryStack, 'the replica and the image come from the primary region');

    // --- global entry point (Global Accelerator lives in us-west-2) ------------------------------
    this.globalStack = new RegionStack(scope, `${id}-Global`, stackProps('us-west-2', `${app}: global entry point`));
    this.entryPoint = new GlobalEntryPoint(this.globalStack, 'EntryPoint', {
      acceleratorName: app,
      listenerPorts: tls ? [80, 443] : [80],
      endpoints: [
        { region: primary.region, loadBalancerArn: primaryTier.loadBalancer.loadBalancerArn, serving: activeRegion === primary.region },
        { region: secondary.region, loadBalancerArn: drTier.loadBalancer.loadBalancerArn, serving: activeRegion === secondary.region },
      ],
    });

    // --- the DR control plane, and the config in both regions ------------------------------------
    // Each database's own and retired parameter groups, key, subnet and security groups, and the
    // settings it was deployed with, as its construct made them: a failback recreates databases
    // from these, so they are never restated here.
    const regionConfig = (r: PilotLightRegion, tier: AppTier) => ({
      ...(r === primary ? database.drConfig : replica.drConfig),
      region: r.region,
      autoScalingGroupName: r.autoScalingGroupName,
      targetGroupArn: tier.targetGroup.targetGroupArn,
      loadBalancerArn: tier.loadBalancer.loadBalancerArn,
      bucketName: r.bucketName,
      endpointGroupArn: this.entryPoint.endpointGroupArn(r.region),
      // HTTP even with TLS: the ALB forwards the health path on port 80 (the certificate names the app's domain, not the ALB).
      healthCheckUrl: `http://${tier.loadBalancer.loadBalancerDnsName}${path}`,
      availabilityAlarmName: `${app}-${r === primary ? 'primary' : 'secondary'}-alb-availability`,
      capacity,
    });
    this.controlStack = new RegionStack(scope, `${id}-Control`, stackProps(secondary.region, `${app}: DR controller and config`));
    // Route 53 checks the primary from its checker regions; the controller reads the verdict from
    // a failover record pair in a private zone of the DR VPC, through the reader Lambda in it. The health check is
    // global, but its stack is in the DR region: CloudFormation can still manage it while the
    // primary region is down. The primary's ALB is internet-facing with port 80 open to any
    // address (AppTier), so Route 53's checkers reach it; the health path stays on HTTP with TLS.
    this.primaryHealthCheck = new HealthCheckRecord(this.controlStack, 'PrimaryHealth', {
      vpc: drNet.vpc,
      domainName: primaryTier.loadBalancer.loadBalancerDnsName,
      recordName: `${app}-primary.health.dr.internal`,
      healthCheckPath: path,
      failureThreshold: props.route53FailureThreshold,
      regions: props.route53CheckerRegions,
    });
    if (!drInternetFacing) this.primaryHealthCheck.reader.allowHealthChecksOf(drTier.loadBalancer);
    const config: DrConfigInput = {
      schemaVersion: 1,
      app,
      primary: { ...regionConfig(primary, primaryTier), route53HealthCheck: this.primaryHealthCheck.ref },
      // An internal DR ALB is checked from inside its VPC by the reader, for the controller and dr.
      secondary: {
        ...regionConfig(secondary, drTier),
        ...(drInternetFacing ? {} : { healthCheckVia: this.primaryHealthCheck.reader.function.functionArn }),
      },
      globalAccelerator: {
        acceleratorArn: this.entryPoint.accelerator.attrAcceleratorArn,
        listenerArn: this.entryPoint.listener.attrListenerArn,
      },
      healthPath: path,
      objectives: props.objectives ?? { rtoSeconds: 900, maxDataLossSeconds: 60 },
      approval: { required: props.approvalRequired ?? false },
      // The dr command publishes its runs' news here too, as the controller does.
      controller: { stateTableName: `${app}-dr-state`, topicArn: notifications.topic.topicArn },
    };
    const drConfig = new DrConfigParameter(this.controlStack, 'Config', { config });
    this.controller = new FailoverController(this.controlStack, 'Controller', {
      configParameter: drConfig,
      code: props.controllerCode,
      notifications,
      healthRecordReader: this.primaryHealthCheck.reader.function,
    });
    this.operatorPolicy = new DrOperatorPolicy(this.controlStack, 'DrOperator', {
      configParameter: drConfig,
      controller: this.controller,
      notifications,
    });
    const snapshots = new SnapshotSchedule(this.controlStack, 'Snapshots', {
      configParameter: drConfig,
      code: props.snapshotCode,
      topic: notifications.topic,
    });
    this.readiness = new ReadinessChecks(this.controlStack, 'Readiness', {
      configParameter: drConfig,
      controller: this.controller,
      code: props.readinessCode,
    });
    new DrMonitoring(this.controlStack, 'Monitoring', {
      app,
      role: 'secondary',
      appTier: drTier,
      replicaInstanceIdentifier: secondary.dbInstanceIdentifier,
      maxDataLossSeconds: props.objectives?.maxDataLossSeconds,
      topic: this.controller.topic,
      extraAlarms: [this.controller.errorsAlarm, snapshots.errorsAlarm],
      readiness: this.readiness,
    });
    this.primaryConfigStack = new RegionStack(
      scope,
      `${id}-PrimaryConfig`,
      stackProps(primary.region, `${app}: DR config and the primary bucket's replication to the DR bucket, in the primary region`),
    );
    new DrConfigParameter(this.primaryConfigStack, 'Config', { config });
    // S3 rejects a replication rule whose destination does not exist yet: the primary bucket's rule
    // is applied here, once the Secondary stack has made the DR bucket.
    new BucketReplication(this.primaryConfigStack, 'DataReplication', { bucket: primaryBucket });
    this.primaryConfigStack.addStackDependency(
      this.secondaryStack,
      'the primary bucket replicates to the DR bucket, which must exist first',
    );
  }
}
