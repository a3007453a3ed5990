/**
 * `@dr/constructs`: CDK constructs for pilot-light disaster recovery: the network, app tier,
 * machine image, database and its least-privilege app user, replicated bucket, global entry
 * point, failover controller, snapshots, monitoring, the DR config, and the `PilotLight`
 * blueprint that composes them.
 * @packageDocumentation
 */
export {
  PilotLightNetwork,
  defaultAvailabilityZones,
  APP_SUBNET_GROUP,
  DATABASE_SUBNET_GROUP,
  type IPilotLightNetwork,
  type PilotLightNetworkAttributes,
  type PilotLightNetworkProps,
} from './network.js';
export { RegionStack, type RegionStackProps } from './region-stack.js';
export { ReplicatedBucket, type IReplicatedBucket, type ReplicatedBucketProps } from './replicated-bucket.js';
export { BucketReplication, type BucketReplicationProps } from './bucket-replication.js';
export { DrConfigParameter, type DrConfigParameterProps, type IDrConfigParameter } from './dr-config-parameter.js';
export { DrNotifications, type DrNotificationsProps, type IDrNotifications, type NotificationSubscription } from './notifications.js';
export { FailoverController, type FailoverControllerProps, type IFailoverController } from './failover-controller.js';
export { DrOperatorPolicy, type DrOperatorPolicyProps } from './dr-operator-policy.js';
export { SnapshotSchedule, type SnapshotScheduleProps } from './snapshot-schedule.js';
export {
  PilotLightDatabase,
  type IPilotLightDatabase,
  type PilotLightDatabaseAttributes,
  type PilotLightDatabaseProps,
  type DatabaseSharedProps,
  type AuroraClusterSharedProps,
} from './database.js';
export { PilotLightReplica, type PilotLightReplicaProps } from './replica.js';
export type { DatabaseDrConfig, DatabaseSettings, AuroraClusterDrConfig, AuroraDatabaseSettings } from './database-config.js';
export { DatabaseAppUser, type DatabaseAppUserProps, type IAppUserDatabase } from './database-app-user.js';
export { DataTier, type AuroraGlobalTierOptions } from './data-tier.js';
export { PilotLightAuroraPrimary, type PilotLightAuroraPrimaryProps } from './aurora-primary.js';
export { PilotLightAuroraSecondary, type PilotLightAuroraSecondaryProps } from './aurora-secondary.js';
export { AppTier, type AppTierProps, type IAppTier } from './app-tier.js';
export { GlobalEntryPoint, type GlobalEntryPointProps, type RegionalEndpoint } from './global-entry-point.js';
export { DrMonitoring, type DrMonitoringProps } from './monitoring.js';
export { HealthCheckRecord, ROUTE53_CHECKER_REGIONS, type HealthCheckRecordProps } from './health-check-record.js';
export { HealthRecordReader, type HealthRecordReaderOptions, type HealthRecordReaderProps } from './health-record-reader.js';
export { ReadinessChecks, type IReadinessChecks, type ReadinessChecksProps } from './readiness.js';
export { MachineImage, type MachineImageProps } from './machine-image.js';
export { PilotLight } from './pilot-light.js';
export type { PilotLightProps, PilotLightOptions, PilotLightRegion } from './pilot-light-props.js';
