import { activeSteps, buildPlan, dbRef, asgRef, groupRef, describeError, evaluatePreconditions, readReadiness, READINESS_INTERVAL_MINUTES, retiredPrefix, Runner, stateKeys, summarizeReadiness, summarizeRun, type ReadinessReport, type RegionRole } from '@dr/failover-core';
import type { CapacityStatus, DbRef, DbStatus, Ports, ReadOnlySetting } from '@dr/failover-core/ports';
import { isManaged } from '@dr/snapshot';
import { Command, Option } from 'commander';
import type { AwsContext } from '../aws-context.js';
import { awsOptions, type AwsFlags } from '../aws-options.js';
import { EXIT, isMissingCredentials, UsageError } from '../errors.js';
import type { CommandContext } from '../main.js';
import { Output } from '../output.js';
import { printRetired } from '../retired.js';
import { outcomeColour } from '../progress.js';
import { printNowNext } from '../run-summary.js';

/** A read that may fail (a region down): its value, or why not. */
type Read<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

async function read<T>(call: () => Promise<T>): Promise<Read<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (e) {
    // No credentials is the operator's setup, not a region's state: stop and say so.
    if (isMissingCredentials(e)) throw e;
    return { ok: false, error: describeError(e) };
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
  const database = new Proxy(ports.database, { get: (target, name, receiver) => (name === 'describe' ? describe : Reflect.get(target, name, receiver)) });
  return { ...ports, database };
}

