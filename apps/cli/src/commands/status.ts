import {
  activeSteps,
  buildPlan,
  dbRef,
  asgRef,
  groupRef,
  describeError,
  evaluatePreconditions,
  GLOBAL_ACCELERATOR_CONTROL_REGION,
  readReadiness,
  READINESS_INTERVAL_MINUTES,
  retiredPrefix,
  Runner,
  stateKeys,
  summarizeReadiness,
  summarizeRun,
  type ReadinessReport,
  type RegionRole,
} from '@dr/failover-core';
import { isNotReady, isRegionUnreachable, isResourceNotFound, isThrottled, type UnreachableReason } from '@dr/failover-core/errors';
import type { CapacityStatus, DbRef, DbStatus, EndpointGroupStatus, Ports, ReadOnlySetting } from '@dr/failover-core/ports';
import { isManaged } from '@dr/snapshot';
import { Command, Option } from 'commander';
import type { AwsContext } from '../aws-context.js';
import { awsOptions, type AwsFlags } from '../aws-options.js';
import { EXIT, isAccessDenied, isMissingCredentials, UsageError } from '../errors.js';
import { jsonDocument } from '../json-document.js';
import type { CommandContext } from '../main.js';
import { Output } from '../output.js';
import { printRetired } from '../retired.js';
import { outcomeColour } from '../progress.js';
import { printNowNext } from '../run-summary.js';

/**
 * Why a read failed, for people and scripts: the network's reasons of `RegionUnreachableError`
 * (no answer came), or AWS's answer (`access-denied`, `not-found`, `throttled`, `aws-error` for a
 * 5xx), or `error` for anything else.
 */
export type ReadFailureReason = UnreachableReason | 'access-denied' | 'not-found' | 'throttled' | 'aws-error' | 'error';

/** A read that may fail (a region down): its value, or why not. */
type Read<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string; readonly reason: ReadFailureReason };

function failureReason(e: unknown): ReadFailureReason {
  if (isRegionUnreachable(e)) return e.reason;
  if (isAccessDenied(e)) return 'access-denied';
  if (isResourceNotFound(e)) return 'not-found';
  if (isThrottled(e)) return 'throttled';
  if (isNotReady(e)) return 'aws-error';
  return 'error';
}

/** One AWS read and the region whose API it called: what {@link judgeReach} compares. */
export interface Attempt {
  readonly region: string;
  readonly reason: ReadFailureReason | null;
}

