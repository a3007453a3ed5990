import type { Plan } from '@dr/failover-core';
import type { Verdict } from '@dr/failover-core/drill';
import type { DrillProgress, DrillReport } from '@dr/failover-core/drill';
import { invariantRows, tenths } from './progress.js';

/** What a drill's progress told us that the report alone does not: block times, detector verdicts, the fault. */
export class DrillRecorder {
  plan: Plan | undefined;
  faultAt: number | undefined;
  readonly verdicts: { seconds: number; verdict: Verdict }[] = [];
  readonly blocks = new Map<string, { stepId: string; start?: number; end?: number; failed?: boolean }>();

  /** Feed it every progress event of the drill. */
  readonly record = (p: DrillProgress): void => {
    if (p.kind === 'plan') this.plan = p.plan;
    if (p.kind === 'fault') this.faultAt ??= p.seconds;
    if (p.kind === 'verdict' && this.verdicts.at(-1)?.verdict !== p.verdict) this.verdicts.push({ seconds: p.seconds, verdict: p.verdict });
    if (p.kind === 'timeline' && p.entry.blockId) {
      const b = this.blocks.get(p.entry.blockId) ?? { stepId: p.entry.stepId ?? '' };
      if (p.entry.kind === 'block-started') b.start ??= p.seconds;
      if (p.entry.kind === 'block-ended') b.end = p.seconds;
      if (p.entry.kind === 'block-failed') {
        b.end = p.seconds;
        b.failed = true;
      }
      this.blocks.set(p.entry.blockId, b);
    }
  };
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const COLOURS = { healthy: '#2e7d32', suspect: '#f9a825', down: '#c62828', standby: '#90a4ae', serving: '#2e7d32', step: '#1565c0', block: '#64b5f6', failed: '#c62828', undo: '#ffb74d' } as const;

/**
 * The drill's timeline as one self-contained HTML page: a Gantt chart of the plan's steps and
 * their blocks, the health of each region over time, and the summary. Inline CSS and SVG only,
 * and a Content-Security-Policy that forbids every fetch, so it opens anywhere with no network.
 */
export function renderDrillReport(report: DrillReport, recorded: DrillRecorder): string {
  const stepEnds = report.steps.flatMap((s) => (s.endSeconds === null ? [] : [s.endSeconds]));
  const end = Math.max(60, ...stepEnds, ...[...recorded.blocks.values()].flatMap((b) => (b.end === undefined ? [] : [b.end])), ...recorded.verdicts.map((v) => v.seconds)) * 1.05;
  const left = 260;
  const width = 1100;
  const x = (s: number) => left + ((width - left - 20) * s) / end;
  const rowHeight = 22;
  const rows: string[] = [];
  let y = 40;

  // Axis: a tick every sensible interval.
  const tick = [10, 30, 60, 120, 300, 600, 1200].find((t) => end / t <= 12) ?? 1800;
  for (let t = 0; t <= end; t += tick) {
    rows.push(`<line x1="${x(t)}" y1="30" x2="${x(t)}" y2="__H__" class="grid"/><text x="${x(t)}" y="22" class="tick">${t < 120 ? `${t}s` : `${(t / 60).toFixed(0)}m`}</text>`);
  }

  // Region health bands.
  const band = (label: string, segments: { from: number; to: number; state: keyof typeof COLOURS; title: string }[]) => {
    rows.push(`<text x="8" y="${y + 15}" class="label">${esc(label)}</text>`);
    for (const s of segments) rows.push(`<rect x="${x(s.from)}" y="${y + 3}" width="${Math.max(1, x(s.to) - x(s.from))}" height="${rowHeight - 6}" fill="${COLOURS[s.state]}"><title>${esc(s.title)}</title></rect>`);
    y += rowHeight;
  };
  // The detector reports changes only: before its first one, the region was healthy.
  const verdicts = recorded.verdicts[0]?.seconds === 0 ? recorded.verdicts : [{ seconds: 0, verdict: 'healthy' as Verdict }, ...recorded.verdicts];
  band(
    `${report.fromRegion} (detector)`,
    verdicts.map((v, i) => ({ from: v.seconds, to: verdicts[i + 1]?.seconds ?? end, state: v.verdict, title: `${v.verdict} from ${v.seconds.toFixed(1)} s` })),
  );
  // The step marked as the serving milestone ends when the new region is verified serving.
  const servingStep = recorded.plan?.steps.find((s) => s.milestone === 'serving')?.id;
  const servingFrom = report.steps.find((s) => s.id === servingStep)?.endSeconds ?? null;
  band(`${report.toRegion} (DR)`, [
    { from: 0, to: servingFrom ?? end, state: 'standby', title: 'pilot light: replica, no instances, no traffic' },
    ...(servingFrom === null ? [] : [{ from: servingFrom, to: end, state: 'serving' as const, title: `serving from ${servingFrom.toFixed(1)} s` }]),
  ]);
  if (recorded.faultAt !== undefined) {
    rows.push(`<line x1="${x(recorded.faultAt)}" y1="30" x2="${x(recorded.faultAt)}" y2="__H__" class="fault"/><text x="${x(recorded.faultAt) + 4}" y="${y + 14}" class="fault-label">fault: ${esc(report.scenario)}</text>`);
  }
  y += rowHeight;

  // Gantt: each step, then its blocks.
  for (const step of report.steps) {
    const state = step.outcome === 'failed' ? 'failed' : 'step';
    rows.push(`<text x="8" y="${y + 15}" class="label step">${esc(step.name)}</text>`);
    if (step.startSeconds !== null) {
      const to = step.endSeconds ?? end;
      rows.push(`<rect x="${x(step.startSeconds)}" y="${y + 3}" width="${Math.max(2, x(to) - x(step.startSeconds))}" height="${rowHeight - 6}" fill="${COLOURS[state]}"><title>${esc(step.name)}: ${step.startSeconds.toFixed(1)}–${step.endSeconds === null ? 'unfinished' : `${step.endSeconds.toFixed(1)} s`}</title></rect>`);
    }
    y += rowHeight;
    for (const [id, b] of recorded.blocks) {
      if (b.stepId !== step.id || b.start === undefined) continue;
      rows.push(`<text x="24" y="${y + 13}" class="label block">${esc(id)}</text>`);
      rows.push(`<rect x="${x(b.start)}" y="${y + 5}" width="${Math.max(2, x(b.end ?? end) - x(b.start))}" height="${rowHeight - 10}" fill="${b.failed ? COLOURS.failed : COLOURS.block}"><title>${esc(id)}: ${b.start.toFixed(1)}–${b.end === undefined ? 'unfinished' : `${b.end.toFixed(1)} s`}</title></rect>`);
      y += rowHeight - 4;
    }
  }
  // A rollback's undo blocks belong to no plan step: they are drawn together after the plan.
  const undos = [...recorded.blocks].filter(([, b]) => b.start !== undefined && !report.steps.some((s) => s.id === b.stepId));
  if (undos.length > 0) {
    rows.push(`<text x="8" y="${y + 15}" class="label step">Rollback</text>`);
    y += rowHeight;
    for (const [id, b] of undos) {
      rows.push(`<text x="24" y="${y + 13}" class="label block">${esc(id)}</text>`);
      rows.push(`<rect x="${x(b.start!)}" y="${y + 5}" width="${Math.max(2, x(b.end ?? end) - x(b.start!))}" height="${rowHeight - 10}" fill="${b.failed ? COLOURS.failed : COLOURS.undo}"><title>${esc(id)}: ${b.start!.toFixed(1)}–${b.end === undefined ? 'unfinished' : `${b.end.toFixed(1)} s`}</title></rect>`);
      y += rowHeight - 4;
    }
  }
  const height = y + 20;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="Timeline of the drill">${rows.join('').replaceAll('__H__', String(height - 10))}</svg>`;

  const summary: [string, string][] = [
    ['outcome', report.outcome],
    ['time to detect', tenths(report.detectSeconds)],
    ['RTO', `${tenths(report.rtoSeconds)} (objective ${report.objectives.rtoSeconds} s)`],
    ['RPO', `${tenths(report.rpoSeconds)} (objective ${report.objectives.maxDataLossSeconds} s)${report.rpoRisked ? ' — forced past the RPO guard' : ''}`],
    ['objectives', report.objectives.met ? 'met' : 'not met'],
    ['critical path', report.criticalPath.map((s) => `${s.blockId} ${s.seconds.toFixed(1)} s`).join(' → ') || '—'],
    ['AWS actions', Object.entries(report.actions).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'],
  ];
  if (report.reason) summary.push(['reason', report.reason]);
  summary.push(['invariants', invariantRows(report.invariants).map((r) => `${r.label} ${r.value}`).join(', ')]);
  if (report.summary && report.outcome !== 'completed') {
    summary.push(['now', report.summary.now], ['next', report.summary.next]);
  }

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(`Drill: ${report.operation} ${report.fromRegion} → ${report.toRegion}, ${report.scenario}, seed ${report.seed}`)}</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #212121; }
  h1 { font-size: 20px; margin: 0 0 4px; }
  .sub { color: #616161; margin-bottom: 16px; }
  table { border-collapse: collapse; margin: 16px 0; }
  td { padding: 3px 12px 3px 0; vertical-align: top; }
  td:first-child { color: #616161; }
  svg .grid { stroke: #e0e0e0; } svg .tick { font-size: 11px; fill: #757575; text-anchor: middle; }
  svg .label { font-size: 12px; fill: #212121; } svg .label.step { font-weight: 600; } svg .label.block { fill: #616161; font-size: 11px; }
  svg .fault { stroke: #c62828; stroke-dasharray: 4 3; } svg .fault-label { font-size: 11px; fill: #c62828; }
  .legend span { display: inline-block; margin-right: 14px; } .legend i { display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: -2px; }
</style>
</head>
<body>
<h1>Drill: ${esc(report.operation)} from ${esc(report.fromRegion)} to ${esc(report.toRegion)}</h1>
<div class="sub">scenario ${esc(report.scenario)}, seed ${report.seed}, run ${esc(report.runId ?? '—')}: seconds since the drill began</div>
<div class="legend">${(['healthy', 'suspect', 'down', 'standby', 'step', 'block', 'failed', 'undo'] as const).map((k) => `<span><i style="background:${COLOURS[k]}"></i>${k}</span>`).join('')}</div>
${svg}
<table>${summary.map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`).join('')}</table>
</body>
</html>
`;
}
