import type { ImageStatus, LaunchTemplateSpec, MetricDatum, Metrics, Readiness, SnapshotSummary, VcpuQuota } from '../ports.js';
import { ResourceNotFoundError } from '../errors.js';
import type { SimWorld, Window } from './world.js';

/**
 * vCPUs of the instance types the simulator knows (`DefaultVCpus`).
 * Source: EC2 "Instance type specifications" (general purpose, compute and memory optimized).
 */
export const SIM_INSTANCE_VCPUS: Readonly<Record<string, number>> = {
  't3.micro': 2,
  't3.small': 2,
  't3.medium': 2,
  't3.large': 2,
  'm5.large': 2,
  'm5.xlarge': 4,
  'm6i.large': 2,
  'c6i.xlarge': 4,
  'r6i.large': 2,
  'g5.xlarge': 4,
};

/** What the readiness reads see of the simulated world, beyond `SimWorld`, and its faults. */
export interface SimReadinessFaults {
  /** The launch template's image is missing (deregistered, or never copied) in this region. */
  readonly missingImage?: string | undefined;
  /** The DR config parameter in this region differs from the other region's (a half-applied deploy). */
  readonly configDrift?: string | undefined;
  /** The applied vCPU quota (L-1216C47A) of a region, overriding {@link SimReadinessWorld.vcpuQuota}. */
  readonly vcpuQuota?: { readonly region: string; readonly value: number } | undefined;
  /** The snapshot job stops taking snapshots from this moment (epoch ms). */
  readonly snapshotsStoppedAt?: number | undefined;
  /** S3 replication operations fail at this rate per minute in the window. */
  readonly replicationFailures?: (Window & { readonly perMinute: number }) | undefined;
  /** S3 replication metrics are off: S3 publishes none of them. */
  readonly replicationMetricsOff?: boolean | undefined;
}

/**
 * The readiness side of a simulated world: launch templates, images, EC2 quotas, SSM parameters,
 * snapshots and S3 replication metrics, with the behaviour AWS documents for each:
 *
 * - Service Quotas, EC2, SSM, RDS and CloudWatch are regional: each answers in its region, and a
 *   region in outage answers none of them (the calls go through the same `call` as every port).
 * - The launch template of each region's group is `<group>-lt`, launching `instanceType`
 *   (default `t3.small`) from an AMI copied to that region: an AMI id is regional
 *   (EC2 user guide, "Copy an AMI").
 * - The vCPU quota L-1216C47A counts running On-Demand standard instances; usage is the
 *   CloudWatch `AWS/Usage` `ResourceCount` metric (Service Quotas user guide, "Service Quotas
 *   and Amazon CloudWatch alarms"). Default 32 vCPUs (UNCONFIRMED: the default differs per
 *   account; tunable).
 * - `/dr/<app>/config` is written by the constructs in both regions: the same JSON unless
 *   `configDrift` (SSM user guide: parameters are regional).
 * - The snapshot job runs daily at 02:00 UTC and copies to the other region, the copy keeping
 *   the source's creation time (RDS user guide, "Copying a DB snapshot"); `@dr/snapshot`.
 * - `OperationsFailedReplication` is published in the source bucket's region, and only when an
 *   operation fails: no datapoint when none did; `BytesPendingReplication` is published in the
 *   destination's region even when nothing replicates (S3 user guide, "Using S3 Replication
 *   metrics"). Ours are on unless `replicationMetricsOff` (the constructs turn on RTC, which
 *   turns them on).
 */
export class SimReadinessWorld {
  /** The instance type every group launches. */
  instanceType = 't3.small';
  /** The applied L-1216C47A quota in each region, vCPUs. */
  vcpuQuota = 32;
  /** vCPUs that other workloads of the account run in each region. */
  otherVcpus = 0;
  /** Datapoints published, with their region and namespace. */
  readonly published: { readonly region: string; readonly namespace: string; readonly datum: MetricDatum; readonly at: number }[] = [];
  private faultSet: SimReadinessFaults = {};

  constructor(private readonly world: SimWorld) {}

  /** Active readiness faults. */
  get faults(): SimReadinessFaults {
    return this.faultSet;
  }

  /** Adds faults (later ones override earlier ones field by field). */
  inject(more: SimReadinessFaults): void {
    this.faultSet = { ...this.faultSet, ...more };
  }

  /** The launch template of a region's group. */
  launchTemplateName(region: string): string {
    return `${this.world.resources(region).autoScalingGroupName}-lt`;
  }

