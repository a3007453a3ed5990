import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { defaultStateTableName, type DrConfig, type Ports } from '@dr/failover-core';
import type { Clock, Notification, Notifier } from '@dr/failover-core/ports';
import { DEFAULT_CALL_POLICY, type CallPolicy } from './aws-call.js';
import { AutoScalingCompute } from './auto-scaling/auto-scaling-compute.js';
import { CloudWatchMetrics } from './cloudwatch/cloudwatch-metrics.js';
import { DynamoDbStateStore } from './dynamodb/dynamodb-state-store.js';
import { GlobalAcceleratorTraffic } from './global-accelerator/global-accelerator-traffic.js';
import { HttpProbe } from './http/http-probe.js';
import { RdsDatabase } from './rds/rds-database.js';
import { AuroraDatabase } from './rds/aurora-database.js';
import { AuroraGlobalDatabase, NoGlobalDatabase } from './rds/aurora-global-database.js';
import { HealthRecordReaderTransport } from './lambda/health-record-reader-transport.js';
import { LambdaProbe, RoutedProbe } from './lambda/lambda-probe.js';
import { DnsHealthChecks } from './route53/dns-health-checks.js';
import { SnsNotifier } from './sns/sns-notifier.js';
import { systemClock } from './system-clock.js';
import { CloudWatchPublisher } from './cloudwatch/cloudwatch-publisher.js';
import { S3ReplicationFailures } from './cloudwatch/replication-failures.js';
import { Ec2Catalog } from './ec2/ec2-catalog.js';
import { RdsSnapshots } from './rds/rds-snapshots.js';
import { AwsReadiness } from './readiness/aws-readiness.js';
import { Ec2VcpuQuota } from './service-quotas/ec2-vcpu-quota.js';
import { SsmParameters } from './ssm/ssm-parameters.js';

/** Services whose endpoint can be overridden (for LocalStack-style endpoints). */
export type AwsService =
  | 'rds'
  | 'autoScaling'
  | 'elasticLoadBalancingV2'
  | 'cloudWatch'
  | 'globalAccelerator'
  | 'dynamoDb'
  | 'sns'
  | 'ssm'
  | 'ec2'
  | 'serviceQuotas'
  | 'lambda';

/** Options of {@link createAwsPorts}. */
export interface AwsPortsOptions {
  /** Credentials for every client. @default the SDK's default provider chain */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Endpoint URL per service, such as `{ dynamoDb: 'http://127.0.0.1:4566' }`. */
  readonly endpoints?: Partial<Record<AwsService, string>>;
  /**
   * Per-call deadline after which a region counts as unreachable, the TCP connect timeout, and
   * the deadline of a DNS query for a Route 53 health record (`dnsMs`, 2000 by default).
   */
  readonly timeouts?: { readonly callMs?: number; readonly connectMs?: number; readonly dnsMs?: number };
  /**
   * DNS servers that answer the Route 53 health records, as `Resolver.setServers` takes them
   * (`'10.0.0.2'`, `'127.0.0.1:5353'`).
   * @default the system's: in a Lambda in a VPC, the VPC resolver (which answers the private hosted zone)
   */
  readonly dnsServers?: readonly string[];
  /**
   * The health record reader Lambda (a name or an ARN) to read the Route 53 health records
   * through, for a caller outside the VPC whose resolver answers their private hosted zone (the
   * failover controller): each reading is one synchronous invocation of it
   * ({@link HealthRecordReaderTransport}). Not with `dnsServers`.
   * @default - the records are resolved in this process (`dnsServers`)
   */
  readonly healthRecordReader?: string;
  /** @default config.controller.stateTableName, else `<app>-dr-state` */
  readonly stateTableName?: string;
  /** Region of the state table. @default the secondary region (the one alive when the primary is not) */
  readonly stateRegion?: string;
  /** @default config.controller.topicArn; without one, notifications are kept in `ports.notifier.sent` only */
  readonly topicArn?: string;
  /** @default the system clock */
  readonly clock?: Clock;
  /** What the HTTP probe fetches with. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Throttle retries and backoff. */
  readonly policy?: Partial<Omit<CallPolicy, 'timeoutMs'>>;
}

/** A notifier for setups with no SNS topic: it keeps what it was told. */
class KeepingNotifier implements Notifier {
  readonly sent: Notification[] = [];
  async notify(n: Notification): Promise<void> {
    this.sent.push(n);
  }
}

/**
 * Builds every port of `@dr/failover-core` on AWS SDK v3 clients for a DR config: RDS (or, on
 * the `aurora-global` tier, the Aurora instance and the global database),
 * Auto Scaling with ELBv2 target health, Global Accelerator (us-west-2), CloudWatch, DynamoDB,
 * SNS, an HTTP probe (through the region's `healthCheckVia` function for its `healthCheckUrl`,
 * directly otherwise), Route 53 health checks read through DNS (here, or through the health record
 * reader Lambda) and the system clock; and the readiness reads (EC2, Service Quotas, SSM, RDS
 * snapshots, S3 replication metrics) and CloudWatch PutMetricData.
 */
