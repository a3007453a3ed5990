import type { Verdict } from '@dr/failover-core/drill';
import { stopwatch, timeTicks } from './report-axis.js';
import { esc, MARKS, rtoClockStart, type ChartInput, type RecordedBlock } from './report-chart.js';

/** A vertical mark across the chart, with its label in a lane of its own at the top. */
interface Marker {
  readonly at: number;
  readonly label: string;
  readonly className: string;
}

/** Where the RTO and its objective fall on the chart, and how long the chart runs. */
interface Scale {
  /** Seconds at the right edge. */
  readonly end: number;
  /** Where the RTO's clock starts; null when it does not apply. */
  readonly rtoFrom: number | null;
  readonly objectiveAt: number | null;
  readonly measuredAt: number | null;
  /** False when the objective lies so far right that drawing it would squash the run: an arrow at the edge says where it is. */
  readonly objectiveOnChart: boolean;
}

const LEFT = 330;
const RIGHT = 1180;
const WIDTH = 1200;
const ROW_HEIGHT = 22;
const LANE_HEIGHT = 15;

/** Long step names would run into the chart: cut to the label column, whole name in the tooltip and the steps table. */
const cut = (s: string, max: number): string => (s.length <= max ? s : `${s.slice(0, max - 1).trimEnd()}…`);

/** The time scale: the last thing seen, widened to show the RTO measured and (when it fits) its objective. */
function scaleOf(input: ChartInput): Scale {
  const { report, blocks } = input;
  const rtoFrom = rtoClockStart(input);
  const objectiveAt = rtoFrom === null ? null : rtoFrom + report.objectives.rtoSeconds;
  const measuredAt = rtoFrom === null || report.rtoSeconds === null ? null : rtoFrom + report.rtoSeconds;
  const seen = [
    60,
    ...report.steps.flatMap((s) => (s.endSeconds === null ? [] : [s.endSeconds])),
    ...[...blocks.values()].flatMap((b) => (b.end === undefined ? [] : [b.end])),
    ...input.verdicts.map((v) => v.seconds),
    ...input.faults.flatMap((f) => (f.to === null ? [f.from] : [f.from, f.to])),
  ];
  const dataEnd = Math.max(...seen);
  const objectiveOnChart = objectiveAt !== null && objectiveAt <= dataEnd * 3;
  const end = Math.max(dataEnd, objectiveOnChart ? objectiveAt : 0, measuredAt ?? 0) * 1.04;
  return { end, rtoFrom, objectiveAt, measuredAt, objectiveOnChart };
}

/** The RTO objective's mark, and the RPO objective's, which reaches back from the impairment. */
function objectiveMarkers(input: ChartInput, scale: Scale): Marker[] {
  const { report } = input;
  const { rtoFrom, objectiveAt } = scale;
  const markers: Marker[] = [];
  if (objectiveAt !== null) {
    const label = `RTO objective ${stopwatch(report.objectives.rtoSeconds)}${rtoFrom === null ? '' : ` after ${report.operation === 'failover' ? 'the impairment' : 'the old region is fenced'}`}`;
    markers.push({
      at: scale.objectiveOnChart ? objectiveAt : scale.end,
      label: scale.objectiveOnChart ? label : `${label}, at ${stopwatch(objectiveAt)} →`,
      className: 'm-objective',
    });
  }
  // The RPO objective reaches back from the impairment: writes made after this mark and not yet
  // replicated may be lost. Only a failover loses data; a planned handover waits for the replica.
  if (rtoFrom !== null && report.operation === 'failover') {
    const measured =
      report.rpoSeconds === null
        ? 'not measured'
        : `measured ${report.rpoSeconds.toFixed(1)} s, ${report.rpoSeconds <= report.objectives.maxDataLossSeconds ? 'met' : 'missed'}`;
    markers.push({
      at: Math.max(0, rtoFrom - report.objectives.maxDataLossSeconds),
      label: `RPO objective: at most ${stopwatch(report.objectives.maxDataLossSeconds)} of writes lost (${measured})`,
      className: 'm-rpo',
    });
  }
  return markers;
}

