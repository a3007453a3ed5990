import type { Stack } from 'aws-cdk-lib';
import { AppTier } from '../app-tier.js';
import { PilotLightAuroraPrimary } from '../aurora-primary.js';
import { PilotLightAuroraSecondary } from '../aurora-secondary.js';
import { appUserName, DatabaseAppUser } from '../database-app-user.js';
import { PilotLightDatabase } from '../database.js';
import { MachineImage } from '../machine-image.js';
import { DrMonitoring } from '../monitoring.js';
import { PilotLightNetwork } from '../network.js';
import { DrNotifications } from '../notifications.js';
import type { PilotLightProps } from '../pilot-light-props.js';
import { PilotLightReplica } from '../replica.js';
import { ReplicatedBucket } from '../replicated-bucket.js';
import { appEnvironment } from './boot-user-data.js';
import type { ResolvedAuroraTier, ResolvedPilotLight } from './pilot-light-rules.js';

/** What both Aurora clusters share: the global database, its engine, the instance class, backups and tags. */
function auroraShared(props: PilotLightProps, aurora: ResolvedAuroraTier) {
  return {
    globalClusterIdentifier: aurora.globalClusterIdentifier,
    engineVersion: aurora.engineVersion,
    instanceType: aurora.instanceType,
    backupRetention: aurora.backupRetention,
    tags: props.databaseTags,
  };
}

/** The database name both regions' app tiers use. */
export function databaseNameOf(props: PilotLightProps): string {
  return props.databaseName ?? 'lampdb';
}

/** One region's topic, open to its Auto Scaling group's notifications. */
function regionNotifications(stack: Stack, props: PilotLightProps): DrNotifications {
  // One topic per region, in the region's own stack, for everything that region reports: its
  // alarms and its group's launches, terminations and failures (one KMS key per region).
  const notifications = new DrNotifications(stack, 'Notifications', {
    app: props.app,
    notificationEmail: props.notificationEmail,
    notificationSubscriptions: props.notificationSubscriptions,
  });
  notifications.allowAutoScalingNotifications();
  return notifications;
}

/** What the primary region's stack holds that the other stacks refer to. */
export interface PrimaryRegionParts {
  readonly image: MachineImage;
  /** The RDS tier's primary instance, or the Aurora tier's primary cluster and global database. */
  readonly database: PilotLightDatabase | PilotLightAuroraPrimary;
  readonly appUser: DatabaseAppUser;
  readonly tier: AppTier;
  readonly bucket: ReplicatedBucket;
}

/** The primary region: network, image pipeline, database and its app user, app tier, bucket, topic and monitoring. */
export function composePrimaryRegion(stack: Stack, props: PilotLightProps, resolved: ResolvedPilotLight): PrimaryRegionParts {
  const { primary, secondary, app } = resolved;
  const net = new PilotLightNetwork(stack, 'Network', {
    cidr: primary.cidr,
    availabilityZones: primary.availabilityZones,
    natGateways: primary.natGateways ?? props.natGateways ?? 1,
    interfaceEndpoints: primary.interfaceEndpoints,
  });
  const image = new MachineImage(stack, 'Image', {
    app,
    regions: [primary.region, secondary.region],
    vpc: net.vpc,
    replicateRegistry: props.replicateContainerRegistry,
  });
  const databaseName = databaseNameOf(props);
  // Each tier under its own construct id: a tier switch never turns one tier's resources into
  // the other's (their logical ids differ), and every data-holding resource is retained or
  // snapshotted, so no template change deletes data (README, "Data tier").
  const database = resolved.aurora
    ? new PilotLightAuroraPrimary(stack, 'GlobalDatabase', {
        ...auroraShared(props, resolved.aurora),
        vpc: net.vpc,
        vpcSubnets: net.databaseSubnets,
        clusterIdentifier: resolved.aurora.primaryClusterIdentifier,
        instanceIdentifier: primary.dbInstanceIdentifier,
        databaseName,
        secretReplicaRegions: [secondary.region],
      })
    : new PilotLightDatabase(stack, 'Database', {
        vpc: net.vpc,
        vpcSubnets: net.databaseSubnets,
        instanceIdentifier: primary.dbInstanceIdentifier,
        databaseName,
        secretReplicaRegions: [secondary.region],
        tags: props.databaseTags,
      });
  const notifications = regionNotifications(stack, props);
  // What the instances connect as, in both regions: an IAM-authenticated user made at deploy.
  const appUser = new DatabaseAppUser(stack, 'AppUser', { database, vpc: net.vpc, userName: appUserName(app), databaseName });
  const tier = new AppTier(stack, 'App', {
    vpc: net.vpc,
    vpcSubnets: net.appSubnets,
    autoScalingGroupName: primary.autoScalingGroupName,
    capacity: resolved.capacity,
    pilotLight: resolved.activeRegion !== primary.region,
    certificateArn: primary.certificateArn,
    amiParameterName: image.amiParameterName,
    healthCheckPath: resolved.path,
    notificationTopic: notifications.topic,
    userData: appEnvironment(primary.region, database.endpointAddress, databaseName, appUser.userName, primary.bucketName),
  });
  // The group launches from the image parameter: it is created once the first image is built.
  // "You must create a Systems Manager parameter before you can use it in a launch template":
  // the template and the group wait for the first image, which writes the parameter; the group
  // also waits for the app user, or its first instances would fail /ref and be replaced.
  // https://docs.aws.amazon.com/autoscaling/ec2/userguide/using-systems-manager-parameters.html
  tier.launchTemplate.node.addDependency(image.imageReady);
  tier.autoScalingGroup.node.addDependency(image.imageReady, appUser.resource);
  database.connections.allowDefaultPortFrom(tier);
  appUser.grantConnect(tier.role);
  // Deployed before the DR bucket exists, so its rule is applied later, by the PrimaryConfig stack.
  const bucket = new ReplicatedBucket(stack, 'Data', {
    bucketName: primary.bucketName,
    partnerBucketName: secondary.bucketName,
    partnerRegion: secondary.region,
    deferReplication: true,
  });
  bucket.grantReadWrite(tier.role);
  // The primary's alarms notify the primary region's topic: they reach a person through that region alone.
  new DrMonitoring(stack, 'Monitoring', { app, role: 'primary', appTier: tier, topic: notifications.topic });
  return { image, database, appUser, tier, bucket };
}

