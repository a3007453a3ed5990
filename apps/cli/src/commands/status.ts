import { buildPlan, dbRef, asgRef, groupRef, describeError, evaluatePreconditions, Runner, stateKeys, type RegionRole } from '@dr/failover-core';
import { isManaged } from '@dr/snapshot';
import { Command, Option } from 'commander';
import type { AwsContext } from '../aws-context.js';
import { awsOptions, type AwsFlags } from '../aws-options.js';
import { EXIT, isMissingCredentials, UsageError } from '../errors.js';
import type { CommandContext } from '../main.js';
import { Output } from '../output.js';

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

/** Everything `dr status` shows, as `--json` prints it. */
export async function gatherStatus(ctx: AwsContext, now = Date.now()) {
  const { config, ports, snapshots } = ctx;
  const control = await read(() => Runner.read(ports, stateKeys(config.app).control));
  const record = control.ok ? control.value?.value : undefined;
  const active: RegionRole = record?.active ?? 'primary';
  const regions = await Promise.all(
    (['primary', 'secondary'] as const).map(async (role) => {
      const r = config[role];
      const [database, compute, traffic, alarm, newest] = await Promise.all([
        read(() => ports.database.describe(dbRef(r))),
        read(() => ports.compute.describe(asgRef(r))),
        read(() => ports.traffic.describe(groupRef(r))),
        r.availabilityAlarmName ? read(() => ports.alarms.state({ region: r.region, alarmName: r.availabilityAlarmName! })) : Promise.resolve(undefined),
        read(async () => {
          const ours = (await snapshots.list(r.region)).filter((s) => isManaged(s, config.app) && s.status === 'available' && s.createdAt !== undefined);
          const at = Math.max(...ours.map((s) => s.createdAt!));
          return ours.length ? { id: ours.find((s) => s.createdAt === at)!.id, ageHours: Math.round((now - at) / 360_000) / 10 } : null;
        }),
      ]);
      return { role, region: r.region, active: role === active, database, compute, traffic, alarm, newestSnapshot: newest };
    }),
  );
  // Readiness: the preconditions of what could be done next (a failover from the active region).
  const operation = active === 'primary' ? 'failover' : 'failback';
  const plan = buildPlan(config, 'failover', { from: active });
  // A failback plan needs fields a failover-only config may lack: its problems are readiness problems.
  const readiness = await read(() => evaluatePreconditions(buildPlan(config, operation), ports, config.objectives.maxDataLossSeconds));
  return {
    app: config.app,
    active: { role: active, region: config[active].region },
    epoch: record?.lease?.epoch ?? 0,
    lease: record?.lease && record.lease.expiresAt > now ? record.lease : null,
    stateStore: control.ok ? 'ok' : control.error,
    run: record?.run ? { runId: record.run.runId, operation: record.run.operation, phase: record.run.phase, step: record.run.plan.steps[record.run.stepIndex]?.name ?? null } : null,
    regions,
    objectives: config.objectives,
    readiness: {
      operation,
      from: plan.fromRegion,
      to: plan.toRegion,
      ready: readiness.ok && readiness.value.problems.length === 0,
      replicaLagSeconds: readiness.ok ? (readiness.value.replicaLagSeconds ?? null) : null,
      problems: readiness.ok ? readiness.value.problems : [{ kind: 'precondition' as const, message: readiness.error }],
    },
  };
}

/** The status document. */
export type Status = Awaited<ReturnType<typeof gatherStatus>>;

function printStatus(out: Output, s: Status): void {
  const c = out.color;
  const show = <T>(r: Read<T> | undefined, f: (v: T) => string) => (r === undefined ? c.dim('—') : r.ok ? f(r.value) : c.red(`unreachable: ${r.error}`));
  out.line(`${c.bold(s.app)}: ${c.green(`${s.active.role} (${s.active.region}) serves`)}, epoch ${s.epoch}${s.lease ? c.yellow(`, lease held by ${s.lease.owner}`) : ''}`);
  if (s.run) out.line(`last run ${s.run.runId}: ${s.run.operation} ${s.run.phase === 'completed' ? c.green(s.run.phase) : c.yellow(s.run.phase)}${s.run.step && s.run.phase !== 'completed' ? ` at "${s.run.step}"` : ''}`);
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
      row('compute', (r) => show(r.compute, (a) => `min ${a.min} / desired ${a.desired} / max ${a.max}\n${a.inService} in service, ${a.healthyTargets} healthy`)),
      row('traffic', (r) => show(r.traffic, (g) => `dial ${g.trafficDialPercent}%, weight ${g.endpointWeight}\n${g.healthy ? c.green('healthy') : c.red('unhealthy')}`)),
      row('alarm', (r) => show(r.alarm, (a) => (a === 'OK' ? c.green(a) : a === 'ALARM' ? c.red(a) : c.yellow(a)))),
      row('snapshot', (r) => show(r.newestSnapshot, (n) => (n ? `${n.id}\n${n.ageHours} h old` : c.yellow('none')))),
    ],
  );
  const r = s.readiness;
  out.line(c.bold(`Readiness of a ${r.operation} from ${r.from} to ${r.to}:`));
  if (r.ready) out.line(`  ${c.green('✓')} every precondition passes${r.replicaLagSeconds !== null ? ` (replica lag ${r.replicaLagSeconds} s, objective ${lag} s)` : ''}`);
  for (const problem of r.problems) out.line(`  ${c.red('✗')} ${problem.kind === 'rpo' ? 'RPO guard: ' : ''}${problem.message}`);
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