/** The vertical marks: the fault, the point of no return, the RTO measured, and the objectives. */
function markersOf(input: ChartInput, scale: Scale): Marker[] {
  const { report } = input;
  const markers: Marker[] = [];
  if (input.faultAt !== undefined)
    markers.push({ at: input.faultAt, label: `fault injected ${stopwatch(input.faultAt)}`, className: 'm-fault' });
  if (input.committedAt !== undefined)
    markers.push({ at: input.committedAt, label: `◆ point of no return ${stopwatch(input.committedAt)}`, className: 'm-ponr' });
  if (scale.measuredAt !== null && report.rtoSeconds !== null) {
    const met = report.rtoSeconds <= report.objectives.rtoSeconds;
    markers.push({
      at: scale.measuredAt,
      label: `RTO ${stopwatch(report.rtoSeconds)} measured: ${met ? 'met' : 'missed'}`,
      className: met ? 'm-rto-met' : 'm-rto-missed',
    });
  }
  return [...markers, ...objectiveMarkers(input, scale)];
}

/** One segment of a band row. */
interface Segment {
  readonly from: number;
  readonly to: number;
  readonly fill: string;
  readonly title: string;
  readonly text?: string;
}

/** The rows of the chart as they are drawn, top to bottom: SVG elements, and where the next row goes. */
class Rows {
  readonly out: string[] = [];
  constructor(
    private readonly scale: Scale,
    public y: number,
  ) {}

  /** Seconds as an x coordinate, to a tenth of a pixel. */
  x(s: number): number {
    const { end } = this.scale;
    return Math.round((LEFT + ((RIGHT - LEFT) * Math.min(s, end)) / end) * 10) / 10;
  }

  /** A labelled row of coloured segments, each with its tooltip and, where it fits, its text. */
  band(label: string, segments: readonly Segment[]): void {
    const { y } = this;
    this.out.push(`<text x="8" y="${y + 15}" class="label">${esc(label)}</text>`);
    for (const s of segments) {
      const w = Math.max(1, this.x(s.to) - this.x(s.from));
      this.out.push(
        `<rect x="${this.x(s.from)}" y="${y + 3}" width="${w}" height="${ROW_HEIGHT - 6}" fill="${s.fill}"><title>${esc(s.title)}</title></rect>`,
      );
      if (s.text && w > s.text.length * 6.5 + 8)
        this.out.push(`<text x="${this.x(s.from) + 4}" y="${y + 15}" class="in-bar">${esc(s.text)}</text>`);
    }
    this.y += ROW_HEIGHT;
  }

  /** A note just after `at` on the current row; near the right edge it goes before the bar instead. */
  after(at: number, text: string, className: string, gap = 5): void {
    const from = this.x(at) + gap;
    this.out.push(
      from + text.length * 6.5 > WIDTH - 4
        ? `<text x="${this.x(at) - 5}" y="${this.y + 13}" class="${className}" text-anchor="end">${esc(text)}</text>`
        : `<text x="${from}" y="${this.y + 13}" class="${className}">${esc(text)}</text>`,
    );
  }
}

