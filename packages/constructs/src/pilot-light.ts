import { Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { DrConfigInput } from '@dr/failover-core';
import { Construct } from 'constructs';
import { AppTier } from './app-tier.js';
import { PilotLightDatabase, PilotLightReplica } from './database.js';
import { DrConfigParameter } from './dr-config-parameter.js';
import { DrOperatorPolicy } from './dr-operator-policy.js';
import { DrNotifications, FailoverController } from './failover-controller.js';
import { GlobalEntryPoint } from './global-entry-point.js';
import { HealthCheckRecord } from './health-check-record.js';
import { MachineImage } from './machine-image.js';
import { DrMonitoring } from './monitoring.js';
import { PilotLightNetwork } from './network.js';
import { acknowledge } from './private/nag.js';
import { cidrsOverlap, validateProps } from './private/validate.js';
import { BucketReplication } from './bucket-replication.js';
import { ReplicatedBucket } from './replicated-bucket.js';
import { ReadinessChecks } from './readiness.js';
import { SnapshotSchedule } from './snapshot-schedule.js';

/**
 * Boot commands that write /etc/lamp/env, which the image's /ref page reads: the database host,
 * name and credentials (from the secret, replicated to both regions) and the bucket.
 */
function appEnvironment(region: string, secretId: string, dbHost: string, dbName: string, bucket: string): ec2.UserData {
  const userData = ec2.UserData.forLinux();
  // String.raw: the script must reach the instance exactly as written here.
  userData.addCommands(
    'set -euo pipefail',
    'install -d -m 0750 -o root -g apache /etc/lamp',
    `aws secretsmanager get-secret-value --region ${region} --secret-id '${secretId}' --query SecretString --output text > /run/lamp-secret.json`,
    String.raw`python3 - /run/lamp-secret.json > /etc/lamp/env <<'PY'
import json, sys
secret = json.load(open(sys.argv[1]))
print('DB_USER="%s"' % secret["username"])
print('DB_PASSWORD="%s"' % secret["password"])
PY`,
    'rm -f /run/lamp-secret.json',
    `printf 'DB_HOST="%s"\nDB_NAME="%s"\nBUCKET="%s"\n' '${dbHost}' '${dbName}' '${bucket}' >> /etc/lamp/env`,
    'chown root:apache /etc/lamp/env && chmod 0640 /etc/lamp/env',
    'systemctl restart httpd',
  );
  return userData;
}

/** Sends an app tier's scaling notifications (its encrypted topic in the region's stack) to `email`, if any. */
function subscribe(tier: AppTier, email: string | undefined): void {
  if (email) tier.notificationTopic.addSubscription(new subscriptions.EmailSubscription(email));
}

/** What differs between the two regions. */
export interface PilotLightRegion {
  readonly region: string;
  readonly cidr: string;
  /** At least two, named explicitly: synthesis needs no account lookup. */
  readonly availabilityZones: readonly string[];
  readonly bucketName: string;
  readonly autoScalingGroupName: string;
  readonly dbInstanceIdentifier: string;
  /**
   * ACM certificate in this region for HTTPS on 443 (port 80 then redirects, except the health
   * path); give both regions one or neither, so users get HTTPS after a failover too.
   * @default - HTTP only
   */
  readonly certificateArn?: string;
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
  /** Receives failover news, alarms, and each region's Auto Scaling launch/terminate/error notifications. @default - no subscription */
  readonly notificationEmail?: string;
  /**
   * NAT gateways per region. The DR region needs at least one: the failover controller runs in
   * its VPC (to resolve the Route 53 health record) and reaches the primary's health path, the
   * primary region's APIs and Global Accelerator's through it.
   * @default 1
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
   * redeploy; the global stack's traffic guard fails a deploy whose template disagrees with the
   * live endpoint groups, rather than sending users back to the failed region.
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
 * us-west-2, and the DR control plane (config in SSM in both regions, the failover controller in
 * the DR VPC, the Route 53 health check of the primary it reads through DNS, the snapshot job and
 * the continuous readiness checks) in the DR region. Five stacks, deployed in dependency order:
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
      { failed: activeRegion !== primary.region && activeRegion !== secondary.region, message: `activeRegion must be primary.region (${primary.region}) or secondary.region (${secondary.region}); got ${JSON.stringify(activeRegion)}` },
      { failed: !/^[a-z][a-z0-9-]{0,30}$/.test(app), message: `app must be a short lower-case name; got ${JSON.stringify(app)}` },
      { failed: primary.region === secondary.region, message: `secondary.region must differ from primary.region (${primary.region})` },
      { failed: cidrsOverlap(primary.cidr, secondary.cidr), message: `secondary.cidr ${secondary.cidr} overlaps primary.cidr ${primary.cidr}` },
      { failed: capacity.desired > capacity.max, message: `capacity.desired ${capacity.desired} is above the group's maximum ${capacity.max}` },
      { failed: capacity.min > capacity.desired, message: `capacity.min ${capacity.min} is above capacity.desired ${capacity.desired}` },
      { failed: !path.startsWith('/'), message: `healthCheckPath must start with /; got ${JSON.stringify(path)}` },
      { failed: (props.natGateways ?? 1) < 1, message: `natGateways must be at least 1: the failover controller reaches the primary region and Global Accelerator from the DR region's VPC through NAT; got ${props.natGateways}` },
      { failed: (primary.certificateArn === undefined) !== (secondary.certificateArn === undefined), message: 'secondary.certificateArn and primary.certificateArn must be given both or neither: the accelerator listens on 443 for both regions' },
    ]);
    const tls = primary.certificateArn !== undefined;
    const env = (region: string) => ({ account: props.account, region });
    const stackProps = (region: string, description: string): StackProps => ({ env: env(region), crossRegionReferences: true, description });

    // --- primary region -------------------------------------------------------------------
    this.primaryStack = new Stack(scope, `${id}-Primary`, stackProps(primary.region, `${app}: primary region`));
    const primaryNet = new PilotLightNetwork(this.primaryStack, 'Network', { cidr: primary.cidr, availabilityZones: primary.availabilityZones, natGateways: props.natGateways });
    const image = new MachineImage(this.primaryStack, 'Image', { app, regions: [primary.region, secondary.region], vpc: primaryNet.vpc, replicateRegistry: props.replicateContainerRegistry });
    const databaseName = props.databaseName ?? 'lampdb';
    const secretId = `${primary.dbInstanceIdentifier}/credentials`;
    const database = new PilotLightDatabase(this.primaryStack, 'Database', {
      vpc: primaryNet.vpc,
      instanceIdentifier: primary.dbInstanceIdentifier,
      databaseName,
      secretReplicaRegions: [secondary.region],
      tags: props.databaseTags,
    });
    const primaryTier = new AppTier(this.primaryStack, 'App', {
      vpc: primaryNet.vpc,
      autoScalingGroupName: primary.autoScalingGroupName,
      capacity,
      pilotLight: activeRegion !== primary.region,
      certificateArn: primary.certificateArn,
      amiParameterName: image.amiParameterName,
      healthCheckPath: path,
      userData: appEnvironment(primary.region, secretId, database.instance.dbInstanceEndpointAddress, databaseName, primary.bucketName),
    });
    database.connections.allowDefaultPortFrom(primaryTier);
    subscribe(primaryTier, props.notificationEmail);
    database.grantReadCredentials(primaryTier.role);
    // Deployed before the DR bucket exists, so its rule is applied later, by the PrimaryConfig stack.
    const primaryBucket = new ReplicatedBucket(this.primaryStack, 'Data', { bucketName: primary.bucketName, partnerBucketName: secondary.bucketName, partnerRegion: secondary.region, deferReplication: true });
    primaryBucket.grantReadWrite(primaryTier.role);
    new DrMonitoring(this.primaryStack, 'Monitoring', { app, role: 'primary', appTier: primaryTier });

    // --- DR region --------------------------------------------------------------------------
    this.secondaryStack = new Stack(scope, `${id}-Secondary`, stackProps(secondary.region, `${app}: pilot light`));
    const drNet = new PilotLightNetwork(this.secondaryStack, 'Network', { cidr: secondary.cidr, availabilityZones: secondary.availabilityZones, natGateways: props.natGateways });
    const replica = new PilotLightReplica(this.secondaryStack, 'Database', {
      vpc: drNet.vpc,
      instanceIdentifier: secondary.dbInstanceIdentifier,
      tags: props.databaseTags,
      source: { region: primary.region, instanceIdentifier: primary.dbInstanceIdentifier },
    });
    const drTier = new AppTier(this.secondaryStack, 'App', {
      vpc: drNet.vpc,
      autoScalingGroupName: secondary.autoScalingGroupName,
      capacity,
      pilotLight: activeRegion !== secondary.region,
      certificateArn: secondary.certificateArn,
      amiParameterName: image.amiParameterName,
      healthCheckPath: path,
      // After a failover the promoted replica keeps its endpoint: the DR app needs no change.
      userData: appEnvironment(secondary.region, secretId, replica.replica.attrEndpointAddress, databaseName, secondary.bucketName),
    });
    replica.connections.allowDefaultPortFrom(drTier);
    subscribe(drTier, props.notificationEmail);
    // The credentials secret is replicated here under the same name.
    drTier.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        resources: [`arn:${this.secondaryStack.partition}:secretsmanager:${secondary.region}:${props.account}:secret:${primary.dbInstanceIdentifier}/credentials-*`],
      }),
    );
    acknowledge(
      drTier.role,
      [`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:${secondary.region}:${props.account}:secret:${primary.dbInstanceIdentifier}/credentials-*]`],
      'Secrets Manager appends a random suffix to a secret\'s ARN; the -* matches the one replicated credentials secret.',
    );
    // The primary bucket exists by now (the Primary stack deploys first): this rule can be inline.
    const drBucket = new ReplicatedBucket(this.secondaryStack, 'Data', { bucketName: secondary.bucketName, partnerBucketName: primary.bucketName, partnerRegion: primary.region });
    drBucket.grantReadWrite(drTier.role);
    this.secondaryStack.addStackDependency(this.primaryStack, 'the replica and the image come from the primary region');

    // --- global entry point (Global Accelerator lives in us-west-2) ------------------------------
    this.globalStack = new Stack(scope, `${id}-Global`, stackProps('us-west-2', `${app}: global entry point`));
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
      endpointGroupArn: this.entryPoint.endpointGroups[r.region]?.attrEndpointGroupArn ?? '',
      // HTTP even with TLS: the ALB forwards the health path on port 80 (the certificate names the app's domain, not the ALB).
      healthCheckUrl: `http://${tier.loadBalancer.loadBalancerDnsName}${path}`,
      availabilityAlarmName: `${app}-${r === primary ? 'primary' : 'secondary'}-alb-availability`,
      capacity,
    });
    this.controlStack = new Stack(scope, `${id}-Control`, stackProps(secondary.region, `${app}: DR controller and config`));
    const notifications = new DrNotifications(this.controlStack, 'Notifications', { app, notificationEmail: props.notificationEmail });
    // Route 53 checks the primary from its checker regions; the controller reads the verdict from
    // a failover record pair in a private zone of the DR VPC, where it runs. The health check is
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
    const config: DrConfigInput = {
      schemaVersion: 1,
      app,
      primary: { ...regionConfig(primary, primaryTier), route53HealthCheck: this.primaryHealthCheck.ref },
      secondary: regionConfig(secondary, drTier),
      globalAccelerator: { acceleratorArn: this.entryPoint.accelerator.attrAcceleratorArn, listenerArn: this.entryPoint.listener.attrListenerArn },
      healthPath: path,
      objectives: props.objectives ?? { rtoSeconds: 900, maxDataLossSeconds: 60 },
      approval: { required: props.approvalRequired ?? false },
      // The dr command publishes its runs' news here too, as the controller does.
      controller: { stateTableName: `${app}-dr-state`, topicArn: notifications.topic.topicArn },
    };
    const drConfig = new DrConfigParameter(this.controlStack, 'Config', { config });
    this.controller = new FailoverController(this.controlStack, 'Controller', { configParameter: drConfig, code: props.controllerCode, notifications, vpc: drNet.vpc });
    this.operatorPolicy = new DrOperatorPolicy(this.controlStack, 'DrOperator', { configParameter: drConfig, controller: this.controller, notifications });
    const snapshots = new SnapshotSchedule(this.controlStack, 'Snapshots', { configParameter: drConfig, code: props.snapshotCode });
    this.readiness = new ReadinessChecks(this.controlStack, 'Readiness', { configParameter: drConfig, controller: this.controller, code: props.readinessCode });
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
    this.primaryConfigStack = new Stack(scope, `${id}-PrimaryConfig`, stackProps(primary.region, `${app}: DR config and the primary bucket's replication to the DR bucket, in the primary region`));
    new DrConfigParameter(this.primaryConfigStack, 'Config', { config });
    // S3 rejects a replication rule whose destination does not exist yet: the primary bucket's rule
    // is applied here, once the Secondary stack has made the DR bucket.
    new BucketReplication(this.primaryConfigStack, 'DataReplication', { bucket: primaryBucket });
    this.primaryConfigStack.addStackDependency(this.secondaryStack, 'the primary bucket replicates to the DR bucket, which must exist first');
  }
}
