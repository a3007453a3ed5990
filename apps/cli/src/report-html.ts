import { scenarioEffects, SCENARIO_DESCRIPTIONS, type DrillProgress, type DrillReport, type Verdict } from '@dr/failover-core/drill';
import type { Plan } from '@dr/failover-core';
import { parseOperation } from './drill-options.js';
import { invariantRows, tenths } from './progress.js';
import { stopwatch } from './report-axis.js';
import {
  esc,
  FATE_TEXT,
  faultWindows,
  MARKS,
  OKABE_ITO,
  PATTERN_DEFS,
  renderLegend,
  renderTimeline,
  type RecordedBlock,
} from './report-chart.js';

/** What a drill's progress told us that the report alone does not: block times, detector verdicts, the fault, the point of no return. */
export class DrillRecorder {
  plan: Plan | undefined;
  faultAt: number | undefined;
  committedAt: number | undefined;
  /** The simulated clock (epoch ms) when the drill began: turns a change's time into seconds since then. */
  startedAt: number | undefined;
  readonly verdicts: { seconds: number; verdict: Verdict }[] = [];
  readonly blocks = new Map<string, RecordedBlock>();

  /** Feed it every progress event of the drill. */
  readonly record = (p: DrillProgress): void => {
    if (p.kind === 'plan') this.plan = p.plan;
    if (p.kind === 'fault') this.faultAt ??= p.seconds;
    if (p.kind === 'verdict' && this.verdicts.at(-1)?.verdict !== p.verdict) this.verdicts.push({ seconds: p.seconds, verdict: p.verdict });
    if (p.kind !== 'timeline') return;
    this.startedAt ??= p.entry.at - p.seconds * 1000;
    if (p.entry.kind === 'committed') this.committedAt ??= p.seconds;
    if (!p.entry.blockId) return;
    const b = this.blocks.get(p.entry.blockId) ?? { stepId: p.entry.stepId ?? '' };
    if (p.entry.kind === 'block-started') b.start ??= p.seconds;
    if (p.entry.kind === 'block-ended') b.end = p.seconds;
    if (p.entry.kind === 'block-failed' || p.entry.kind === 'block-skipped') {
      b.start ??= p.seconds;
      b.end = p.seconds;
      if (p.entry.kind === 'block-failed') b.failed = true;
      else b.skipped = true;
    }
    this.blocks.set(p.entry.blockId, b);
  };
}

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

/**
 * The drill as one self-contained HTML page a manager can forward or print: a header that says
 * whether it was simulated or live, when, from which config and seed and how to reproduce it; a
 * scorecard of the objectives; the timeline chart with its legend; what a run that did not
 * complete changed, where things stand and the next command; and the details the terminal shows.
 * Inline CSS and SVG only, and a Content-Security-Policy that forbids every fetch, so it opens
 * anywhere with no network.
 */