/** The serving region's detector verdicts, each injected fault's window, and the DR region's state. */
function drawBands(rows: Rows, input: ChartInput, end: number): void {
  const { report, plan } = input;
  // The detector reports changes only: before its first one, the region was healthy.
  const verdicts = input.verdicts[0]?.seconds === 0 ? input.verdicts : [{ seconds: 0, verdict: 'healthy' as Verdict }, ...input.verdicts];
  rows.band(
    `${report.fromRegion} (detector)`,
    verdicts.map((v, i) => ({
      from: v.seconds,
      to: verdicts[i + 1]?.seconds ?? end,
      fill: MARKS[v.verdict],
      title: `detector: ${v.verdict} from ${stopwatch(v.seconds)} (${v.seconds.toFixed(1)} s)`,
      text: v.verdict,
    })),
  );
  for (const f of input.faults) {
    rows.band(`fault: ${f.label}`, [
      {
        from: f.from,
        to: f.to ?? end,
        fill: f.down ? 'url(#hatch-down)' : 'url(#hatch-fault)',
        title: `${report.scenario}: ${f.label} from ${stopwatch(f.from)} ${f.to === null ? 'to the end of the drill' : `to ${stopwatch(f.to)}`}`,
      },
    ]);
  }
  const servingStep = plan?.steps.find((s) => s.milestone === 'serving')?.id;
  const servingFrom = report.steps.find((s) => s.id === servingStep)?.endSeconds ?? null;
  const standby = { from: 0, to: servingFrom ?? end, fill: MARKS.standby, title: 'pilot light: replica, no instances, no traffic' };
  rows.band(`${report.toRegion} (DR)`, [
    { ...standby, text: 'standby (pilot light)' },
    ...(servingFrom === null
      ? []
      : [
          {
            from: servingFrom,
            to: end,
            fill: MARKS.serving,
            title: `serving from ${stopwatch(servingFrom)} (${servingFrom.toFixed(1)} s)`,
            text: 'serving',
          },
        ]),
  ]);
  rows.y += 8;
}

/** A time range as the tooltips say it: on the stopwatch, and in seconds. */
const timeRange = (from: number, to: number | undefined): string =>
  `${stopwatch(from)}–${to === undefined ? 'unfinished' : stopwatch(to)} (${from.toFixed(1)}–${to === undefined ? '…' : `${to.toFixed(1)} s`})`;

/** What became of a finished block, said after its bar. */
function blockNote(b: RecordedBlock, undo: boolean, fate: string | undefined): string {
  if (b.failed) return '✗ failed';
  if (b.skipped) return '– skipped, left to the controller';
  if (undo) return '↺ undo';
  if (fate === 'undone') return '✓ then ↺ undone';
  if (fate === 'not-undone') return '✓ not undone';
  return '';
}

/** Each plan step with its blocks, then a rollback's undo blocks. */
function drawSteps(rows: Rows, input: ChartInput, end: number): void {
  const { report, plan, blocks } = input;
  const fates = new Map((report.summary?.changes ?? []).map((c) => [c.blockId, c.fate]));
  const commitBlock = plan?.steps.flatMap((s) => s.blocks).find((b) => b.commits)?.id;
  const x = (s: number) => rows.x(s);
  const blockRow = (id: string, b: RecordedBlock, undo: boolean) => {
    const start = b.start!;
    const { y } = rows;
    rows.out.push(`<text x="26" y="${y + 13}" class="label block">${esc(id)}</text>`);
    const to = b.end ?? end;
    const w = Math.max(3, x(to) - x(start));
    const title = `${id}: ${timeRange(start, b.end)}`;
    if (b.end === undefined && !b.failed) {
      rows.out.push(
        `<rect x="${x(start)}" y="${y + 5}" width="${w}" height="${ROW_HEIGHT - 10}" class="unfinished"><title>${esc(title)}: did not finish</title></rect>`,
      );
      rows.after(start, 'did not finish', 'note');
    } else {
      const fill = b.failed ? MARKS.failed : b.skipped ? MARKS.standby : undo ? MARKS.undone : MARKS.done;
      rows.out.push(
        `<rect x="${x(start)}" y="${y + 5}" width="${w}" height="${ROW_HEIGHT - 10}" fill="${fill}"><title>${esc(title)}</title></rect>`,
      );
      const note = blockNote(b, undo, fates.get(id));
      // Clear of the point of no return's diamond when the block is too short to hold it.
      if (note) rows.after(to, note, b.failed ? 'note failed' : 'note', id === commitBlock ? Math.max(5, x(start) + 9 - x(to)) : 5);
    }
    if (id === commitBlock)
      rows.out.push(`<path d="M ${x(start)} ${y + 3} l 6 8 l -6 8 l -6 -8 z" class="ponr"><title>the point of no return</title></path>`);
    rows.y += ROW_HEIGHT - 4;
  };
  report.steps.forEach((step, i) => {
    const { y } = rows;
    rows.out.push(
      `<text x="8" y="${y + 15}" class="label step"><title>${esc(step.name)}</title>${esc(`${i + 1}. ${cut(step.name, 44)}`)}</text>`,
    );
    if (step.startSeconds !== null) {
      const to = step.endSeconds ?? end;
      rows.out.push(
        `<rect x="${x(step.startSeconds)}" y="${y + 3}" width="${Math.max(3, x(to) - x(step.startSeconds))}" height="${ROW_HEIGHT - 6}" fill="${step.outcome === 'failed' ? MARKS.failed : MARKS.step}"><title>${esc(`${step.name}: ${timeRange(step.startSeconds, step.endSeconds ?? undefined)}, ${step.outcome}`)}</title></rect>`,
      );
    } else {
      rows.out.push(`<text x="${LEFT + 4}" y="${y + 15}" class="note">not started</text>`);
    }
    rows.y += ROW_HEIGHT;
    for (const [id, b] of blocks) if (b.stepId === step.id && b.start !== undefined) blockRow(id, b, false);
  });
  // A rollback's undo blocks belong to no plan step: they are drawn together after the plan.
  const undos = [...blocks].filter(([, b]) => b.start !== undefined && !report.steps.some((s) => s.id === b.stepId));
  if (undos.length > 0) {
    rows.out.push(`<text x="8" y="${rows.y + 15}" class="label step">Rollback</text>`);
    rows.y += ROW_HEIGHT;
    for (const [id, b] of undos) blockRow(id, b, true);
  }
}

