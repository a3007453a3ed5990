/**
 * `@dr/aws-adapters`: the ports of `@dr/failover-core` on AWS SDK v3 clients, and
 * `createAwsPorts(config)` that builds the whole set.
 * @packageDocumentation
 */
export { createAwsPorts, type AwsPortsOptions, type AwsService } from './create-aws-ports.js';
export {
  callAws,
  allPages,
  isThrottlingError,
  isUnreachableError,
  DEFAULT_CALL_POLICY,
  type CallPolicy,
  type CallContext,
} from './aws-call.js';
export type { RegionalClients } from './clients.js';
export { RdsDatabase, type RdsDatabaseOptions, type RdsRegionSettings } from './rds/rds-database.js';
export { AuroraDatabase, type AuroraDatabaseOptions, type AuroraRegionSettings } from './rds/aurora-database.js';
export {
  AuroraGlobalDatabase,
  NoGlobalDatabase,
  failoverSnapshotPrefix,
  parseClusterArn,
  type AuroraGlobalDatabaseOptions,
} from './rds/aurora-global-database.js';
export { RdsSnapshots, RdsSnapshotPort, type RdsSnapshotsOptions, type DbSnapshotInfo } from './rds/rds-snapshots.js';
export { AutoScalingCompute, type AutoScalingComputeOptions } from './auto-scaling/auto-scaling-compute.js';
export { ElbTargetHealth, type ElbTargetHealthOptions } from './elbv2/target-health.js';
export { GlobalAcceleratorTraffic, type GlobalAcceleratorTrafficOptions } from './global-accelerator/global-accelerator-traffic.js';
export { CloudWatchMetrics, type CloudWatchOptions } from './cloudwatch/cloudwatch-metrics.js';
export { DynamoDbStateStore, type DynamoDbStateStoreOptions } from './dynamodb/dynamodb-state-store.js';
export { loadConfigFromSsm, configParameterName, type SsmConfigOptions } from './ssm/ssm-config.js';
export { SnsNotifier, type SnsNotifierOptions } from './sns/sns-notifier.js';
export { HttpProbe, type HttpProbeOptions } from './http/http-probe.js';
export { DnsHealthChecks, ROUTE53_CHECKER_INTERVAL_MS, type DnsHealthChecksOptions } from './route53/dns-health-checks.js';
export {
  lookupHealthRecord,
  DirectDnsTransport,
  type HealthRecordAddress,
  type HealthRecordLookup,
  type LocalHealthRecordLookup,
  type HealthRecordLookupOptions,
  type HealthRecordTransport,
} from './route53/health-record-lookup.js';
export { LambdaProbe, RoutedProbe, PROBE_INVOKE_OVERHEAD_MS, type HttpCheckEvent, type LambdaProbeOptions } from './lambda/lambda-probe.js';
export {
  HealthRecordReaderTransport,
  READER_INVOKE_OVERHEAD_MS,
  type HealthRecordReaderEvent,
  type HealthRecordReaderTransportOptions,
} from './lambda/health-record-reader-transport.js';
export { systemClock } from './system-clock.js';
export { Ec2Catalog, type Ec2CatalogOptions } from './ec2/ec2-catalog.js';
export { Ec2VcpuQuota, type Ec2VcpuQuotaOptions } from './service-quotas/ec2-vcpu-quota.js';
export { SsmParameters, type SsmParametersOptions } from './ssm/ssm-parameters.js';
export { CloudWatchPublisher, type CloudWatchPublisherOptions } from './cloudwatch/cloudwatch-publisher.js';
export { S3ReplicationFailures, type S3ReplicationFailuresOptions } from './cloudwatch/replication-failures.js';
export { AwsReadiness, type AwsReadinessParts } from './readiness/aws-readiness.js';