/** Everything `dr status` shows, as `--json` prints it. */
export async function gatherStatus(ctx: AwsContext, now = Date.now()) {
  const { config, snapshots } = ctx;
  const ports = describingOnce(ctx.ports);
  const control = await read(() => Runner.read(ports, stateKeys(config.app).control));
  const record = control.ok ? control.value?.value : undefined;
  const active: RegionRole = record?.active ?? 'primary';
  const regions = await Promise.all(
    (['primary', 'secondary'] as const).map(async (role) => {
      const r = config[role];
      const [database, compute, traffic, alarm, newest, retired] = await Promise.all([
        read(() => ports.database.describe(dbRef(r))),
        read(() => ports.compute.describe(asgRef(r))),
        read(() => ports.traffic.describe(groupRef(r))),
        r.availabilityAlarmName ? read(() => ports.alarms.state({ region: r.region, alarmName: r.availabilityAlarmName! })) : Promise.resolve(undefined),
        read(async () => {
          const ours = (await snapshots.list(r.region)).filter((s) => isManaged(s, config.app) && s.status === 'available' && s.createdAt !== undefined);
          const at = Math.max(...ours.map((s) => s.createdAt!));
          return ours.length ? { id: ours.find((s) => s.createdAt === at)!.id, ageHours: Math.round((now - at) / 360_000) / 10 } : null;
        }),
        // What failbacks and rebuilds retired here (`<id>-retired-<tag>`): kept for reconciliation, and billing.
        read(() => ports.database.listInstances(r.region, retiredPrefix(r.dbInstanceIdentifier))),
      ]);
      return { role, region: r.region, active: role === active, database, compute, traffic, alarm, newestSnapshot: newest, retired };
    }),
  );
  // Readiness: the preconditions of what could be done next (a failover from the active region).
  const operation = active === 'primary' ? 'failover' : 'failback';
  const plan = buildPlan(config, 'failover', { from: active });
  // A failback plan needs fields a failover-only config may lack: its problems are readiness problems.
  const readiness = await read(() => evaluatePreconditions(buildPlan(config, operation), ports, config.objectives.maxDataLossSeconds));
  const evaluated = await read(() => readReadiness(ports.stateStore, config.app));
  return {
    app: config.app,
    active: { role: active, region: config[active].region },
    epoch: record?.lease?.epoch ?? 0,
    lease: record?.lease && record.lease.expiresAt > now ? { owner: record.lease.owner, epoch: record.lease.epoch, expiresAt: record.lease.expiresAt } : null,
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

/** The last stored readiness report, with its counts, its age and whether it is stale. */
function lastEvaluation(report: ReadinessReport | undefined, now: number) {
  if (!report) return null;
  const s = summarizeReadiness(report, now);
  return { at: report.at, ageSeconds: Math.round(s.ageMs / 1000), stale: s.stale, pass: s.pass, fail: s.fail, unknown: s.unknown, total: s.total, standbyRegion: report.standbyRegion, checks: report.checks };
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
    out.line(`  readiness: ${c.yellow('no evaluation recorded')} (the readiness function stores one every ${READINESS_INTERVAL_MINUTES} min)`);
    return;
  }
  if ('error' in e) {
    out.line(`  readiness: ${c.red(`the last evaluation could not be read: ${e.error}`)}`);
    return;
  }
  const named = (status: 'fail' | 'unknown') => e.checks.filter((x) => x.status === status).map((x) => `${x.id} (${x.detail})`).join('; ');
  const parts = [`readiness ${e.pass}/${e.total} pass`];
  if (e.fail > 0) parts.push(c.red(`${e.fail} ${e.fail === 1 ? 'fails' : 'fail'}: ${named('fail')}`));
  if (e.unknown > 0) parts.push(c.yellow(`${e.unknown} unknown: ${named('unknown')}`));
  parts.push(`evaluated ${ago(e.ageSeconds)}`);
  out.line(`  ${parts.join(', ')}`);
  if (e.stale) out.line(`  ${c.red(`stale: older than ${3 * READINESS_INTERVAL_MINUTES} min, while it runs every ${READINESS_INTERVAL_MINUTES} min; is the readiness function running?`)}`);
}

/** One observed part of a region still to contain: true or false when seen, null when it could not be read. */
type Observed = { readonly value: boolean | null; readonly error: string | null };

const observed = <T>(r: Read<T>, judge: (v: T) => boolean): Observed => (r.ok ? { value: judge(r.value), error: null } : { value: null, error: r.error });

/**
 * A region left to contain (its database must not take writes, its capacity must be 0), judged
 * from what this command observed now, not from the record alone: the controller records a part
 * done only when it sees it done, so the record can lag the world by one invocation.
 */
function containmentStatus(
  config: AwsContext['config'],
  pending: { readonly role: RegionRole; readonly since: number; readonly runId: string; readonly writes: boolean; readonly capacity: boolean } | undefined,
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
  const group = db.parameterGroup ? `\n${db.parameterGroup.name}, ${db.parameterGroup.applyStatus === 'in-sync' ? 'in-sync' : c.yellow(`${db.parameterGroup.applyStatus}: not yet in effect`)}` : c.dim('\nparameter group unknown');
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
    if (k.databaseWritable.value === true) out.line(`  ${c.red('!')} ${db} is still writable: the controller fences it when ${k.region} answers (${when})`);
    else if (k.databaseWritable.value === false) out.line(`  ${c.green('✓')} ${db} takes no writes now; the controller records it contained at its next look`);
    else out.line(`  ${c.red('?')} ${db} could not be observed (${k.databaseWritable.error}): it may still be writable; the controller fences it when ${k.region} answers (${when})`);
  }
  if (!k.recorded.capacity) {
    if (k.capacityAtZero.value === false) out.line(`  ${c.red('!')} ${k.autoScalingGroupName} in ${k.region} still has capacity: the controller takes it to 0 when ${k.region} answers`);
    else if (k.capacityAtZero.value === true) out.line(`  ${c.green('✓')} ${k.autoScalingGroupName} in ${k.region} is at 0 now; the controller records it at its next look`);
    else out.line(`  ${c.red('?')} ${k.autoScalingGroupName} in ${k.region} could not be observed (${k.capacityAtZero.error}): the controller takes it to 0 when ${k.region} answers`);
  }
}

/** The last run, and for one that did not complete, the state it left and the one command next. */
function printRun(out: Output, s: Status): void {
  const run = s.run;
  if (!run) return;
  const c = out.color;
  const phase = outcomeColour(out, run.phase);
  out.line(`last run ${run.runId}: ${run.operation} ${phase}${run.step && run.phase !== 'completed' && run.phase !== 'rolled-back' ? ` at "${run.step}"` : ''}`);
  if (run.phase === 'failed' && run.committedAt !== null) {
    out.line(`  ${c.red('failed past its point of no return')}${run.failure ? ` (${run.failure.message})` : ''}: ${c.bold(s.active.region)} is the active region`);
  }
  if (run.phase === 'failed' || run.phase === 'rolled-back' || run.phase === 'refused') {
    printNowNext(out, run.summary, '  ');
  }
}