export function createAwsPorts(config: DrConfig, options: AwsPortsOptions = {}): Ports {
  if (options.healthRecordReader !== undefined && options.dnsServers && options.dnsServers.length > 0) {
    throw new Error(
      'createAwsPorts: give either dnsServers (resolve the health records here) or healthRecordReader (through the reader Lambda), not both',
    );
  }
  const callMs = options.timeouts?.callMs ?? DEFAULT_CALL_POLICY.timeoutMs;
  const policy: CallPolicy = { ...DEFAULT_CALL_POLICY, ...options.policy, timeoutMs: callMs };
  const common = (service: AwsService) => ({
    credentials: options.credentials,
    endpoint: options.endpoints?.[service],
    // The SDK retries a transient failure once; throttling and deadlines are ours (callAws).
    maxAttempts: 2,
    requestHandler: { connectionTimeout: options.timeouts?.connectMs ?? 3_000, requestTimeout: callMs },
  });
  const regions = [config.primary, config.secondary];
  const metrics = new CloudWatchMetrics({ clientConfig: common('cloudWatch'), policy });
  const stateRegion = options.stateRegion ?? config.secondary.region;
  const topicArn = options.topicArn ?? config.controller.topicArn;
  const tier = config.database;
  return {
    // The data tier decides which database the port answers for: the RDS instance and its
    // replica, or the region's Aurora instance with its cluster and the global database.
    database:
      tier.tier === 'aurora-global'
        ? new AuroraDatabase({
            clientConfig: common('rds'),
            metrics,
            regions,
            policy,
            globalClusterIdentifier: tier.globalClusterIdentifier,
            engineVersion: tier.engineVersion,
          })
        : new RdsDatabase({ clientConfig: common('rds'), metrics, regions, policy }),
    globalDatabase:
      tier.tier === 'aurora-global' ? new AuroraGlobalDatabase({ clientConfig: common('rds'), policy }) : new NoGlobalDatabase(),
    compute: new AutoScalingCompute({
      autoScaling: { clientConfig: common('autoScaling') },
      elb: { clientConfig: common('elasticLoadBalancingV2') },
      cloudWatch: { clientConfig: common('cloudWatch') },
      policy,
    }),
    traffic: new GlobalAcceleratorTraffic({ clientConfig: common('globalAccelerator'), policy }),
    // A region behind an internal load balancer is checked from inside its VPC (healthCheckVia).
    probe: new RoutedProbe(
      new HttpProbe({ fetch: options.fetch }),
      new Map(
        regions.flatMap((r) =>
          r.healthCheckVia === undefined
            ? []
            : [
                [
                  r.healthCheckUrl,
                  new LambdaProbe({ functionName: r.healthCheckVia, region: r.region, clientConfig: common('lambda') }),
                ] as const,
              ],
        ),
      ),
    ),
    alarms: metrics,
    // The controller runs in the state table's region, and reads the record through that
    // region's VPC resolver: directly, or through the reader Lambda in the VPC.
    healthChecks: new DnsHealthChecks({
      servers: options.dnsServers,
      transport:
        options.healthRecordReader === undefined
          ? undefined
          : new HealthRecordReaderTransport({
              functionName: options.healthRecordReader,
              region: stateRegion,
              clientConfig: common('lambda'),
            }),
      timeoutMs: options.timeouts?.dnsMs,
      region: stateRegion,
    }),
    stateStore: new DynamoDbStateStore({
      clientConfig: { ...common('dynamoDb'), region: stateRegion },
      tableName: options.stateTableName ?? config.controller.stateTableName ?? defaultStateTableName(config.app),
      region: stateRegion,
      policy,
    }),
    clock: options.clock ?? systemClock,
    notifier: topicArn
      ? new SnsNotifier({ clientConfig: { ...common('sns'), region: topicArn.split(':')[3] }, topicArn, policy })
      : new KeepingNotifier(),
    readiness: new AwsReadiness({
      ec2: new Ec2Catalog({ clientConfig: common('ec2'), policy }),
      quota: new Ec2VcpuQuota({
        serviceQuotas: { clientConfig: common('serviceQuotas') },
        cloudWatch: { clientConfig: common('cloudWatch') },
        policy,
      }),
      ssm: new SsmParameters({ clientConfig: common('ssm'), policy }),
      snapshots: new RdsSnapshots({ clientConfig: common('rds'), policy }),
      replication: new S3ReplicationFailures({ clientConfig: common('cloudWatch'), policy }),
    }),
    metrics: new CloudWatchPublisher({ clientConfig: common('cloudWatch'), policy }),
  };
}
