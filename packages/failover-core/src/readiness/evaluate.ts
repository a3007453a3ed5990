import type { DrConfig, RegionResources, RegionRole } from '../config/schema.js';
import { describeError } from '../errors.js';
import { asgRef, dbRef, groupRef } from '../plan/build-plan.js';
import type { CapacityStatus, DbStatus, LaunchTemplateSpec, Ports } from '../ports.js';
import type { ControlRecord } from '../runtime/lease.js';
import { stateKeys, type ControllerHeartbeat } from '../runtime/supervise.js';
import { READINESS_CHECKS, type ReadinessCheckId } from './checks.js';
import { isStandardInstanceType, quotaCovers, EC2_STANDARD_VCPU_QUOTA_CODE } from './quota.js';
import type { ReadinessCheckResult, ReadinessReport, ReadinessStatus } from './report.js';
import { sameDocument } from './same-document.js';
import { continuousBackups, tierWords, type TierWords } from './tier-words.js';

/** Options of {@link evaluateReadiness}. */
export interface ReadinessOptions {
  /**
   * The region that serves now; the other is the one a failover would need.
   * @default the state store's control record's `active`, else `primary`
   */
  readonly active?: RegionRole | undefined;
  /** The newest snapshot in the standby region may be this old. @default 26 hours (the daily job, and 2 hours for its copy) */
  readonly snapshotMaxAgeMs?: number | undefined;
  /** The controller's heartbeat may be this old. @default 3 minutes (the controller runs every minute) */
  readonly heartbeatMaxAgeMs?: number | undefined;
  /** The window S3 replication failures are summed over. @default 1 hour */
  readonly replicationWindowMs?: number | undefined;
  /** The DR config parameter compared across regions. @default `/dr/<app>/config` */
  readonly configParameterName?: string | undefined;
}

type Outcome = Omit<ReadinessCheckResult, 'id'>;
const pass = (detail: string, value?: number): Outcome => ({ status: 'pass', detail, value });
const fail = (detail: string, value?: number): Outcome => ({ status: 'fail', detail, value });
const unknown = (detail: string): Outcome => ({ status: 'unknown', detail });

/** One read shared by the checks that need it: made once, on first use. */
function once<T>(read: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= read());
}

const hours = (ms: number) => Math.round(ms / 360_000) / 10;

/**
 * Evaluates, without changing anything, everything a failover to the standby region would need
 * (AWS ARC's plan evaluation, run on a schedule): one result per id of `READINESS_CHECKS`. Every
 * check runs concurrently and on its own; a read that fails or does not answer makes its check
 * `unknown`, with what could not be seen, and never a pass or a crash.
 */
export async function evaluateReadiness(ports: Ports, config: DrConfig, options: ReadinessOptions = {}): Promise<ReadinessReport> {
  const { clock } = ports;
  const active: RegionRole =
    options.active ??
    (await ports.stateStore.read<ControlRecord>(stateKeys(config.app).control).then(
      (r) => r?.value.active,
      () => undefined,
    )) ??
    'primary';
  const activeR = config[active];
  const standby = config[active === 'primary' ? 'secondary' : 'primary'];
  const region = standby.region;

  const replica = once((): Promise<DbStatus> => ports.database.describe(dbRef(standby)));
  const group = once((): Promise<CapacityStatus> => ports.compute.describe(asgRef(standby)));
  const template = once(async (): Promise<LaunchTemplateSpec & { name: string }> => {
    const name = (await group()).launchTemplate;
    if (!name) throw new Error(`the Auto Scaling group ${standby.autoScalingGroupName} names no launch template`);
    return { name, ...(await ports.readiness.launchTemplate(region, name)) };
  });
  const c: CheckContext = {
    ports,
    config,
    options,
    activeR,
    standby,
    region,
    maxLag: config.objectives.maxDataLossSeconds,
    replica,
    group,
    template,
    noReplica: `no DB instance ${standby.dbInstanceIdentifier} in ${region}`,
    tier: tierWords(config, standby),
  };
  const checks: Checks = { ...databaseChecks(c), ...computeChecks(c), ...routingChecks(c), ...dataChecks(c), ...controllerChecks(c) };

  const results = await Promise.all(
    READINESS_CHECKS.map(async (id): Promise<ReadinessCheckResult> => {
      try {
        return { id, ...(await checks[id]()) };
      } catch (e) {
        return { id, status: 'unknown' as ReadinessStatus, detail: `could not be evaluated: ${describeError(e)}` };
      }
    }),
  );
  return {
    at: clock.now(),
    app: config.app,
    standbyRegion: region,
    checks: results.map(({ value, ...r }) => (value === undefined ? r : { ...r, value })),
  };
}

type Checks = Record<ReadinessCheckId, () => Promise<Outcome>>;

