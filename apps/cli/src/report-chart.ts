import type { Plan, RunSummary } from '@dr/failover-core';
import type { DrillReport, ScenarioEffects, Verdict } from '@dr/failover-core/drill';

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

/**
 * The SVG patterns every chart and legend swatch draws with: the hatch of a fault window and the
 * dashes of a block that did not finish. One copy per page, referenced by id.
 */
export const PATTERN_DEFS = `<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs>
<pattern id="hatch-down" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fbe3d4"/><rect width="3" height="6" fill="${MARKS.down}"/></pattern>
<pattern id="hatch-fault" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#f2f2f2"/><rect width="2" height="6" fill="#888888"/></pattern>
</defs></svg>`;

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
