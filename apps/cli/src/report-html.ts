import { scenarioEffects, SCENARIO_DESCRIPTIONS, type DrillReport } from '@dr/failover-core/drill';
import { parseOperation } from './drill-options.js';
import { invariantRows, tenths } from './progress.js';
import { stopwatch } from './report-axis.js';
import { esc, FATE_TEXT, faultWindows, PATTERN_DEFS, renderLegend } from './report-chart.js';
import { REPORT_CSS } from './report-style.js';
import { renderTimeline } from './report-timeline.js';
import type { DrillRecorder } from './drill-recorder.js';

/** Re-exported where it was first defined, beside the report it feeds. */
export { DrillRecorder } from './drill-recorder.js';

/** What the report says about how it was made, beside what the drill measured. */
export interface ReportMetadata {
  /** `simulated`: the built-in simulator, no AWS touched; `live`: a drill on real AWS resources. */
  readonly mode: 'simulated' | 'live';
  /** When the report was made; shown in UTC. */
  readonly generatedAt: Date;
  /** The file given with `--config`; undefined for the built-in reference topology. */
  readonly configFile: string | undefined;
  /** The application the config describes. */
  readonly app: string;
  /** `--outage-seconds`, when given: it changes the drill, so the command to reproduce it carries it. */
  readonly outageSeconds?: number | undefined;
  /** `--force`, when given. */
  readonly force?: boolean | undefined;
}

/** A word for a POSIX shell: as is when safe, else in single quotes. */
const shellWord = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The `dr drill` command that runs this drill again, the same way: the same seed gives the same drill. */
export function reproduceCommand(
  report: Pick<DrillReport, 'operation' | 'scenario' | 'seed'>,
  meta: Pick<ReportMetadata, 'configFile' | 'outageSeconds' | 'force'>,
): string {
  const words = ['dr', 'drill'];
  // The operation is implied by the scenario unless it was chosen.
  if (parseOperation(undefined, report.scenario) !== report.operation) words.push('--operation', report.operation);
  words.push('--scenario', report.scenario, '--seed', String(report.seed));
  if (meta.outageSeconds !== undefined) words.push('--outage-seconds', String(meta.outageSeconds));
  if (meta.force) words.push('--force');
  if (meta.configFile !== undefined) words.push('--config', shellWord(meta.configFile));
  return words.join(' ');
}

const utc = (d: Date): string => `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 16)} UTC`;
const withClock = (seconds: number): string => `${seconds.toFixed(1)} s (${stopwatch(seconds)})`;

/** A row of the scorecard: what was measured against what was promised. */
interface Score {
  readonly measure: string;
  readonly measured: string;
  readonly objective: string;
  readonly verdict: string;
  readonly good: boolean | null;
  readonly note?: string;
}

function scorecard(report: DrillReport): Score[] {
  const { objectives } = report;
  const within = (v: number, limit: number) => v <= limit;
  const scores: Score[] = [
    report.rtoSeconds === null
      ? {
          measure: 'Recovery time (RTO)',
          measured: 'not reached: the new region was never verified serving',
          objective: `${objectives.rtoSeconds} s (${stopwatch(objectives.rtoSeconds)})`,
          verdict: report.outcome === 'not-triggered' ? 'no failover was needed' : 'no recovery',
          good: report.outcome === 'not-triggered' ? null : false,
        }
      : {
          measure: 'Recovery time (RTO)',
          measured: withClock(report.rtoSeconds),
          objective: `${objectives.rtoSeconds} s (${stopwatch(objectives.rtoSeconds)})`,
          verdict: within(report.rtoSeconds, objectives.rtoSeconds) ? 'met' : 'missed',
          good: within(report.rtoSeconds, objectives.rtoSeconds),
        },
    report.rpoSeconds === null
      ? {
          measure: 'Data loss, database (RPO)',
          measured: 'no promotion decided',
          objective: `${objectives.maxDataLossSeconds} s`,
          verdict: '—',
          good: null,
        }
      : {
          measure: 'Data loss, database (RPO)',
          measured: tenths(report.rpoSeconds),
          objective: `${objectives.maxDataLossSeconds} s`,
          verdict: within(report.rpoSeconds, objectives.maxDataLossSeconds) ? 'met' : 'missed',
          good: within(report.rpoSeconds, objectives.maxDataLossSeconds),
          note: `replica lag when the promotion was decided${report.rpoRisked ? '; forced past the RPO guard: this window of writes is at risk' : ''}`,
        },
  ];
  if (report.bucketRpoSeconds !== null) {
    const ok = within(report.bucketRpoSeconds, objectives.maxDataLossSeconds);
    // S3 Replication Time Control's target: 99.99 % of objects replicated within 15 minutes
    // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-time-control.html).
    scores.push({
      measure: 'Data loss, files in S3 (bucket RPO)',
      measured: tenths(report.bucketRpoSeconds),
      objective: `${objectives.maxDataLossSeconds} s`,
      verdict: ok ? 'within' : 'beyond',
      good: ok,
      note: 'S3 replication lag when the region failed: objects that may not have reached the DR bucket (informative: not part of the objectives verdict; S3 Replication Time Control aims at 99.99 % of objects within 15 minutes)',
    });
  }
  if (report.detectSeconds !== null)
    scores.push({
      measure: 'Time to detect',
      measured: withClock(report.detectSeconds),
      objective: '—',
      verdict: '—',
      good: null,
      note: 'from the impairment to the failover being triggered (part of the RTO)',
    });
  return scores;
}