/** Reads through `call`, noting in `ledger` whether `region`'s API answered. */
async function read<T>(call: () => Promise<T>, ledger?: { readonly region: string; readonly attempts: Attempt[] }): Promise<Read<T>> {
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

/** Everything `dr status` shows, as `--json` prints it (inside the common document head). */
export async function gatherStatus(ctx: AwsContext, now = Date.now()) {
  const { config, snapshots } = ctx;
  const ports = describingOnce(ctx.ports);
  const attempts: Attempt[] = [];
  const at = (region: string) => ({ region, attempts });
  // createAwsPorts puts the state table in the secondary region unless told otherwise, and `dr` does not tell it.
  const stateRegion = config.secondary.region;
  const control = await read(() => Runner.read(ports, stateKeys(config.app).control), at(stateRegion));
  const record = control.ok ? control.value?.value : undefined;
  // With no record (never failed over) the primary serves; with an unreadable one nobody knows.
  const recorded: RegionRole | null = control.ok ? (record?.active ?? 'primary') : null;
  const active: RegionRole = recorded ?? 'primary';
  const regions = await Promise.all(
    (['primary', 'secondary'] as const).map(async (role) => {
      const r = config[role];
      const here = at(r.region);
      const [database, compute, traffic, alarm, newest, retired] = await Promise.all([
        read(() => ports.database.describe(dbRef(r)), here),
        read(() => ports.compute.describe(asgRef(r)), here),
        read(() => ports.traffic.describe(groupRef(r)), at(GLOBAL_ACCELERATOR_CONTROL_REGION)),
        r.availabilityAlarmName
          ? read(() => ports.alarms.state({ region: r.region, alarmName: r.availabilityAlarmName! }), here)
          : Promise.resolve(undefined),
        read(async () => {
          const ours = (await snapshots.list(r.region)).filter(
            (s) => isManaged(s, config.app) && s.status === 'available' && s.createdAt !== undefined,
          );
          const at = Math.max(...ours.map((s) => s.createdAt!));
          return ours.length ? { id: ours.find((s) => s.createdAt === at)!.id, ageHours: Math.round((now - at) / 360_000) / 10 } : null;
        }, here),
        // What failbacks and rebuilds retired here (`<id>-retired-<tag>`): kept for reconciliation, and billing.
        read(() => ports.database.listInstances(r.region, retiredPrefix(r.dbInstanceIdentifier)), here),
      ]);
      return { role, region: r.region, active: role === recorded, database, compute, traffic, alarm, newestSnapshot: newest, retired };
    }),
  );
  // Readiness: the preconditions of what could be done next (a failover from the active region).
  const operation = active === 'primary' ? 'failover' : 'failback';
  const plan = buildPlan(config, 'failover', { from: active });
  // A failback plan needs fields a failover-only config may lack: its problems are readiness problems.
  const readiness = await read(() => evaluatePreconditions(buildPlan(config, operation), ports, config.objectives.maxDataLossSeconds));
  const evaluated = await read(() => readReadiness(ports.stateStore, config.app), at(stateRegion));
  return {
    app: config.app,
    headline: judgeHeadline(config.app, control, recorded, regions, judgeReach(attempts)),
    /** The region the state record names active; null when the record could not be read. */
    active: recorded === null ? null : { role: recorded, region: config[recorded].region },
    epoch: record?.lease?.epoch ?? 0,
    lease:
      record?.lease && record.lease.expiresAt > now
        ? { owner: record.lease.owner, epoch: record.lease.epoch, expiresAt: record.lease.expiresAt }
        : null,
    stateStore: control.ok ? 'ok' : control.error,
    run: record?.run
      ? {
          runId: record.run.runId,
          operation: record.run.operation,
          phase: record.run.phase,
          step: activeSteps(record.run)[record.run.stepIndex]?.name ?? null,
          committedAt: record.run.committedAt ?? null,
          failure: record.run.failure ?? null,
          // What the run changed, the state it left and the one command next, as the run saw them.
          summary: summarizeRun(record.run),
        }
      : null,
    containment: containmentStatus(config, record?.containment, regions),
    regions,
    objectives: config.objectives,
    readiness: {
      operation,
      from: plan.fromRegion,
      to: plan.toRegion,
      ready: readiness.ok && readiness.value.problems.length === 0,
      replicaLagSeconds: readiness.ok ? (readiness.value.replicaLagSeconds ?? null) : null,
      problems: readiness.ok ? readiness.value.problems : [{ kind: 'precondition' as const, message: readiness.error }],
      /** The readiness Lambda's last evaluation (every check), its age and whether it is stale; null when none is recorded. */
      lastEvaluation: evaluated.ok ? lastEvaluation(evaluated.value, now) : { error: evaluated.error },
    },
  };
}

/** Reasons that, seen everywhere at once, point at this side of the network (or its credentials) rather than at AWS. */
const LOCAL_REASONS: ReadonlySet<ReadFailureReason> = new Set(['refused', 'dns', 'access-denied']);
/** Reasons that mean no answer came from a region's API. */
const SILENT_REASONS: ReadonlySet<ReadFailureReason> = new Set(['timeout', 'refused', 'dns', 'reset', 'no-route']);

/** What the reads say about where the trouble is: on this side, or in a region. */
export interface Reach {
  /** AWS could not be reached from here: nothing answered, or every region failed only for local-looking reasons. */
  readonly fromHere: boolean;
  /** The distinct reasons of every failed read, most frequent first. */
  readonly reasons: readonly ReadFailureReason[];
  /** Regions whose every read got no answer, each with its reasons, while some other region answered. */
  readonly silent: ReadonlyMap<string, readonly ReadFailureReason[]>;
}

/**
 * Tells "cannot reach AWS from here" from "a region does not answer" by comparing regions, not by
 * error code alone. A refused connection or an unresolved name usually means this side (a VPN
 * down, a proxy, a broken resolver), but a real regional outage can look the same from
 * everywhere: in the us-east-1 DynamoDB event of October 2025 the regional endpoint's name stopped
 * resolving (https://aws.amazon.com/message/101925/). So an error code alone never decides:
 * when another region (Global Accelerator's us-west-2, the state table, the other workload
 * region) answers, the network path works and the silent region is the problem; only when nothing
 * answers at all, or every region called failed and every failure is refused, DNS or access
 * denied, is it said to be this side.
 */
export function judgeReach(attempts: readonly Attempt[]): Reach {
  const failures = attempts.filter((a) => a.reason !== null);
  const counts = new Map<ReadFailureReason, number>();
  for (const f of failures) counts.set(f.reason!, (counts.get(f.reason!) ?? 0) + 1);
  const reasons = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([r]) => r);
  const regions = [...new Set(attempts.map((a) => a.region))];
  const answered = new Set(attempts.filter((a) => a.reason === null).map((a) => a.region));
  const failedEverywhere = regions.every((r) => failures.some((f) => f.region === r));
  const fromHere =
    attempts.length > 0 && (answered.size === 0 || (failedEverywhere && failures.every((f) => LOCAL_REASONS.has(f.reason!))));
  const silent = new Map<string, ReadFailureReason[]>();
  if (!fromHere) {
    for (const region of regions) {
      const mine = attempts.filter((a) => a.region === region);
      if (!answered.has(region) && mine.every((a) => SILENT_REASONS.has(a.reason!)))
        silent.set(region, [...new Set(mine.map((a) => a.reason!))]);
    }
  }
  return { fromHere, reasons, silent };
}

