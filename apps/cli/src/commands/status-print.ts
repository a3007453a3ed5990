import { READINESS_INTERVAL_MINUTES, type HeadlineReason, type Observation, type ReadFailureReason } from '@dr/failover-core';
import type { DbStatus, ReadOnlySetting } from '@dr/failover-core/ports';
import type { Output } from '../output.js';
import { outcomeColour } from '../progress.js';
import { printRetired } from '../retired.js';
import { printNowNext } from '../run-summary.js';
import type { Status } from './status-gather.js';

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

/** A parameter group's `read_only` as RDS shows it. */
const READ_ONLY: Readonly<Record<ReadOnlySetting, string>> = { on: '1 (fenced)', off: '0', default: '{TrueIfReplica}' };

const hhmm = (at: number): string => `${new Date(at).toISOString().slice(11, 16)} UTC`;

/** The write fence of a database: its group's `read_only`, and whether RDS has applied it (a change counts only `in-sync`). */
function fenceText(out: Output, db: DbStatus, aurora: boolean): string {
  const c = out.color;
  if (!db.exists) return c.dim('—');
  // Aurora's cluster parameter group rests at the engine default: a secondary cluster is read-only whatever it says.
  const word = aurora && db.readOnly === 'default' ? 'default' : db.readOnly && READ_ONLY[db.readOnly];
  const setting = db.readOnly === undefined ? 'read_only unknown' : `read_only ${word}`;
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

/** The colour of the headline: green only when healthy. */
const HEADLINE_TONE: Readonly<Record<HeadlineReason, 'green' | 'yellow' | 'red'>> = {
  healthy: 'green',
  'partly-observed': 'yellow',
  'record-unread': 'yellow',
  'region-silent': 'red',
  'not-serving': 'red',
  'not-reachable-from-here': 'red',
};

/** The Aurora global database's line: which cluster writes, how the others stand, and any failover in progress. */
function printGlobalDatabase(out: Output, s: Status, show: <T>(r: Observation<T> | null | undefined, f: (v: T) => string) => string): void {
  const g = s.globalDatabase;
  if (!g) return;
  const c = out.color;
  const text = show(g.seen, (v) => {
    if (!v.exists) return c.red(`not found from ${v.via}`);
    const members = v.members.map(
      (m) =>
        `${m.dbClusterIdentifier} (${m.region}) ${m.isWriter ? c.bold('writer') : `secondary${m.synchronizationStatus ? `, ${m.synchronizationStatus}` : ''}`}`,
    );
    const busy = v.failoverState
      ? c.yellow(`; ${v.failoverState.status}${v.failoverState.toRegion ? ` to ${v.failoverState.toRegion}` : ''}`)
      : '';
    return `${members.join('; ')}${busy} ${c.dim(`(as ${v.via} sees it)`)}`;
  });
  out.paragraph(`global database ${g.globalClusterIdentifier}: ${text}`, '  ', '    ');
}

/** `dr status` for people: the headline, the record, the last run, both regions in a table, containment, retired databases, readiness. */
export function printStatus(out: Output, s: Status): void {
  const c = out.color;
  // Each distinct failure message gets a number; the cell shows the short reason and the number.
  const notes = new Map<string, number>();
  const note = (message: string) => {
    if (!notes.has(message)) notes.set(message, notes.size + 1);
    return notes.get(message)!;
  };
  // Nothing read (a read this tier has not: null, or none configured: undefined) shows as a dash.
  const show = <T>(r: Observation<T> | null | undefined, f: (v: T) => string) =>
    r === undefined || r === null ? c.dim('—') : r.ok ? f(r.value) : c.red(`${CELL_WORDS[r.reason]} [${note(r.error)}]`);
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
      row('fence', (r) => show(r.database, (db) => fenceText(out, db, s.globalDatabase !== null))),
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
      s.globalDatabase
        ? row('backups', (r) =>
            show(r.database, (db) => (db.backupRetentionDays ? `continuous, ${db.backupRetentionDays} days` : c.yellow('none'))),
          )
        : row('snapshot', (r) => show(r.newestSnapshot, (n) => (n ? `${n.id}\n${n.ageHours} h old` : c.yellow('none')))),
    ],
  );
  printGlobalDatabase(out, s, show);
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