const OUTCOME_TEXT: Readonly<Record<string, string>> = {
  completed: 'completed',
  'rolled-back': 'rolled back',
  failed: 'failed',
  refused: 'refused',
  'not-triggered': 'not triggered',
};

/** The timeline chart of the drill, with the windows of the scenario's faults as the drill injected them. */
function chartOf(report: DrillReport, recorded: DrillRecorder, meta: ReportMetadata): string {
  const faultMs = recorded.faultAt === undefined ? undefined : recorded.faultAt * 1000;
  const effects =
    faultMs === undefined
      ? undefined
      : scenarioEffects(
          report.scenario,
          report.fromRegion,
          report.toRegion,
          faultMs,
          meta.outageSeconds === undefined ? undefined : meta.outageSeconds * 1000,
        );
  return renderTimeline({
    report,
    plan: recorded.plan,
    verdicts: recorded.verdicts,
    blocks: recorded.blocks,
    faultAt: recorded.faultAt,
    faults: effects === undefined ? [] : faultWindows(effects.faults),
    committedAt: recorded.committedAt,
  });
}

/** The details the terminal shows, as label and value. */
function detailsOf(report: DrillReport): [string, string][] {
  const details: [string, string][] = [
    ['outcome', report.outcome],
    ['promoted', report.promoted ? 'yes: the run went past its point of no return' : 'no: the run did not pass its point of no return'],
    ['critical path', report.criticalPath.map((s) => `${s.blockId} ${s.seconds.toFixed(1)} s`).join(' → ') || '—'],
    [
      'AWS actions',
      Object.entries(report.actions)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || 'none',
    ],
    [
      'failed calls',
      Object.entries(report.failedCalls)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || 'none',
    ],
  ];
  if (report.reason)
    details.push([
      'reason',
      report.failure?.blockId ? `${report.reason} (step ${report.failure.stepId}, block ${report.failure.blockId})` : report.reason,
    ]);
  details.push([
    'invariants',
    invariantRows(report.invariants)
      .map((r) => `${r.label} ${r.value}`)
      .join(', '),
  ]);
  details.push(['serving at the end', report.activeRegion]);
  if (report.controller.crashes > 0) details.push(['controller', `${report.controller.crashes} crash, resumed from the stored state`]);
  return details;
}

/** For a run that did not complete: what it changed and what became of each change, where things stand, and the next command. */
function changesSection(report: DrillReport, startedAt: number | undefined): string {
  const unfinished = report.summary !== null && report.outcome !== 'completed' && report.outcome !== 'not-triggered';
  return unfinished
    ? `<section class="after">
<h2>What the run changed, and what to do now</h2>
${
  report.summary!.changes.length === 0
    ? '<p>Nothing: no change took effect.</p>'
    : `<table class="changes"><tr><th>when</th><th>fate</th><th>block</th><th>change</th></tr>${report
        .summary!.changes.map((c) => {
          const at = startedAt === undefined ? undefined : (c.at - startedAt) / 1000;
          const fate = `${FATE_TEXT[c.fate]}${c.uncertain ? ' (its answer never came: it may not have taken effect)' : ''}`;
          return `<tr><td>${at === undefined ? '—' : stopwatch(at)}</td><td class="fate ${c.fate}">${esc(fate)}</td><td>${esc(c.blockId)}</td><td>${esc(c.description)}${c.why ? `<br><small>${esc(c.why)}</small>` : ''}</td></tr>`;
        })
        .join('')}</table>`
}
<p><b>Now:</b> ${esc(report.summary!.now)}</p>
<p><b>Next:</b> <code class="next">${esc(report.summary!.next)}</code></p>
</section>`
    : '';
}