/** A failure reason as a few words, for table cells and the headline. */
const REASON_WORDS: Readonly<Record<ReadFailureReason, string>> = {
  timeout: 'timed out',
  refused: 'connection refused',
  dns: 'DNS',
  reset: 'connection dropped',
  'no-route': 'no route',
  'access-denied': 'access denied',
  'not-found': 'not found',
  throttled: 'throttled',
  'aws-error': 'AWS error',
  error: 'error',
};

/**
 * The one line that says what serves users now. `reason` is for scripts: `healthy`, `not-reachable-from-here`,
 * `record-unread`, `region-silent`, `not-serving` (something observed is wrong) or `partly-observed`.
 */
export interface Headline {
  /** The line, without colour. */
  readonly text: string;
  /** The region the state record names active; null when the record could not be read. */
  readonly serving: { readonly role: RegionRole; readonly region: string } | null;
  /** Whether anything of the service could be observed from here. */
  readonly observed: boolean;
  readonly reason: 'healthy' | 'not-reachable-from-here' | 'record-unread' | 'region-silent' | 'not-serving' | 'partly-observed';
}

/** The reads of one region the headline judges. */
interface RegionReads {
  readonly role: RegionRole;
  readonly region: string;
  readonly database: Read<DbStatus>;
  readonly compute: Read<CapacityStatus>;
  readonly traffic: Read<EndpointGroupStatus>;
}