/** What the checks share: the ports and config, the two regions, and the reads several checks make (each made once). */
interface CheckContext {
  readonly ports: Ports;
  readonly config: DrConfig;
  readonly options: ReadinessOptions;
  /** The region that serves now. */
  readonly activeR: RegionResources;
  /** The region a failover would need, and its name. */
  readonly standby: RegionResources;
  readonly region: string;
  readonly maxLag: number;
  readonly replica: () => Promise<DbStatus>;
  readonly group: () => Promise<CapacityStatus>;
  readonly template: () => Promise<LaunchTemplateSpec & { name: string }>;
  readonly noReplica: string;
  /** How the standby database is named and measured on the config's data tier. */
  readonly tier: TierWords;
}

/** The standby database: a replica, replicating, within the RPO, and not fenced. */
function databaseChecks(c: CheckContext): Pick<Checks, 'replica-exists' | 'replica-replicating' | 'replica-lag' | 'dr-fence-clear'> {
  return {
    'replica-exists': async () => {
      const db = await c.replica();
      if (!db.exists) return fail(c.noReplica);
      return db.role === 'replica'
        ? pass(`${c.standby.dbInstanceIdentifier} in ${c.region} is ${c.tier.replica} (${db.status})`)
        : fail(`${c.standby.dbInstanceIdentifier} in ${c.region} is a standalone primary, not a replica`);
    },
    'replica-replicating': async () => {
      const db = await c.replica();
      if (!db.exists) return fail(c.noReplica);
      if (db.role !== 'replica') return fail(`${c.standby.dbInstanceIdentifier} is not a replica: nothing replicates to it`);
      if (db.replicating === false) return fail(`replication to ${c.standby.dbInstanceIdentifier} has stopped`);
      if (db.replicating === undefined) return unknown(`RDS did not say whether replication to ${c.standby.dbInstanceIdentifier} runs`);
      return pass(`replication to ${c.standby.dbInstanceIdentifier} runs`);
    },
    'replica-lag': async () => {
      const db = await c.replica();
      if (!db.exists) return fail(c.noReplica);
      if (db.replicaLagSeconds === undefined) return unknown(`no ${c.tier.lagMetric} datapoint for ${c.tier.lagOf}`);
      const lag = db.replicaLagSeconds;
      return lag <= c.maxLag
        ? pass(`lag ${lag} s, within ${c.maxLag} s`, lag)
        : fail(`lag ${lag} s, over the ${c.maxLag} s objective`, lag);
    },
    'dr-fence-clear': async () => {
      const db = await c.replica();
      if (!db.exists) return unknown(`${c.noReplica}: no parameter group to read`);
      const name = db.parameterGroup?.name ?? c.tier.fenceGroup;
      if (db.readOnly === undefined) return unknown(`read_only of ${name} could not be read`);
      return db.readOnly === 'on'
        ? fail(`${name} has read_only = 1: a write fence is left on the DR database`)
        : pass(`${name} has read_only ${db.readOnly === 'default' ? c.tier.restingReadOnly : '0'}`);
    },
  };
}

/** The standby capacity: its launch template's image exists, and the vCPU quota covers the desired capacity. */
function computeChecks(c: CheckContext): Pick<Checks, 'dr-image' | 'dr-ec2-quota'> {
  return {
    'dr-image': async () => {
      const lt = await c.template();
      if (!lt.imageId) return unknown(`launch template ${lt.name} names no image`);
      const image = await c.ports.readiness.image(c.region, lt.imageId);
      if (!image.exists) return fail(`image ${lt.imageId} of launch template ${lt.name} does not exist in ${c.region}`);
      return image.state === 'available'
        ? pass(`image ${lt.imageId} is available in ${c.region}`)
        : fail(`image ${lt.imageId} is ${image.state ?? 'in an unknown state'} in ${c.region}`);
    },
    'dr-ec2-quota': async () => {
      const lt = await c.template();
      if (!lt.instanceType) return unknown(`launch template ${lt.name} names no instance type`);
      if (!isStandardInstanceType(lt.instanceType))
        return unknown(`${lt.instanceType} does not count against ${EC2_STANDARD_VCPU_QUOTA_CODE}; its family's own quota is not checked`);
      const [vcpus, q, g] = await Promise.all([
        c.ports.readiness.instanceTypeVcpus(c.region, lt.instanceType),
        c.ports.readiness.ec2VcpuQuota(c.region),
        c.group(),
      ]);
      if (vcpus === undefined) return fail(`${c.region} does not offer ${lt.instanceType}`);
      if (q.inUse === undefined) return unknown(`the quota is ${q.quota} vCPUs, but its usage in ${c.region} could not be read`);
      const v = quotaCovers({
        quota: q.quota,
        inUse: q.inUse,
        vcpusPerInstance: vcpus,
        desired: c.standby.capacity.desired,
        running: g.inService,
      });
      const what = `${c.standby.capacity.desired} × ${lt.instanceType} (${vcpus} vCPUs) needs ${v.additional} more vCPUs; quota ${q.quota}, ${q.inUse} in use`;
      return v.covers ? pass(what, v.headroom - v.additional) : fail(what, v.headroom - v.additional);
    },
  };
}

