import {
  activeSteps,
  buildPlan,
  dbRef,
  asgRef,
  groupRef,
  describeError,
  evaluatePreconditions,
  GLOBAL_ACCELERATOR_CONTROL_REGION,
  judgeContainment,
  judgeHeadline,
  judgeNextReadiness,
  judgeReach,
  nextOperation,
  readReadiness,
  retiredPrefix,
  Runner,
  stateKeys,
  summarizeReadiness,
  summarizeRun,
  type Observation,
  type ReachAttempt,
  type ReadFailureReason,
  type ReadinessReport,
  type RegionRole,
  type RunState,
} from '@dr/failover-core';
import { isNotReady, isRegionUnreachable, isResourceNotFound, isThrottled } from '@dr/failover-core/errors';
import type { DbRef, DbStatus, GlobalClusterStatus, Ports } from '@dr/failover-core/ports';
import { isManaged } from '@dr/snapshot';
import type { AwsContext } from '../aws-context.js';
import { isAccessDenied, isMissingCredentials } from '../errors.js';

/** Classes an error of a read: the network's reason when no answer came, else what AWS answered. */
function failureReason(e: unknown): ReadFailureReason {
  if (isRegionUnreachable(e)) return e.reason;
  if (isAccessDenied(e)) return 'access-denied';
  if (isResourceNotFound(e)) return 'not-found';
  if (isThrottled(e)) return 'throttled';
  if (isNotReady(e)) return 'aws-error';
  return 'error';
}

/** Where a read's outcome is noted: the region its call goes to, and every attempt so far. */
interface Ledger {
  readonly region: string;
  readonly attempts: ReachAttempt[];
}

/** Reads through `call`, noting in `ledger` whether `region`'s API answered. */
async function read<T>(call: () => Promise<T>, ledger?: Ledger): Promise<Observation<T>> {
  try {
    const value = await call();
    ledger?.attempts.push({ region: ledger.region, reason: null });
    return { ok: true, value };
  } catch (e) {
    // No credentials is the operator's setup, not a region's state: stop and say so.
    if (isMissingCredentials(e)) throw e;
    const reason = failureReason(e);
    // The region the failed call went to, as the error names it (a call may go elsewhere than its row).
    ledger?.attempts.push({ region: isRegionUnreachable(e) ? e.region : ledger.region, reason });
    return { ok: false, error: describeError(e), reason };
  }
}

/**
 * The ports with each database described once: the table and the readiness checks read the
 * same answer (one DescribeDBInstances and one DescribeDBParameters per database, not two).
 */
function describingOnce(ports: Ports): Ports {
  const described = new Map<string, Promise<DbStatus>>();
  const describe = (db: DbRef): Promise<DbStatus> => {
    const key = `${db.region}/${db.dbInstanceIdentifier}`;
    if (!described.has(key)) described.set(key, ports.database.describe(db));
    return described.get(key)!;
  };
  const database = new Proxy(ports.database, {
    get: (target, name, receiver) => (name === 'describe' ? describe : Reflect.get(target, name, receiver)),
  });
  return { ...ports, database };
}

/** The newest available snapshot this app manages in `region`, with its age in hours to a tenth; null when none. */
async function newestSnapshot(ctx: AwsContext, region: string, now: number) {
  const ours = (await ctx.snapshots.list(region)).filter(
    (s) => isManaged(s, ctx.config.app) && s.status === 'available' && s.createdAt !== undefined,
  );
  const at = Math.max(...ours.map((s) => s.createdAt!));
  return ours.length ? { id: ours.find((s) => s.createdAt === at)!.id, ageHours: Math.round((now - at) / 360_000) / 10 } : null;
}

/** Everything read of one region, each read noted against the region its call went to. */
async function readRegion(
  ctx: AwsContext,
  ports: Ports,
  role: RegionRole,
  recorded: RegionRole | null,
  attempts: ReachAttempt[],
  now: number,
) {
  const r = ctx.config[role];
  const here = { region: r.region, attempts };
  const [database, compute, traffic, alarm, newest, retired] = await Promise.all([
    read(() => ports.database.describe(dbRef(r)), here),
    read(() => ports.compute.describe(asgRef(r)), here),
    read(() => ports.traffic.describe(groupRef(r)), { region: GLOBAL_ACCELERATOR_CONTROL_REGION, attempts }),
    r.availabilityAlarmName ? read(() => ports.alarms.state({ region: r.region, alarmName: r.availabilityAlarmName! }), here) : undefined,
    // The daily snapshot job runs on the RDS tier only; an Aurora cluster's continuous backups show in its database row.
    ctx.config.database.tier === 'rds-replica' ? read(() => newestSnapshot(ctx, r.region, now), here) : null,
    // What failbacks and rebuilds retired here (`<id>-retired-<tag>`): kept for reconciliation, and billing.
    read(() => ports.database.listInstances(r.region, retiredPrefix(r.dbInstanceIdentifier)), here),
  ]);
  return { role, region: r.region, active: role === recorded, database, compute, traffic, alarm, newestSnapshot: newest, retired };
}