/** What is wrong with a region as the serving side (`bad`), and what of it could not be seen (`unseen`), from what was observed. */
function assessServing(r: Pick<RegionReads, 'database' | 'compute' | 'traffic'>): { bad: string[]; unseen: string[]; noTraffic: boolean } {
  const bad: string[] = [];
  const unseen: string[] = [];
  const cannot = (what: string, x: { readonly ok: false; readonly reason: ReadFailureReason }) =>
    unseen.push(`its ${what} could not be read (${REASON_WORDS[x.reason]})`);
  if (r.database.ok) {
    const db = r.database.value;
    if (!db.exists) bad.push('its database is missing');
    else if (!db.writable) bad.push(`its database is not writable (${db.role}, ${db.status}${db.writeFenced ? ', write-fenced' : ''})`);
  } else cannot('database', r.database);
  const noTraffic = r.traffic.ok && !takesTraffic(r.traffic.value);
  if (r.traffic.ok) {
    const g = r.traffic.value;
    if (g.trafficDialPercent === 0) bad.push('its accelerator traffic dial is 0%');
    if (g.endpointWeight === 0) bad.push('its accelerator endpoint weight is 0');
    if (!g.healthy) bad.push('its accelerator endpoint is unhealthy');
  } else cannot('accelerator endpoint', r.traffic);
  if (r.compute.ok) {
    if (r.compute.value.healthyTargets === 0) bad.push('it has no healthy targets');
  } else cannot('compute', r.compute);
  return { bad, unseen, noTraffic: noTraffic || (r.compute.ok && r.compute.value.healthyTargets === 0) };
}

/** Whether Global Accelerator sends users to the group: a dial above 0, a weight above 0, the endpoint healthy. */
const takesTraffic = (g: EndpointGroupStatus): boolean => g.trafficDialPercent > 0 && g.endpointWeight > 0 && g.healthy;

/**
 * What serves users now, judged from the record's active region and what was observed of it:
 * its traffic (dial, weight, health), its database (a writable primary), its compute (healthy
 * targets). Says only what was seen; what could not be seen is named as such.
 */
function judgeHeadline(
  app: string,
  control: Read<unknown>,
  recorded: RegionRole | null,
  regions: readonly RegionReads[],
  reach: Reach,
): Headline {
  const words = (reasons: readonly ReadFailureReason[]) => reasons.map((r) => REASON_WORDS[r]).join(' / ');
  if (reach.fromHere) {
    const serving = recorded === null ? null : { role: recorded, region: regions.find((r) => r.role === recorded)!.region };
    return {
      text: `${app}: cannot reach AWS from here (${words(reach.reasons)}): nothing about the service could be observed; check this machine's network path (VPN, proxy, DNS) and credentials`,
      serving,
      observed: false,
      reason: 'not-reachable-from-here',
    };
  }
  if (recorded === null || !control.ok) {
    const unread = control.ok ? '' : ` (${REASON_WORDS[control.reason]})`;
    const seen = regions.filter((r) => {
      const { bad, unseen } = assessServing(r);
      return bad.length === 0 && unseen.length === 0;
    });
    const which =
      seen.length === 1
        ? `; ${seen[0]!.region} (${seen[0]!.role}) is observed serving, healthy`
        : seen.length === 0
          ? '; neither region is observed serving healthy'
          : '; both regions are observed taking traffic';
    return {
      text: `${app}: the state record could not be read${unread}, so which region is meant to serve is not known${which}`,
      serving: null,
      observed: true,
      reason: 'record-unread',
    };
  }
  const r = regions.find((x) => x.role === recorded)!;
  const who = `${r.region} (${r.role})`;
  const serving = { role: r.role, region: r.region };
  const { bad, unseen, noTraffic } = assessServing(r);
  const silent = reach.silent.get(r.region);
  if (silent) {
    const endpoint = r.traffic.ok
      ? takesTraffic(r.traffic.value)
        ? 'its accelerator endpoint is still healthy'
        : `its accelerator endpoint is ${r.traffic.value.healthy ? 'healthy but takes no traffic' : 'unhealthy'}`
      : `its accelerator endpoint could not be read either (${REASON_WORDS[r.traffic.reason]})`;
    const verdict = r.traffic.ok
      ? takesTraffic(r.traffic.value)
        ? 'users may still be served; its database and compute cannot be seen'
        : 'users are probably not served'
      : 'whether users are served cannot be seen';
    return {
      text: `${app}: ${who} is meant to serve, but it does not answer (${words(silent)}) and ${endpoint}: ${verdict}`,
      serving,
      observed: true,
      reason: 'region-silent',
    };
  }
  if (bad.length === 0 && unseen.length === 0)
    return { text: `${app}: ${who} serves, observed healthy`, serving, observed: true, reason: 'healthy' };
  const verdict =
    bad.length === 0
      ? 'not all of it could be seen'
      : noTraffic
        ? 'users are probably not served'
        : 'users are reached, but the serving side is not healthy';
  return {
    text: `${app}: ${who} is meant to serve, but ${[...bad, ...unseen].join(', ')}: ${verdict}`,
    serving,
    observed: true,
    reason: bad.length === 0 ? 'partly-observed' : 'not-serving',
  };
}