/** What a failover switches to: the pilot light takes no traffic, and both regions read the same DR config. */
function routingChecks(c: CheckContext): Pick<Checks, 'pilot-light-weight' | 'config-parameter-match'> {
  return {
    'pilot-light-weight': async () => {
      const g = await c.ports.traffic.describe(groupRef(c.standby));
      return g.endpointWeight === 0
        ? pass(`endpoint weight 0 in ${c.region}`, 0)
        : fail(
            `endpoint weight ${g.endpointWeight} in ${c.region}: Global Accelerator may send users to the read-only replica`,
            g.endpointWeight,
          );
    },
    'config-parameter-match': async () => {
      const name = c.options.configParameterName ?? `/dr/${c.config.app}/config`;
      const [a, b] = await Promise.allSettled([
        c.ports.readiness.configParameter(c.activeR.region, name),
        c.ports.readiness.configParameter(c.region, name),
      ]);
      const missing = [a, b].flatMap((r, i) =>
        r.status === 'fulfilled' && r.value === undefined ? [[c.activeR.region, c.region][i]] : [],
      );
      if (missing.length > 0) return fail(`${name} is missing in ${missing.join(' and ')}`);
      const unseen = [a, b].flatMap((r, i) =>
        r.status === 'rejected' ? [`${[c.activeR.region, c.region][i]} (${describeError(r.reason)})`] : [],
      );
      if (unseen.length > 0) return unknown(`${name} could not be read in ${unseen.join(', ')}`);
      const [x, y] = [(a as PromiseFulfilledResult<string>).value, (b as PromiseFulfilledResult<string>).value];
      return sameDocument(x, y)
        ? pass(`${name} is the same in ${c.activeR.region} and ${c.region}`)
        : fail(`${name} differs between ${c.activeR.region} and ${c.region}`);
    },
  };
}

/** The data behind the database: a recent snapshot in the standby region, and S3 replication without failures. */
function dataChecks(c: CheckContext): Pick<Checks, 'snapshot-age' | 's3-replication'> {
  return {
    'snapshot-age': async () => {
      if (c.config.database.tier === 'aurora-global') return continuousBackups(c);
      const bound = c.options.snapshotMaxAgeMs ?? 26 * 3_600_000;
      const s = await c.ports.readiness.latestSnapshot(c.region, c.config.app);
      if (!s) return fail(`no snapshot of ${c.config.app} made by dr-snapshot in ${c.region}`);
      const age = c.ports.clock.now() - s.createdAt;
      const what = `newest snapshot ${s.id} in ${c.region} is ${hours(age)} h old (bound ${hours(bound)} h)`;
      return age <= bound ? pass(what, hours(age)) : fail(what, hours(age));
    },
    's3-replication': async () => {
      const window = c.options.replicationWindowMs ?? 3_600_000;
      const now = c.ports.clock.now();
      const bucket = c.activeR.bucketName;
      const failed = await c.ports.readiness.replicationFailures(c.activeR.region, bucket, now - window, now);
      // S3 publishes OperationsFailedReplication (in the source bucket's c.region) only when an
      // operation fails, so no datapoint is no failure, provided replication metrics are on at
      // all: BytesPendingReplication, published in the destination's region even when nothing
      // replicates, shows they are. Without it, no data proves nothing.
      // @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/repl-metrics.html
      if (failed === undefined) {
        if (!(await c.ports.readiness.replicationMetricsSeen(c.region, bucket)))
          return unknown(`no replication metric of ${bucket} is published in ${c.region}: are S3 replication metrics on?`);
        return pass(
          `no failed replication of ${bucket} reported in the last ${hours(window)} h (S3 publishes the metric only on failures)`,
          0,
        );
      }
      return failed === 0
        ? pass(`0 failed replication operations of ${bucket} in the last ${hours(window)} h`, 0)
        : fail(`${failed} replication operations of ${bucket} failed in the last ${hours(window)} h`, failed);
    },
  };
}

/** The failover controller runs, and its detector is armed. */
function controllerChecks(c: CheckContext): Pick<Checks, 'controller-heartbeat'> {
  return {
    'controller-heartbeat': async () => {
      const bound = c.options.heartbeatMaxAgeMs ?? 180_000;
      const hb = await c.ports.stateStore.read<ControllerHeartbeat>(stateKeys(c.config.app).heartbeat);
      if (!hb) return fail('the failover controller has recorded no heartbeat');
      const age = Math.max(0, c.ports.clock.now() - hb.value.at);
      const what = `the controller last finished ${Math.round(age / 1000)} s ago (${hb.value.action})`;
      if (age > bound) return fail(`${what}, over ${bound / 1000} s`, Math.round(age / 1000));
      // A detector that has never seen the primary healthy (a wrong health URL, a broken deploy) never fails it over.
      if (hb.value.armed === false)
        return fail(
          `${what}, but its detector has never seen the primary healthy: it will not fail over (${hb.value.verdict})`,
          Math.round(age / 1000),
        );
      return pass(what, Math.round(age / 1000));
    },
  };
}