/**
 * The Aurora global database, read through the DR region's API first (the one that answers when
 * the primary region is out), then the primary's. Null on the RDS tier.
 */
async function readGlobalDatabase(ctx: AwsContext, ports: Ports, attempts: ReachAttempt[]) {
  const tier = ctx.config.database;
  if (tier.tier !== 'aurora-global') return null;
  let seen: Observation<GlobalClusterStatus & { readonly via: string }> | undefined;
  for (const region of [ctx.config.secondary.region, ctx.config.primary.region]) {
    seen = await read(async () => ({ via: region, ...(await ports.globalDatabase.describe(tier.globalClusterIdentifier, region)) }), {
      region,
      attempts,
    });
    if (seen.ok) break;
  }
  return { globalClusterIdentifier: tier.globalClusterIdentifier, seen: seen! };
}

/** The last stored readiness report, with its counts, its age and whether it is stale. */
function lastEvaluation(report: ReadinessReport | undefined, now: number) {
  if (!report) return null;
  const s = summarizeReadiness(report, now);
  return {
    at: report.at,
    ageSeconds: Math.round(s.ageMs / 1000),
    stale: s.stale,
    pass: s.pass,
    fail: s.fail,
    unknown: s.unknown,
    total: s.total,
    standbyRegion: report.standbyRegion,
    checks: report.checks,
  };
}

/** The last run as the record holds it: where it stands, and what it changed, left and asks next. */
function runStatus(run: RunState | undefined) {
  if (!run) return null;
  return {
    runId: run.runId,
    operation: run.operation,
    phase: run.phase,
    step: activeSteps(run)[run.stepIndex]?.name ?? null,
    committedAt: run.committedAt ?? null,
    failure: run.failure ?? null,
    // What the run changed, the state it left and the one command next, as the run saw them.
    summary: summarizeRun(run),
  };
}

/**
 * Everything `dr status` shows, as `--json` prints it (inside the common document head): what it
 * read of AWS, and the library's judgement of it (headline, containment, readiness).
 */
export async function gatherStatus(ctx: AwsContext, now = Date.now()) {
  const { config } = ctx;
  const ports = describingOnce(ctx.ports);
  const attempts: ReachAttempt[] = [];
  // createAwsPorts puts the state table in the secondary region unless told otherwise, and `dr` does not tell it.
  const stateLedger = { region: config.secondary.region, attempts };
  const control = await read(() => Runner.read(ports, stateKeys(config.app).control), stateLedger);
  const record = control.ok ? control.value?.value : undefined;
  // With no record (never failed over) the primary serves; with an unreadable one nobody knows.
  const recorded: RegionRole | null = control.ok ? (record?.active ?? 'primary') : null;
  const active: RegionRole = recorded ?? 'primary';
  const [regions, globalDatabase] = await Promise.all([
    Promise.all((['primary', 'secondary'] as const).map((role) => readRegion(ctx, ports, role, recorded, attempts, now))),
    readGlobalDatabase(ctx, ports, attempts),
  ]);
  // Readiness: the preconditions of what could be done next (a failover from the active region).
  const operation = nextOperation(active);
  const plan = buildPlan(config, 'failover', { from: active });
  // A failback plan needs fields a failover-only config may lack: its problems are readiness problems.
  const preconditions = await read(() => evaluatePreconditions(buildPlan(config, operation), ports, config.objectives.maxDataLossSeconds));
  const evaluated = await read(() => readReadiness(ports.stateStore, config.app), stateLedger);
  return {
    app: config.app,
    headline: judgeHeadline({ app: config.app, record: control, recorded, regions, reach: judgeReach(attempts) }),
    /** The region the state record names active; null when the record could not be read. */
    active: recorded === null ? null : { role: recorded, region: config[recorded].region },
    epoch: record?.lease?.epoch ?? 0,
    lease:
      record?.lease && record.lease.expiresAt > now
        ? { owner: record.lease.owner, epoch: record.lease.epoch, expiresAt: record.lease.expiresAt }
        : null,
    stateStore: control.ok ? 'ok' : control.error,
    run: runStatus(record?.run),
    containment: judgeContainment(config, record?.containment, regions),
    regions,
    /** The Aurora global database as the first region that answered saw it; null on the RDS tier. */
    globalDatabase,
    objectives: config.objectives,
    readiness: {
      operation,
      from: plan.fromRegion,
      to: plan.toRegion,
      ...judgeNextReadiness(preconditions),
      /** The readiness Lambda's last evaluation (every check), its age and whether it is stale; null when none is recorded. */
      lastEvaluation: evaluated.ok ? lastEvaluation(evaluated.value, now) : { error: evaluated.error },
    },
  };
}

/** The status document. */
export type Status = Awaited<ReturnType<typeof gatherStatus>>;