export function renderDrillReport(report: DrillReport, recorded: DrillRecorder, meta: ReportMetadata): string {
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
  const startedAt = recorded.startedAt;
  const svg = renderTimeline({
    report,
    plan: recorded.plan,
    verdicts: recorded.verdicts,
    blocks: recorded.blocks,
    faultAt: recorded.faultAt,
    faults: effects === undefined ? [] : faultWindows(effects.faults),
    committedAt: recorded.committedAt,
  });

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

  const unfinished = report.summary !== null && report.outcome !== 'completed' && report.outcome !== 'not-triggered';
  const changes = unfinished
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

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(`${simulated ? 'SIMULATED' : 'LIVE'} drill: ${report.operation} of ${meta.app} ${report.fromRegion} → ${report.toRegion}, ${report.scenario}, seed ${report.seed}, ${utc(meta.generatedAt)}`)}</title>
<style>
  @page { size: A4 landscape; margin: 10mm; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; margin: 24px; color: #1a1a1a; max-width: 1200px; }
  h1 { font-size: 22px; margin: 8px 0 4px; } h2 { font-size: 16px; margin: 20px 0 6px; }
  .mode { display: inline-block; font-weight: 700; letter-spacing: .08em; padding: 2px 10px; border: 2px solid; border-radius: 3px; }
  .mode.simulated { color: ${OKABE_ITO.blue}; } .mode.live { color: ${OKABE_ITO.vermillion}; }
  .mode-note { color: #444; margin-left: 8px; }
  .outcome { font-size: 17px; margin: 6px 0 10px; } .outcome b.ok { color: ${OKABE_ITO.bluishGreen}; } .outcome b.bad { color: ${OKABE_ITO.vermillion}; }
  .facts { display: grid; grid-template-columns: max-content 1fr; gap: 0 14px; margin: 0; } .facts dt { color: #555; } .facts dd { margin: 0; }
  .repro { margin: 8px 0 4px; } code { font: 13px ui-monospace, "DejaVu Sans Mono", monospace; background: #f1f1f1; padding: 1px 5px; border-radius: 3px; }
  table { border-collapse: collapse; margin: 6px 0 12px; }
  th { text-align: left; color: #555; font-weight: 600; border-bottom: 1px solid #ccc; padding: 3px 14px 3px 0; }
  td { padding: 3px 14px 3px 0; vertical-align: top; } .score td, .changes td { border-bottom: 1px solid #eee; }
  td.ok { color: ${OKABE_ITO.bluishGreen}; font-weight: 700; } td.bad { color: ${OKABE_ITO.vermillion}; font-weight: 700; }
  td small { color: #555; } .score td small { display: inline-block; max-width: 560px; } .score td:nth-child(3), .score td:nth-child(4) { white-space: nowrap; }
  .details td:first-child { color: #555; white-space: nowrap; }
  .fate.undone { color: #8a5a00; } .fate.not-undone { color: ${OKABE_ITO.vermillion}; font-weight: 700; }
  .after { border-left: 4px solid ${OKABE_ITO.orange}; padding: 2px 0 2px 12px; } .next { font-weight: 700; }
  svg .grid { stroke: #e3e3e3; } svg .tick { font-size: 11px; fill: #555; text-anchor: middle; } svg .axis-title { font-size: 11px; fill: #555; }
  svg .label { font-size: 12px; fill: #1a1a1a; } svg .label.step { font-weight: 600; } svg .label.block { fill: #555; font-size: 11px; }
  svg .in-bar { font-size: 10px; fill: #1a1a1a; } svg .note { font-size: 11px; fill: #444; } svg .note.failed { fill: #7a2a5a; font-weight: 700; }
  svg .unfinished, .legend .unfinished { fill: #ffffff; stroke: #666; stroke-dasharray: 3 2; }
  svg .ponr, .legend .ponr { fill: ${MARKS.pointOfNoReturn}; stroke: #fff; stroke-width: 1; }
  svg .marker { font-size: 11px; font-weight: 600; }
  .m-fault { stroke: ${OKABE_ITO.vermillion}; stroke-dasharray: 4 3; } text.m-fault { fill: ${OKABE_ITO.vermillion}; stroke: none; }
  .m-ponr { stroke: ${MARKS.pointOfNoReturn}; } text.m-ponr { fill: ${MARKS.pointOfNoReturn}; stroke: none; }
  .m-objective { stroke: ${OKABE_ITO.black}; stroke-width: 2; stroke-dasharray: 7 4; } text.m-objective { fill: ${OKABE_ITO.black}; stroke: none; }
  .m-rpo { stroke: ${OKABE_ITO.blue}; stroke-width: 2; stroke-dasharray: 2 3; } text.m-rpo { fill: ${OKABE_ITO.blue}; stroke: none; }
  .m-rto-met { stroke: ${OKABE_ITO.bluishGreen}; stroke-width: 2; } text.m-rto-met { fill: #00684f; stroke: none; }
  .m-rto-missed { stroke: ${OKABE_ITO.vermillion}; stroke-width: 2; } text.m-rto-missed { fill: ${OKABE_ITO.vermillion}; stroke: none; }
  .chart svg { max-width: 100%; height: auto; }
  .legend { font-size: 12px; margin: 4px 0 8px; } .legend span { display: inline-flex; align-items: center; gap: 4px; margin: 0 14px 4px 0; } .legend svg { flex: none; }
  .legend .palette { color: #555; font-style: italic; }
  @media print { body { margin: 0; } section, .chart, table { break-inside: avoid; } }
</style>
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