/**
 * The one word a script branches on, and the exit code: 0 only when the serving side is observed healthy and the next operation is ready.
 */
function statusOutcome(s: Status): { outcome: 'healthy' | 'degraded' | 'not-observed'; exitCode: number } {
  if (!s.headline.observed) return { outcome: 'not-observed', exitCode: EXIT.failed };
  if (s.headline.reason === 'healthy' && s.readiness.ready) return { outcome: 'healthy', exitCode: EXIT.ok };
  return { outcome: 'degraded', exitCode: EXIT.failed };
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

/** An age as people say it: `40 s ago`, `3 min ago`, `5 h ago`. */
function ago(seconds: number): string {
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 2 * 3600) return `${Math.floor(seconds / 60)} min ago`;
  return `${Math.floor(seconds / 3600)} h ago`;
}

/** The last continuous evaluation: counts, what fails and what could not be seen, its age. */
function printEvaluation(out: Output, e: Status['readiness']['lastEvaluation']): void {
  const c = out.color;
  if (e === null) {
    out.line(
      `  readiness: ${c.yellow('no evaluation recorded')} (the readiness function stores one every ${READINESS_INTERVAL_MINUTES} min)`,
    );
    return;
  }
  if ('error' in e) {
    out.line(`  readiness: ${c.red(`the last evaluation could not be read: ${e.error}`)}`);
    return;
  }
  const named = (status: 'fail' | 'unknown') =>
    e.checks
      .filter((x) => x.status === status)
      .map((x) => `${x.id} (${x.detail})`)
      .join('; ');
  const parts = [`readiness ${e.pass}/${e.total} pass`];
  if (e.fail > 0) parts.push(c.red(`${e.fail} ${e.fail === 1 ? 'fails' : 'fail'}: ${named('fail')}`));
  if (e.unknown > 0) parts.push(c.yellow(`${e.unknown} unknown: ${named('unknown')}`));
  parts.push(`evaluated ${ago(e.ageSeconds)}`);
  out.line(`  ${parts.join(', ')}`);
  if (e.stale)
    out.line(
      `  ${c.red(`stale: older than ${3 * READINESS_INTERVAL_MINUTES} min, while it runs every ${READINESS_INTERVAL_MINUTES} min; is the readiness function running?`)}`,
    );
}

/** One observed part of a region still to contain: true or false when seen, null when it could not be read. */
type Observed = { readonly value: boolean | null; readonly error: string | null };

const observed = <T>(r: Read<T>, judge: (v: T) => boolean): Observed =>
  r.ok ? { value: judge(r.value), error: null } : { value: null, error: r.error };

/**
 * A region left to contain (its database must not take writes, its capacity must be 0), judged
 * from what this command observed now, not from the record alone: the controller records a part
 * done only when it sees it done, so the record can lag the world by one invocation.
 */
