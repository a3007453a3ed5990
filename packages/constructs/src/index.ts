/**
 * `@dr/constructs`: CDK constructs for pilot-light disaster recovery. In progress (issue 4):
 * the network, the replicated bucket and the DR config parameter are here; the app tier,
 * database, entry point, controller, snapshots, monitoring and the `PilotLight` blueprint follow.
 * @packageDocumentation
 */
export { PilotLightNetwork, type PilotLightNetworkProps } from './network.js';
export { ReplicatedBucket, type ReplicatedBucketProps } from './replicated-bucket.js';
export { DrConfigParameter, type DrConfigParameterProps } from './dr-config-parameter.js';
export { FailoverController, type FailoverControllerProps } from './failover-controller.js';
export { SnapshotSchedule, type SnapshotScheduleProps } from './snapshot-schedule.js';
export { PilotLightDatabase, PilotLightReplica, type PilotLightDatabaseProps, type PilotLightReplicaProps, type DatabaseSharedProps } from './database.js';
export { AppTier, type AppTierProps } from './app-tier.js';
export { GlobalEntryPoint, type GlobalEntryPointProps, type RegionalEndpoint } from './global-entry-point.js';
export { DrMonitoring, type DrMonitoringProps } from './monitoring.js';
export { MachineImage, type MachineImageProps } from './machine-image.js';
export { PilotLight, type PilotLightProps, type PilotLightOptions, type PilotLightRegion } from './pilot-light.js';
