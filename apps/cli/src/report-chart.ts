import type { Plan, RunSummary } from '@dr/failover-core';
import type { DrillReport, ScenarioEffects, Verdict } from '@dr/failover-core/drill';
import { stopwatch, timeTicks } from './report-axis.js';

/**
 * The Okabe–Ito palette (Okabe & Ito, "Color Universal Design", 2008,
 * https://jfly.uni-koeln.de/color/): eight colours told apart with protanopia, deuteranopia and
 * tritanopia alike. Each meaning in the chart also has a pattern, a glyph or a label, so no fact
 * is carried by colour alone and a grey printout still reads.
 */
export const OKABE_ITO = {
  black: '#000000',
  orange: '#E69F00',
  skyBlue: '#56B4E9',
  bluishGreen: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  reddishPurple: '#CC79A7',
} as const;

/** What each mark of the chart means, in its colour. */
export const MARKS = {
  healthy: OKABE_ITO.bluishGreen,
  suspect: OKABE_ITO.yellow,
  down: OKABE_ITO.vermillion,
  standby: '#BBBBBB',
  serving: OKABE_ITO.bluishGreen,
  step: OKABE_ITO.blue,
  done: OKABE_ITO.skyBlue,
  failed: OKABE_ITO.reddishPurple,
  undone: OKABE_ITO.orange,
  pointOfNoReturn: OKABE_ITO.black,
} as const;

/** A block as the drill's progress showed it. */
export interface RecordedBlock {
  readonly stepId: string;
  start?: number;
  end?: number;
  failed?: boolean;
  skipped?: boolean;
}

/** What the chart draws beyond the report itself: what the drill's progress showed. */
export interface ChartInput {
  readonly report: DrillReport;
  readonly plan: Plan | undefined;
  readonly verdicts: readonly { readonly seconds: number; readonly verdict: Verdict }[];
  readonly blocks: ReadonlyMap<string, RecordedBlock>;
  /** When the scenario's fault was injected (seconds since the drill began). */
  readonly faultAt: number | undefined;
  /** The scenario's faults that have a window, each drawn as a band. */
  readonly faults: readonly FaultWindow[];
  /** When the run went past its point of no return, if it did. */
  readonly committedAt: number | undefined;
}

/** A fault with a window, as the chart draws it. */
export interface FaultWindow {
  /** What happened where, such as `us-east-1 down`. */
  readonly label: string;
  /** Seconds since the drill began. */
  readonly from: number;
  /** When it ended by itself; null when it lasted past the drill. */
  readonly to: number | null;
  /** True when users could not be served there (an outage, an ALB answering 5xx); false for a fault a failover must not answer. */
  readonly down: boolean;
}

/**
 * The windows of a scenario's faults, in seconds since the drill began (`faults` computed with
 * the fault's start in ms since the drill began). Faults with no window (a rejected promotion,
 * throttling, replica lag) are told by the scenario's description in the header.
 */
export function faultWindows(faults: ScenarioEffects['faults']): FaultWindow[] {
  const win = (label: string, w: { readonly from: number; readonly to?: number | undefined }, down: boolean): FaultWindow => ({
    label,
    from: w.from / 1000,
    to: w.to === undefined ? null : w.to / 1000,
    down,
  });
  return [
    ...(faults.outages ?? []).map((w) => win(`${w.region} down`, w, true)),
    ...(faults.alb5xx ?? []).map((w) => win(`${w.region} ALB answers 5xx`, w, true)),
    ...(faults.maintenance ?? []).map((w) => win(`${w.region} database rebooting`, w, false)),
    ...(faults.flappingProbe ? [win(`${faults.flappingProbe.region} probes lossy`, faults.flappingProbe, false)] : []),
    ...(faults.capacityLoss ?? []).map((w) => win(`${w.region} loses capacity`, w, false)),
  ];
}

/** Escapes text for HTML and SVG. */
export const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Where the RTO's clock starts: the impairment (failover) or the step that takes the old region out (switchover, failback). */
export function rtoClockStart(input: Pick<ChartInput, 'report' | 'plan'>): number | null {
  const { report, plan } = input;
  if (report.operation === 'failover') return report.impairment?.actualSeconds ?? null;
  const outageStep = plan?.steps.find((s) => s.milestone === 'outage-start')?.id;
  return report.steps.find((s) => s.id === outageStep)?.startSeconds ?? null;
}