function containmentStatus(
  config: AwsContext['config'],
  pending:
    | { readonly role: RegionRole; readonly since: number; readonly runId: string; readonly writes: boolean; readonly capacity: boolean }
    | undefined,
  regions: readonly { readonly role: RegionRole; readonly database: Read<DbStatus>; readonly compute: Read<CapacityStatus> }[],
) {
  if (!pending) return null;
  const r = config[pending.role];
  const seen = regions.find((x) => x.role === pending.role);
  return {
    role: pending.role,
    region: r.region,
    dbInstanceIdentifier: r.dbInstanceIdentifier,
    autoScalingGroupName: r.autoScalingGroupName,
    since: pending.since,
    runId: pending.runId,
    recorded: { writes: pending.writes, capacity: pending.capacity },
    /** Whether the database takes writes now (a primary, available, not fenced), as observed. */
    databaseWritable: seen ? observed(seen.database, (db) => db.exists && db.writable) : { value: null, error: 'not read' },
    /** Whether the Auto Scaling group is at 0, as observed. */
    capacityAtZero: seen ? observed(seen.compute, (a) => a.min === 0 && a.desired === 0) : { value: null, error: 'not read' },
  };
}

/** The status document. */
export type Status = Awaited<ReturnType<typeof gatherStatus>>;

/** A parameter group's `read_only` as RDS shows it. */
const READ_ONLY: Readonly<Record<ReadOnlySetting, string>> = { on: '1 (fenced)', off: '0', default: '{TrueIfReplica}' };

const hhmm = (at: number): string => `${new Date(at).toISOString().slice(11, 16)} UTC`;

/** The write fence of a database: its group's `read_only`, and whether RDS has applied it (a change counts only `in-sync`). */
function fenceText(out: Output, db: DbStatus): string {
  const c = out.color;
  if (!db.exists) return c.dim('—');
  const setting = db.readOnly === undefined ? 'read_only unknown' : `read_only ${READ_ONLY[db.readOnly]}`;
  const group = db.parameterGroup
    ? `\n${db.parameterGroup.name}, ${db.parameterGroup.applyStatus === 'in-sync' ? 'in-sync' : c.yellow(`${db.parameterGroup.applyStatus}: not yet in effect`)}`
    : c.dim('\nparameter group unknown');
  return `${db.readOnly === 'on' ? c.yellow(setting) : setting}${group}`;
}

/** What is left to contain in a region, said plainly from what was observed. */
function printContainment(out: Output, s: Status): void {
  const k = s.containment;
  if (!k) return;
  const c = out.color;
  const when = `since ${hhmm(k.since)}, run ${k.runId}`;
  const db = `${k.region}'s database ${k.dbInstanceIdentifier}`;
  out.heading(c.yellow(`Containment of ${k.region} pending (${when})`));
  if (!k.recorded.writes) {
    if (k.databaseWritable.value === true)
      out.line(`  ${c.red('!')} ${db} is still writable: the controller fences it when ${k.region} answers (${when})`);
    else if (k.databaseWritable.value === false)
      out.line(`  ${c.green('✓')} ${db} takes no writes now; the controller records it contained at its next look`);
    else
      out.line(
        `  ${c.red('?')} ${db} could not be observed (${k.databaseWritable.error}): it may still be writable; the controller fences it when ${k.region} answers (${when})`,
      );
  }
  if (!k.recorded.capacity) {
    if (k.capacityAtZero.value === false)
      out.line(
        `  ${c.red('!')} ${k.autoScalingGroupName} in ${k.region} still has capacity: the controller takes it to 0 when ${k.region} answers`,
      );
    else if (k.capacityAtZero.value === true)
      out.line(`  ${c.green('✓')} ${k.autoScalingGroupName} in ${k.region} is at 0 now; the controller records it at its next look`);
    else
      out.line(
        `  ${c.red('?')} ${k.autoScalingGroupName} in ${k.region} could not be observed (${k.capacityAtZero.error}): the controller takes it to 0 when ${k.region} answers`,
      );
  }
}

/** The last run, and for one that did not complete, the state it left and the one command next. */
function printRun(out: Output, s: Status): void {
  const run = s.run;
  if (!run) return;
  const c = out.color;
  const phase = outcomeColour(out, run.phase);
  out.line(
    `last run ${run.runId}: ${run.operation} ${phase}${run.step && run.phase !== 'completed' && run.phase !== 'rolled-back' ? ` at "${run.step}"` : ''}`,
  );
  if (run.phase === 'failed' && run.committedAt !== null) {
    out.line(
      `  ${c.red('failed past its point of no return')}${run.failure ? ` (${run.failure.message})` : ''}: ${c.bold(s.active?.region ?? 'unknown')} is the active region`,
    );
  }
  if (run.phase === 'failed' || run.phase === 'rolled-back' || run.phase === 'refused') {
    printNowNext(out, run.summary, '  ');
  }
}