/**
 * The drill as a timeline: a time axis, the serving region's detector verdicts, the injected
 * fault's window, the DR region's state, then each plan step with its blocks and the rollback's
 * undo blocks; vertical marks for the fault, the point of no return, the measured RTO and the RTO
 * objective. Every mark has a tooltip with its exact times.
 */
export function renderTimeline(input: ChartInput): string {
  const scale = scaleOf(input);
  const { end } = scale;
  const markers = markersOf(input, scale);
  // One lane per marker, so no two labels can overlap however close their times.
  const axisY = 12 + markers.length * LANE_HEIGHT + 10;
  const top = axisY + 4;
  const rows = new Rows(scale, axisY + 10);
  drawBands(rows, input, end);
  drawSteps(rows, input, end);
  const bottom = rows.y + 6;
  const x = (s: number) => rows.x(s);
  // Grid and axis, drawn under the rows.
  const grid = timeTicks(end).map(
    (t) =>
      `<line x1="${x(t.seconds)}" y1="${top}" x2="${x(t.seconds)}" y2="${bottom}" class="grid"/><text x="${x(t.seconds)}" y="${axisY}" class="tick">${t.label}</text>`,
  );
  const lines = markers.map((m, i) => {
    const mx = x(m.at);
    const ly = 12 + i * LANE_HEIGHT;
    // A bold 11 px label is about 7 px a character: one that would run off the right edge goes left of its line.
    const anchor = mx + 4 + m.label.length * 7 > WIDTH ? `x="${mx - 4}" text-anchor="end"` : `x="${mx + 4}"`;
    return `<line x1="${mx}" y1="${ly - 10}" x2="${mx}" y2="${bottom}" class="${m.className}"/><text ${anchor} y="${ly}" class="marker ${m.className}">${esc(m.label)}</text>`;
  });
  const height = bottom + 26;
  const axisTitle = `<text x="${RIGHT}" y="${height - 8}" class="axis-title" text-anchor="end">time since the drill began (m:ss or minutes)</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="Timeline of the drill">${grid.join('')}${rows.out.join('')}${lines.join('')}${axisTitle}</svg>`;
}