/** Long step names would run into the chart: cut to the label column, whole name in the tooltip and the steps table. */
const cut = (s: string, max: number): string => (s.length <= max ? s : `${s.slice(0, max - 1).trimEnd()}…`);

/**
 * The SVG patterns every chart and legend swatch draws with: the hatch of a fault window and the
 * dashes of a block that did not finish. One copy per page, referenced by id.
 */
export const PATTERN_DEFS = `<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs>
<pattern id="hatch-down" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fbe3d4"/><rect width="3" height="6" fill="${MARKS.down}"/></pattern>
<pattern id="hatch-fault" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#f2f2f2"/><rect width="2" height="6" fill="#888888"/></pattern>
</defs></svg>`;

interface Marker {
  readonly at: number;
  readonly label: string;
  readonly className: string;
}

/**
 * The drill as a timeline: a time axis, the serving region's detector verdicts, the injected
 * fault's window, the DR region's state, then each plan step with its blocks and the rollback's
 * undo blocks; vertical marks for the fault, the point of no return, the measured RTO and the RTO
 * objective. Every mark has a tooltip with its exact times.
 */
export function renderTimeline(input: ChartInput): string {
  const { report, plan, blocks } = input;
  const servingStep = plan?.steps.find((s) => s.milestone === 'serving')?.id;
  const servingFrom = report.steps.find((s) => s.id === servingStep)?.endSeconds ?? null;
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
  // The objective is drawn on the chart when it does not squash the run into a corner; otherwise an arrow at the edge says where it is.
  const objectiveOnChart = objectiveAt !== null && objectiveAt <= dataEnd * 3;
  const end = Math.max(dataEnd, objectiveOnChart ? objectiveAt : 0, measuredAt ?? 0) * 1.04;

  const left = 330;
  const right = 1180;
  const width = 1200;
  const x = (s: number) => Math.round((left + ((right - left) * Math.min(s, end)) / end) * 10) / 10;
  const rowHeight = 22;
  const out: string[] = [];

  const markers: Marker[] = [];
  if (input.faultAt !== undefined)
    markers.push({ at: input.faultAt, label: `fault injected ${stopwatch(input.faultAt)}`, className: 'm-fault' });
  if (input.committedAt !== undefined)
    markers.push({ at: input.committedAt, label: `◆ point of no return ${stopwatch(input.committedAt)}`, className: 'm-ponr' });
  if (measuredAt !== null && report.rtoSeconds !== null) {
    const met = report.rtoSeconds <= report.objectives.rtoSeconds;
    markers.push({
      at: measuredAt,
      label: `RTO ${stopwatch(report.rtoSeconds)} measured: ${met ? 'met' : 'missed'}`,
      className: met ? 'm-rto-met' : 'm-rto-missed',
    });
  }
  if (objectiveAt !== null) {
    const label = `RTO objective ${stopwatch(report.objectives.rtoSeconds)}${rtoFrom === null ? '' : ` after ${report.operation === 'failover' ? 'the impairment' : 'the old region is fenced'}`}`;
    markers.push({
      at: objectiveOnChart ? objectiveAt : end,
      label: objectiveOnChart ? label : `${label}, at ${stopwatch(objectiveAt)} →`,
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
  // One lane per marker, so no two labels can overlap however close their times.
  const laneHeight = 15;
  const axisY = 12 + markers.length * laneHeight + 10;
  let y = axisY + 10;
  const top = axisY + 4;

  // Band rows.
  const band = (label: string, segments: { from: number; to: number; fill: string; title: string; text?: string }[]) => {
    out.push(`<text x="8" y="${y + 15}" class="label">${esc(label)}</text>`);
    for (const s of segments) {
      const w = Math.max(1, x(s.to) - x(s.from));
      out.push(
        `<rect x="${x(s.from)}" y="${y + 3}" width="${w}" height="${rowHeight - 6}" fill="${s.fill}"><title>${esc(s.title)}</title></rect>`,
      );
      if (s.text && w > s.text.length * 6.5 + 8) out.push(`<text x="${x(s.from) + 4}" y="${y + 15}" class="in-bar">${esc(s.text)}</text>`);
    }
    y += rowHeight;
  };
  // The detector reports changes only: before its first one, the region was healthy.
  const verdicts = input.verdicts[0]?.seconds === 0 ? input.verdicts : [{ seconds: 0, verdict: 'healthy' as Verdict }, ...input.verdicts];
  band(
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
    band(`fault: ${f.label}`, [
      {
        from: f.from,
        to: f.to ?? end,
        fill: f.down ? 'url(#hatch-down)' : 'url(#hatch-fault)',
        title: `${report.scenario}: ${f.label} from ${stopwatch(f.from)} ${f.to === null ? 'to the end of the drill' : `to ${stopwatch(f.to)}`}`,
      },
    ]);
  }
  band(`${report.toRegion} (DR)`, [
    {
      from: 0,
      to: servingFrom ?? end,
      fill: MARKS.standby,
      title: 'pilot light: replica, no instances, no traffic',
      text: 'standby (pilot light)',
    },
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
  y += 8;

  const fates = new Map((report.summary?.changes ?? []).map((c) => [c.blockId, c.fate]));
  const commitBlock = plan?.steps.flatMap((s) => s.blocks).find((b) => b.commits)?.id;
  const timeRange = (from: number, to: number | undefined) =>
    `${stopwatch(from)}–${to === undefined ? 'unfinished' : stopwatch(to)} (${from.toFixed(1)}–${to === undefined ? '…' : `${to.toFixed(1)} s`})`;
  const after = (at: number, text: string, className: string, gap = 5) => {
    const at_ = x(at) + gap;
    // Near the right edge the note goes before the bar instead.
    out.push(
      at_ + text.length * 6.5 > width - 4
        ? `<text x="${x(at) - 5}" y="${y + 13}" class="${className}" text-anchor="end">${esc(text)}</text>`
        : `<text x="${at_}" y="${y + 13}" class="${className}">${esc(text)}</text>`,
    );
  };
  const blockRow = (id: string, b: RecordedBlock, undo: boolean) => {
    const start = b.start!;
    out.push(`<text x="26" y="${y + 13}" class="label block">${esc(id)}</text>`);
    const to = b.end ?? end;
    const w = Math.max(3, x(to) - x(start));
    const title = `${id}: ${timeRange(start, b.end)}`;
    if (b.end === undefined && !b.failed) {
      out.push(
        `<rect x="${x(start)}" y="${y + 5}" width="${w}" height="${rowHeight - 10}" class="unfinished"><title>${esc(title)}: did not finish</title></rect>`,
      );
      after(start, 'did not finish', 'note');
    } else {
      const fill = b.failed ? MARKS.failed : b.skipped ? MARKS.standby : undo ? MARKS.undone : MARKS.done;
      out.push(
        `<rect x="${x(start)}" y="${y + 5}" width="${w}" height="${rowHeight - 10}" fill="${fill}"><title>${esc(title)}</title></rect>`,
      );
      const fate = fates.get(id);
      const note = b.failed
        ? '✗ failed'
        : b.skipped
          ? '– skipped, left to the controller'
          : undo
            ? '↺ undo'
            : fate === 'undone'
              ? '✓ then ↺ undone'
              : fate === 'not-undone'
                ? '✓ not undone'
                : '';
      // Clear of the point of no return's diamond when the block is too short to hold it.
      if (note) after(to, note, b.failed ? 'note failed' : 'note', id === commitBlock ? Math.max(5, x(start) + 9 - x(to)) : 5);
    }
    if (id === commitBlock)
      out.push(`<path d="M ${x(start)} ${y + 3} l 6 8 l -6 8 l -6 -8 z" class="ponr"><title>the point of no return</title></path>`);
    y += rowHeight - 4;
  };

  report.steps.forEach((step, i) => {
    out.push(
      `<text x="8" y="${y + 15}" class="label step"><title>${esc(step.name)}</title>${esc(`${i + 1}. ${cut(step.name, 44)}`)}</text>`,
    );
    if (step.startSeconds !== null) {
      const to = step.endSeconds ?? end;
      out.push(
        `<rect x="${x(step.startSeconds)}" y="${y + 3}" width="${Math.max(3, x(to) - x(step.startSeconds))}" height="${rowHeight - 6}" fill="${step.outcome === 'failed' ? MARKS.failed : MARKS.step}"><title>${esc(`${step.name}: ${timeRange(step.startSeconds, step.endSeconds ?? undefined)}, ${step.outcome}`)}</title></rect>`,
      );
    } else {
      out.push(`<text x="${left + 4}" y="${y + 15}" class="note">not started</text>`);
    }
    y += rowHeight;
    for (const [id, b] of blocks) if (b.stepId === step.id && b.start !== undefined) blockRow(id, b, false);
  });
  // A rollback's undo blocks belong to no plan step: they are drawn together after the plan.
  const undos = [...blocks].filter(([, b]) => b.start !== undefined && !report.steps.some((s) => s.id === b.stepId));
  if (undos.length > 0) {
    out.push(`<text x="8" y="${y + 15}" class="label step">Rollback</text>`);
    y += rowHeight;
    for (const [id, b] of undos) blockRow(id, b, true);
  }
  const bottom = y + 6;

  // Grid and axis, drawn under the rows.
  const grid = timeTicks(end).map(
    (t) =>
      `<line x1="${x(t.seconds)}" y1="${top}" x2="${x(t.seconds)}" y2="${bottom}" class="grid"/><text x="${x(t.seconds)}" y="${axisY}" class="tick">${t.label}</text>`,
  );
  const lines = markers.map((m, i) => {
    const mx = x(m.at);
    const ly = 12 + i * laneHeight;
    // A bold 11 px label is about 7 px a character: one that would run off the right edge goes left of its line.
    const anchor = mx + 4 + m.label.length * 7 > width ? `x="${mx - 4}" text-anchor="end"` : `x="${mx + 4}"`;
    return `<line x1="${mx}" y1="${ly - 10}" x2="${mx}" y2="${bottom}" class="${m.className}"/><text ${anchor} y="${ly}" class="marker ${m.className}">${esc(m.label)}</text>`;
  });
  const height = bottom + 26;
  const axisTitle = `<text x="${right}" y="${height - 8}" class="axis-title" text-anchor="end">time since the drill began (m:ss or minutes)</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="Timeline of the drill">${grid.join('')}${out.join('')}${lines.join('')}${axisTitle}</svg>`;
}

/** The legend under the chart: a swatch, glyph or line for each meaning, so colour is never the only cue. */
export function renderLegend(): string {
  const swatch = (fill: string, extra = '') =>
    `<svg width="22" height="12" aria-hidden="true"><rect x="0.5" y="0.5" width="21" height="11" fill="${fill}" ${extra}/></svg>`;
  const line = (className: string) =>
    `<svg width="22" height="12" aria-hidden="true"><line x1="11" y1="0" x2="11" y2="12" class="${className}"/></svg>`;
  const items: [string, string][] = [
    [swatch(MARKS.healthy), 'region healthy / DR serving'],
    [swatch(MARKS.suspect), 'suspect'],
    [swatch(MARKS.down), 'region down (detector)'],
    [swatch('url(#hatch-down)'), 'region down (fault injected)'],
    [swatch('url(#hatch-fault)'), 'other fault injected'],
    [swatch(MARKS.standby), 'DR on standby'],
    [swatch(MARKS.step), 'step'],
    [swatch(MARKS.done), 'block done ✓'],
    [swatch(MARKS.failed), 'block failed ✗'],
    [swatch(MARKS.undone), 'block undone ↺ (rollback)'],
    [swatch('#ffffff', 'class="unfinished"'), 'did not finish'],
    [`<svg width="22" height="16" aria-hidden="true"><path d="M 11 0 l 6 8 l -6 8 l -6 -8 z" class="ponr"/></svg>`, 'point of no return ◆'],
    [line('m-objective'), 'RTO objective (dashed)'],
    [line('m-rto-met'), 'RTO measured'],
    [line('m-rpo'), 'RPO objective (dotted): writes after it may be lost'],
  ];
  return `<div class="legend">${items.map(([mark, text]) => `<span>${mark}${esc(text)}</span>`).join('')}<span class="palette">colours: Okabe–Ito palette, safe for colour blindness</span></div>`;
}

/** Each fate of a change as a manager reads it, with the glyph the chart uses. */
export const FATE_TEXT: Readonly<Record<RunSummary['changes'][number]['fate'], string>> = {
  kept: '• kept',
  undone: '↺ undone',
  'not-undone': '! not undone',
  'left-to-controller': '… left to the controller',
};
