import type { ImageStatus, LaunchTemplateSpec, Readiness, SnapshotSummary, VcpuQuota } from '@dr/failover-core/ports';
import { APP_TAG, MANAGED_BY, MANAGED_BY_TAG } from '@dr/snapshot';
import type { S3ReplicationFailures } from '../cloudwatch/replication-failures.js';
import type { Ec2Catalog } from '../ec2/ec2-catalog.js';
import type { RdsSnapshots } from '../rds/rds-snapshots.js';
import type { Ec2VcpuQuota } from '../service-quotas/ec2-vcpu-quota.js';
import type { SsmParameters } from '../ssm/ssm-parameters.js';

/** The adapters {@link AwsReadiness} reads through. */
export interface AwsReadinessParts {
  readonly ec2: Ec2Catalog;
  readonly quota: Ec2VcpuQuota;
  readonly ssm: SsmParameters;
  readonly snapshots: RdsSnapshots;
  readonly replication: S3ReplicationFailures;
}

/**
 * The `Readiness` port on AWS: EC2 (launch templates, images, instance types), Service Quotas
 * and its CloudWatch usage metric, SSM, RDS snapshots and S3 replication metrics.
 */
export class AwsReadiness implements Readiness {
  constructor(private readonly parts: AwsReadinessParts) {}

  launchTemplate(region: string, launchTemplate: string): Promise<LaunchTemplateSpec> {
    return this.parts.ec2.launchTemplate(region, launchTemplate);
  }

  image(region: string, imageId: string): Promise<ImageStatus> {
    return this.parts.ec2.image(region, imageId);
  }

  instanceTypeVcpus(region: string, instanceType: string): Promise<number | undefined> {
    return this.parts.ec2.instanceTypeVcpus(region, instanceType);
  }

  ec2VcpuQuota(region: string): Promise<VcpuQuota> {
    return this.parts.quota.read(region);
  }

  configParameter(region: string, name: string): Promise<string | undefined> {
    return this.parts.ssm.get(region, name);
  }

  /** The newest `available` snapshot tagged by `@dr/snapshot` for `app` (copies keep their source's time). */
  async latestSnapshot(region: string, app: string): Promise<SnapshotSummary | undefined> {
    const all = await this.parts.snapshots.list(region);
    const ours = all.filter(
      (s) => s.status === 'available' && s.createdAt !== undefined && s.tags[MANAGED_BY_TAG] === MANAGED_BY && s.tags[APP_TAG] === app,
    );
    const newest = ours.sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0))[0];
    return newest ? { id: newest.id, createdAt: newest.createdAt! } : undefined;
  }

  replicationFailures(region: string, sourceBucket: string, fromMs: number, toMs: number): Promise<number | undefined> {
    return this.parts.replication.sum(region, sourceBucket, fromMs, toMs);
  }

  replicationMetricsSeen(region: string, sourceBucket: string): Promise<boolean> {
    return this.parts.replication.metricsSeen(region, sourceBucket);
  }
}