/** The short words of a failed read in a table cell; its full message goes below the table, once. */
const CELL_WORDS: Readonly<Record<ReadFailureReason, string>> = {
  timeout: 'unreachable: timed out',
  refused: 'unreachable: refused',
  dns: 'unreachable: DNS',
  reset: 'unreachable: dropped',
  'no-route': 'unreachable: no route',
  'access-denied': 'access denied',
  'not-found': 'not found',
  throttled: 'throttled',
  'aws-error': 'AWS error',
  error: 'error',
};

const HEADLINE_TONE: Readonly<Record<Headline['reason'], 'green' | 'yellow' | 'red'>> = {
  healthy: 'green',
  'partly-observed': 'yellow',
  'record-unread': 'yellow',
  'region-silent': 'red',
  'not-serving': 'red',
  'not-reachable-from-here': 'red',
};

function printStatus(out: Output, s: Status): void {
  const c = out.color;
  // Each distinct failure message gets a number; the cell shows the short reason and the number.
  const notes = new Map<string, number>();
  const note = (message: string) => {
    if (!notes.has(message)) notes.set(message, notes.size + 1);
    return notes.get(message)!;
  };
  const show = <T>(r: Read<T> | undefined, f: (v: T) => string) =>
    r === undefined ? c.dim('—') : r.ok ? f(r.value) : c.red(`${CELL_WORDS[r.reason]} [${note(r.error)}]`);
  out.paragraph(c.bold(c[HEADLINE_TONE[s.headline.reason]](s.headline.text)), '', '  ');
  if (s.active)
    out.paragraph(
      c.dim(`state record: ${s.active.role} (${s.active.region}) active, epoch ${s.epoch}`) +
        (s.lease ? c.yellow(`, lease held by ${s.lease.owner}`) : ''),
      '  ',
      '    ',
    );
  printRun(out, s);
  if (s.stateStore !== 'ok') out.line(c.red(`state table: ${s.stateStore}`));
  const [p, d] = s.regions;
  if (!p || !d) return;
  const row = (label: string, f: (r: Status['regions'][number]) => string) => [label, f(p), f(d)];
  const lag = s.objectives.maxDataLossSeconds;
  out.table(
    ['', `${p.role} ${p.region}${p.active ? ' ●' : ''}`, `${d.role} ${d.region}${d.active ? ' ●' : ''}`],
    [
      row('database', (r) =>
        show(r.database, (db) =>
          !db.exists
            ? c.red('missing')
            : `${db.role}, ${db.status}${db.writable ? ', writable' : ''}${db.writeFenced ? c.yellow(', write-fenced') : ''}${db.role === 'replica' ? `\nlag ${db.replicaLagSeconds ?? '?'} s ${db.replicaLagSeconds !== undefined && db.replicaLagSeconds <= lag ? c.green(`≤ ${lag} s`) : c.red(`(objective ${lag} s)`)}` : ''}`,
        ),
      ),
      row('fence', (r) => show(r.database, (db) => fenceText(out, db))),
      row('compute', (r) =>
        show(
          r.compute,
          (a) => `min ${a.min} / desired ${a.desired} / max ${a.max}\n${a.inService} in service, ${a.healthyTargets} healthy`,
        ),
      ),
      row('traffic', (r) =>
        show(
          r.traffic,
          (g) => `dial ${g.trafficDialPercent}%, weight ${g.endpointWeight}\n${g.healthy ? c.green('healthy') : c.red('unhealthy')}`,
        ),
      ),
      row('alarm', (r) => show(r.alarm, (a) => (a === 'OK' ? c.green(a) : a === 'ALARM' ? c.red(a) : c.yellow(a)))),
      row('snapshot', (r) => show(r.newestSnapshot, (n) => (n ? `${n.id}\n${n.ageHours} h old` : c.yellow('none')))),
    ],
  );
  for (const [message, n] of notes) out.paragraph(c.dim(`[${n}] ${message}`), '  ', '      ');
  printContainment(out, s);
  const retired = s.regions.flatMap((r) => (r.retired.ok ? r.retired.value : []));
  printRetired(out, retired);
  for (const r of s.regions)
    if (!r.retired.ok) out.line(c.dim(`  retired databases in ${r.region} could not be listed: ${r.retired.error}`));
  const r = s.readiness;
  out.line();
  out.line(c.bold(`Readiness of a ${r.operation} from ${r.from} to ${r.to}:`));
  if (r.ready)
    out.line(
      `  ${c.green('✓')} every precondition passes${r.replicaLagSeconds !== null ? ` (replica lag ${r.replicaLagSeconds} s, objective ${lag} s)` : ''}`,
    );
  for (const problem of r.problems)
    out.paragraph(`${problem.kind === 'rpo' ? 'RPO guard: ' : ''}${problem.message}`, `  ${c.red('✗')} `, '    ');
  printEvaluation(out, r.lastEvaluation);
}