/** What the DR region's stack holds that the other stacks refer to. */
export interface DrRegionParts {
  readonly net: PilotLightNetwork;
  /** The RDS tier's read replica, or the Aurora tier's secondary cluster. */
  readonly database: PilotLightReplica | PilotLightAuroraSecondary;
  readonly notifications: DrNotifications;
  readonly tier: AppTier;
  /** Whether the DR load balancer is internet-facing (by default it is internal). */
  readonly internetFacing: boolean;
}

/** The DR region: network (dark: no NAT, no interface endpoint), replica, app tier at zero, bucket and topic. */
export function composeDrRegion(
  stack: Stack,
  props: PilotLightProps,
  resolved: ResolvedPilotLight,
  primaryParts: PrimaryRegionParts,
): DrRegionParts {
  const { primary, secondary } = resolved;
  // Dark, the DR region pays for no NAT gateway and no interface endpoint (see PilotLightRegion).
  const net = new PilotLightNetwork(stack, 'Network', {
    cidr: secondary.cidr,
    availabilityZones: secondary.availabilityZones,
    natGateways: secondary.natGateways ?? props.natGateways ?? 0,
    interfaceEndpoints: secondary.interfaceEndpoints ?? [],
  });
  const replica = resolved.aurora
    ? new PilotLightAuroraSecondary(stack, 'GlobalDatabase', {
        ...auroraShared(props, resolved.aurora),
        vpc: net.vpc,
        vpcSubnets: net.databaseSubnets,
        clusterIdentifier: resolved.aurora.secondaryClusterIdentifier,
        instanceIdentifier: secondary.dbInstanceIdentifier,
        key: resolved.aurora.secondaryKey,
      })
    : new PilotLightReplica(stack, 'Database', {
        vpc: net.vpc,
        vpcSubnets: net.databaseSubnets,
        instanceIdentifier: secondary.dbInstanceIdentifier,
        tags: props.databaseTags,
        source: { region: primary.region, instanceIdentifier: primary.dbInstanceIdentifier },
      });
  // The DR region's topic: the DR alarms, the controller, dr runs and the DR group's notifications.
  const notifications = regionNotifications(stack, props);
  const internetFacing = secondary.internetFacingLoadBalancer ?? false;
  const tier = new AppTier(stack, 'App', {
    vpc: net.vpc,
    vpcSubnets: net.appSubnets,
    // Internal, it sits in the app subnets; the controller checks it through the reader.
    internetFacing,
    autoScalingGroupName: secondary.autoScalingGroupName,
    capacity: resolved.capacity,
    pilotLight: resolved.activeRegion !== secondary.region,
    certificateArn: secondary.certificateArn,
    amiParameterName: primaryParts.image.amiParameterName,
    healthCheckPath: resolved.path,
    notificationTopic: notifications.topic,
    // After a failover the promoted replica keeps its endpoint, and the promoted secondary
    // cluster's cluster endpoint becomes its writer: the DR app needs no change.
    userData: appEnvironment(
      secondary.region,
      replica.endpointAddress,
      databaseNameOf(props),
      primaryParts.appUser.userName,
      secondary.bucketName,
    ),
  });
  replica.connections.allowDefaultPortFrom(tier);
  // The user replicates with the data; the grant names this region.
  primaryParts.appUser.grantConnect(tier.role);
  // The primary bucket exists by now (the Primary stack deploys first): this rule can be inline.
  const bucket = new ReplicatedBucket(stack, 'Data', {
    bucketName: secondary.bucketName,
    partnerBucketName: primary.bucketName,
    partnerRegion: primary.region,
  });
  bucket.grantReadWrite(tier.role);
  return { net, database: replica, notifications, tier, internetFacing };
}