/**
 * The drill as one self-contained HTML page a manager can forward or print: a header that says
 * whether it was simulated or live, when, from which config and seed and how to reproduce it; a
 * scorecard of the objectives; the timeline chart with its legend; what a run that did not
 * complete changed, where things stand and the next command; and the details the terminal shows.
 * Inline CSS and SVG only, and a Content-Security-Policy that forbids every fetch, so it opens
 * anywhere with no network.
 */
export function renderDrillReport(report: DrillReport, recorded: DrillRecorder, meta: ReportMetadata): string {
  const svg = chartOf(report, recorded, meta);

  const simulated = meta.mode === 'simulated';
  const command = reproduceCommand(report, meta);
  const outcome = OUTCOME_TEXT[report.outcome] ?? report.outcome;
  const good = report.objectives.met;
  const facts: [string, string][] = [
    ['generated', utc(meta.generatedAt)],
    ['config', meta.configFile === undefined ? 'the built-in reference topology' : meta.configFile],
    ['app', meta.app],
    ['operation', `${report.operation} from ${report.fromRegion} to ${report.toRegion}`],
    ['scenario', `${report.scenario}: ${SCENARIO_DESCRIPTIONS[report.scenario]}`],
    ['seed', String(report.seed)],
    ['run', report.runId ?? '— (no run started)'],
  ];

  const scores = scorecard(report);
  const verdictClass = (g: boolean | null) => (g === null ? '' : g ? ' class="ok"' : ' class="bad"');

  const details = detailsOf(report);

  const changes = changesSection(report, recorded.startedAt);

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(`${simulated ? 'SIMULATED' : 'LIVE'} drill: ${report.operation} of ${meta.app} ${report.fromRegion} → ${report.toRegion}, ${report.scenario}, seed ${report.seed}, ${utc(meta.generatedAt)}`)}</title>
<style>
${REPORT_CSS}</style>
</head>
<body>
${PATTERN_DEFS}
<header>
<div><span class="mode ${meta.mode}">${simulated ? 'SIMULATED' : 'LIVE'}</span><span class="mode-note">${simulated ? 'run on the built-in simulator: no AWS account was touched' : 'run against real AWS resources'}</span></div>
<h1>Drill report: ${esc(report.operation)} of ${esc(meta.app)} from ${esc(report.fromRegion)} to ${esc(report.toRegion)}</h1>
<div class="outcome">Outcome: <b class="${good ? 'ok' : 'bad'}">${esc(outcome)}</b> — objectives <b class="${good ? 'ok' : 'bad'}">${good ? 'met' : 'not met'}</b></div>
<dl class="facts">${facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>
<div class="repro">To reproduce: <code class="reproduce">${esc(command)}</code></div>
</header>
<h2>Objectives</h2>
<table class="score"><tr><th>measure</th><th>measured</th><th>objective</th><th>verdict</th></tr>${scores
    .map(
      (s) =>
        `<tr><td>${esc(s.measure)}</td><td>${esc(s.measured)}${s.note ? `<br><small>${esc(s.note)}</small>` : ''}</td><td>${esc(s.objective)}</td><td${verdictClass(s.good)}>${esc(s.verdict)}</td></tr>`,
    )
    .join('')}</table>
${changes}
<h2>Timeline</h2>
<div class="chart">${svg}</div>
${renderLegend()}
<h2>Details</h2>
<table class="details">${details.map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`).join('')}</table>
<h2>Steps</h2>
<table class="steps"><tr><th>#</th><th>step</th><th>started</th><th>ended</th><th>outcome</th></tr>${report.steps
    .map(
      (s, i) =>
        `<tr><td>${i + 1}</td><td>${esc(s.name)}</td><td>${s.startSeconds === null ? '—' : stopwatch(s.startSeconds)}</td><td>${s.endSeconds === null ? '—' : stopwatch(s.endSeconds)}</td><td>${esc(s.outcome)}</td></tr>`,
    )
    .join('')}</table>
</body>
</html>
`;
}