  /** The AMI id the region's launch template names (regional: one copy per region). */
  imageId(region: string): string {
    return `ami-${region
      .replace(/[^a-z0-9]/g, '')
      .slice(0, 17)
      .padEnd(17, '0')}`;
  }

  /** The config parameter's value in a region. */
  parameter(region: string): string {
    const doc = JSON.stringify(this.world.config);
    return this.faultSet.configDrift === region ? JSON.stringify({ ...this.world.config, drift: true }) : doc;
  }

  /** The newest snapshot taken by `t`: the last 02:00 UTC run, or the last before the job stopped. */
  latestSnapshotAt(t: number): number {
    const day = 86_400_000;
    let run = Math.floor((t - 7_200_000) / day) * day + 7_200_000;
    const stopped = this.faultSet.snapshotsStoppedAt;
    if (stopped !== undefined && run >= stopped) run = Math.floor((stopped - 7_200_000) / day) * day + 7_200_000;
    return run;
  }

  /** Failed replication operations in `[from, to)`, undefined when none was published. */
  replicationFailures(from: number, to: number): number | undefined {
    const f = this.faultSet.replicationFailures;
    if (!f || this.faultSet.replicationMetricsOff) return undefined;
    const start = Math.max(from, f.from);
    const end = Math.min(to, f.to ?? to);
    if (end <= start) return undefined;
    return Math.round(((end - start) / 60_000) * f.perMinute);
  }
}

const views = new WeakMap<SimWorld, SimReadinessWorld>();

/** The readiness side of `world` (one per world, shared by every view of its ports). */
export function simReadiness(world: SimWorld): SimReadinessWorld {
  let r = views.get(world);
  if (!r) {
    r = new SimReadinessWorld(world);
    views.set(world, r);
  }
  return r;
}

/** How the simulator's ports make a read-only call: latency, outages and throttling, then the effect. */
export type SimCall = <T>(region: string, name: string, effect: (t: number) => T) => Promise<T>;

/** The simulator's `Readiness` port over a world. */
export function makeSimReadiness(world: SimWorld, call: SimCall): Readiness {
  const r = simReadiness(world);
  return {
    launchTemplate: (region, name) =>
      call(region, 'describeLaunchTemplateVersions', (): LaunchTemplateSpec => {
        if (name !== r.launchTemplateName(region)) throw new ResourceNotFoundError(`launch template ${name}`, region);
        return { imageId: r.imageId(region), instanceType: r.instanceType };
      }),
    image: (region, imageId) =>
      call(region, 'describeImages', (): ImageStatus =>
        imageId === r.imageId(region) && r.faults.missingImage !== region ? { exists: true, state: 'available' } : { exists: false },
      ),
    instanceTypeVcpus: (region, type) => call(region, 'describeInstanceTypes', () => SIM_INSTANCE_VCPUS[type]),
    ec2VcpuQuota: (region) =>
      call(region, 'getServiceQuota', (t): VcpuQuota => {
        const q = r.faults.vcpuQuota?.region === region ? r.faults.vcpuQuota.value : r.vcpuQuota;
        const asg = world.asgs.get(region);
        const running = asg ? world.liveInstances(asg, t).length : 0;
        return { quota: q, inUse: running * (SIM_INSTANCE_VCPUS[r.instanceType] ?? 2) + r.otherVcpus };
      }),
    configParameter: (region, name) =>
      call(region, 'getParameter', () => (name === `/dr/${world.config.app}/config` ? r.parameter(region) : undefined)),
    latestSnapshot: (region, app) =>
      call(region, 'describeDbSnapshots', (t): SnapshotSummary | undefined => {
        const at = app === world.config.app ? r.latestSnapshotAt(t) : undefined;
        return at === undefined ? undefined : { id: `${app}-daily-${new Date(at).toISOString().slice(0, 10)}`, createdAt: at };
      }),
    replicationFailures: (region, _bucket, from, to) => call(region, 'getMetricData', () => r.replicationFailures(from, to)),
    replicationMetricsSeen: (region, bucket) =>
      call(region, 'listMetrics', () => !r.faults.replicationMetricsOff && bucket === world.config.primary.bucketName),
  };
}

/** The simulator's `Metrics` port: keeps what is published, in the region's CloudWatch. */
export function makeSimMetrics(world: SimWorld, call: SimCall): Metrics {
  const r = simReadiness(world);
  return {
    publish: (region, namespace, data) =>
      call(region, 'putMetricData', (t) => void r.published.push(...data.map((datum) => ({ region, namespace, datum, at: t })))),
  };
}