function printStatus(out: Output, s: Status): void {
  const c = out.color;
  const show = <T>(r: Read<T> | undefined, f: (v: T) => string) => (r === undefined ? c.dim('—') : r.ok ? f(r.value) : c.red(`unreachable: ${r.error}`));
  out.line(`${c.bold(s.app)}: ${c.green(`${s.active.role} (${s.active.region}) serves`)}, epoch ${s.epoch}${s.lease ? c.yellow(`, lease held by ${s.lease.owner}`) : ''}`);
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
      row('compute', (r) => show(r.compute, (a) => `min ${a.min} / desired ${a.desired} / max ${a.max}\n${a.inService} in service, ${a.healthyTargets} healthy`)),
      row('traffic', (r) => show(r.traffic, (g) => `dial ${g.trafficDialPercent}%, weight ${g.endpointWeight}\n${g.healthy ? c.green('healthy') : c.red('unhealthy')}`)),
      row('alarm', (r) => show(r.alarm, (a) => (a === 'OK' ? c.green(a) : a === 'ALARM' ? c.red(a) : c.yellow(a)))),
      row('snapshot', (r) => show(r.newestSnapshot, (n) => (n ? `${n.id}\n${n.ageHours} h old` : c.yellow('none')))),
    ],
  );
  printContainment(out, s);
  const retired = s.regions.flatMap((r) => (r.retired.ok ? r.retired.value : []));
  printRetired(out, retired);
  for (const r of s.regions) if (!r.retired.ok) out.line(c.dim(`  retired databases in ${r.region} could not be listed: ${r.retired.error}`));
  const r = s.readiness;
  out.line();
  out.line(c.bold(`Readiness of a ${r.operation} from ${r.from} to ${r.to}:`));
  if (r.ready) out.line(`  ${c.green('✓')} every precondition passes${r.replicaLagSeconds !== null ? ` (replica lag ${r.replicaLagSeconds} s, objective ${lag} s)` : ''}`);
  for (const problem of r.problems) out.line(`  ${c.red('✗')} ${problem.kind === 'rpo' ? 'RPO guard: ' : ''}${problem.message}`);
  printEvaluation(out, r.lastEvaluation);
}

interface StatusFlags extends AwsFlags {
  readonly json?: boolean;
  readonly watch?: string | boolean;
}

/** `dr status`: both regions at a glance, and whether a failover would start. */
export function statusCommand(context: CommandContext): Command {
  const command = new Command('status').description('Show both regions at a glance: the active region and epoch, databases, capacity, traffic, alarms, snapshots, and the readiness of a failover.');
  for (const option of awsOptions()) command.addOption(option);
  return command
    .option('--json', 'print one JSON document (with --watch, one per line)')
    .addOption(new Option('--watch [seconds]', 'refresh every few seconds until interrupted').preset('10'))
    .addHelpText('after', '\nExamples:\n  dr status --app lamp --region us-east-1\n  dr status --config dr.json --json\n  dr status --app lamp --watch 5')
    .action(async (flags: StatusFlags) => {
      const every = flags.watch === undefined ? undefined : Number(flags.watch);
      if (every !== undefined && (!Number.isInteger(every) || every < 1 || every > 3600)) throw new UsageError(`--watch must be a whole number of seconds from 1 to 3600; got ${JSON.stringify(flags.watch)}`);
      const { awsContext } = await import('../aws-context.js');
      const ctx = await awsContext(flags);
      const out = new Output(process.stdout, process.stderr, flags.json === true);
      for (;;) {
        const status = await gatherStatus(ctx);
        if (flags.json) process.stdout.write(`${JSON.stringify(status, null, every === undefined ? 2 : 0)}\n`);
        else {
          if (every !== undefined && process.stdout.isTTY) process.stdout.write('\x1b[2J\x1b[H');
          printStatus(out, status);
        }
        context.exitCode = status.readiness.ready || status.active.role !== 'primary' ? EXIT.ok : EXIT.failed;
        if (every === undefined) return;
        await new Promise((resolve) => setTimeout(resolve, every * 1000));
      }
    });
}