interface StatusFlags extends AwsFlags {
  readonly json?: boolean;
  readonly watch?: string | boolean;
}

/** `dr status`: both regions at a glance, and whether a failover would start. */
export function statusCommand(context: CommandContext): Command {
  const command = new Command('status').description(
    'Say what serves users now, as observed, and show both regions at a glance: databases, capacity, traffic, alarms, snapshots, and the readiness of the next failover or failback.',
  );
  for (const option of awsOptions()) command.addOption(option);
  return command
    .option('--json', 'print one JSON document (with --watch, one per line)')
    .addOption(new Option('--watch [seconds]', 'refresh every few seconds until interrupted').preset('10'))
    .addHelpText(
      'after',
      [
        '',
        'Exit codes:',
        '  0  the serving region is observed healthy (database writable, accelerator endpoint healthy and taking traffic,',
        '     healthy targets) and the next operation (failover, or failback after a failover) is ready',
        '  1  anything else: a region does not answer, the serving side is not healthy, DR is not ready, or AWS',
        '     cannot be reached from here (connection refused, DNS, access denied)',
        '  2  bad input (options, config)',
        '',
        'Examples:',
        '  dr status --app lamp --region us-east-1',
        '  dr status --config dr.json --json',
        '  dr status --app lamp --watch 5',
      ].join('\n'),
    )
    .action(async (flags: StatusFlags) => {
      const every = flags.watch === undefined ? undefined : Number(flags.watch);
      if (every !== undefined && (!Number.isInteger(every) || every < 1 || every > 3600))
        throw new UsageError(`--watch must be a whole number of seconds from 1 to 3600; got ${JSON.stringify(flags.watch)}`);
      const { awsContext } = await import('../aws-context.js');
      const ctx = await awsContext(flags);
      for (;;) {
        // Made each round: a terminal resized while watching gets tables of its new width.
        const out = new Output(process.stdout, process.stderr, flags.json === true);
        const status = await gatherStatus(ctx);
        const { outcome, exitCode } = statusOutcome(status);
        if (flags.json) {
          const document = jsonDocument(
            { command: 'status', mode: 'live', outcome, measures: null, summary: status.run?.summary ?? null },
            status,
          );
          process.stdout.write(`${JSON.stringify(document, null, every === undefined ? 2 : 0)}\n`);
        } else {
          if (every !== undefined && process.stdout.isTTY) process.stdout.write('\x1b[2J\x1b[H');
          printStatus(out, status);
        }
        context.exitCode = exitCode;
        if (every === undefined) return;
        await new Promise((resolve) => setTimeout(resolve, every * 1000));
      }
    });
}
