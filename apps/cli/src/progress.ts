import type { Plan, RunState, TimelineEntry } from '@dr/failover-core';
import {
  INVARIANT_LIMITS,
  isScenario,
  SCENARIO_DESCRIPTIONS,
  type DrillProgress,
  type Expectations,
  type Invariants,
} from '@dr/failover-core/drill';
import type { Output } from './output.js';

/** Where a timeline entry's step sits: in the plan, or among a rollback's undo steps. */
function stepLabel(state: RunState, stepId: string | undefined): string {
  const planIndex = state.plan.steps.findIndex((s) => s.id === stepId);
  if (planIndex >= 0) return `step ${planIndex + 1}/${state.plan.steps.length}`;
  const undos: Plan['steps'] = state.rollback?.steps ?? [];
  const undoIndex = undos.findIndex((s) => s.id === stepId);
  if (undoIndex >= 0) return `undo ${undoIndex + 1}/${undos.length}`;
  return 'step';
}

/**
 * Prints one timeline entry of a run as a progress line, after `stamp` (simulated time in a
 * drill, the wall clock in a live run). Entries of no interest to a person print nothing.
 */
export function printTimelineEntry(out: Output, stamp: string, e: TimelineEntry, state: RunState): void {
  const c = out.color;
  const label = stepLabel(state, e.stepId);
  switch (e.kind) {
    case 'run-started':
      return out.line(`${stamp} ${c.bold(`run ${state.runId} started`)}: ${e.message ?? ''}`);
    case 'preconditions-passed':
      return out.line(`${stamp} preconditions passed${e.message ? c.yellow(` — ${e.message}`) : ''}`);
    case 'refused':
      return out.line(`${stamp} ${c.red('refused')}: ${e.message ?? ''}`);
    case 'approval-requested':
      return out.line(`${stamp} ${c.yellow('awaiting approval')}`);
    case 'approved':
      return out.line(`${stamp} approved ${e.message ?? ''}`);
    case 'step-started':
      return out.line(`${stamp} ${c.cyan('▶')} ${label} ${e.message ?? ''}`);
    case 'block-ended':
      return out.line(`${stamp}     ${c.green('✓')} ${e.blockId}  ${c.dim(e.message ?? '')}`);
    case 'block-failed':
      return out.line(`${stamp}     ${c.red('✗')} ${e.blockId}  ${e.message ?? ''}`);
    case 'block-skipped':
      // A best-effort block given up on: not a failure of the run, but something still to do.
      return out.line(`${stamp}     ${c.yellow('–')} ${e.blockId}  ${c.yellow(e.message ?? 'skipped')}`);
    case 'step-ended':
      return out.line(`${stamp} ${c.green('■')} ${label} done`);
    case 'committed':
      return out.line(`${stamp} ${c.magenta('◆')} ${c.bold(e.message ?? 'past the point of no return')}`);
    case 'rollback-started':
      return out.line(`${stamp} ${c.yellow(c.bold('rolling back'))}: ${e.message ?? ''}`);
    case 'rolled-back':
      return out.line(`${stamp} ${c.yellow(c.bold('rolled back'))}${e.message ? `: ${e.message.replace(/^rolled back: /, '')}` : ''}`);
    case 'aborted':
      return out.line(`${stamp} ${c.yellow('aborted')}: ${e.message ?? ''}`);
    case 'retried':
      return out.line(`${stamp} ${c.yellow('retried')}${e.message ? ` by ${e.message}` : ''}`);
    case 'resumed':
      return out.line(`${stamp} ${c.yellow('resumed')} ${e.message ?? ''}`);
    case 'completed':
      return out.line(`${stamp} ${c.green(c.bold('completed'))}`);
    case 'failed':
      return out.line(`${stamp} ${c.red(c.bold('failed'))}: ${e.message ?? ''}`);
    default:
      return undefined;
  }
}

/** The region a rebuild recreates the pilot light in: where its new replica goes. */
export function rebuildRegion(plan: Plan): string {
  const actions = plan.steps.flatMap((s) => s.blocks).map((b) => b.action);
  for (const a of actions) {
    if (a.kind === 'create-replica') return a.db.region;
    if (a.kind === 'await-rejoined') return a.cluster.region;
  }
  return 'the region that does not serve';
}

/** A plan's headline: what moves where (a rebuild moves no traffic). */
export const planTitle = (plan: Plan): string =>
  plan.operation === 'rebuild'
    ? `rebuild the pilot light in ${rebuildRegion(plan)} from ${plan.fromRegion}`
    : `${plan.operation} from ${plan.fromRegion} to ${plan.toRegion}`;

/** Seconds to a tenth, or a dash where there is no figure. */
export const tenths = (seconds: number | null): string => (seconds === null ? '—' : `${seconds.toFixed(1)} s`);

/** A moment as UTC clock time (HH:MM:SS). */
export const utcClock = (at: number): string => new Date(at).toISOString().slice(11, 19);

/**
 * How an outcome or a run's phase is coloured: green when completed, dim when nothing ran, red
 * when it failed, yellow for everything between (rolled back, refused, still running).
 */
export function outcomeColour(out: Output, outcome: string): string {
  const c = out.color;
  if (outcome === 'completed') return c.green(outcome);
  if (outcome === 'skipped' || outcome === 'not-triggered') return c.dim(outcome);
  return outcome === 'failed' ? c.red(outcome) : c.yellow(outcome);
}

const secs = (n: number | null | undefined): string =>
  n === null || n === undefined ? '—' : n < 120 ? `${n.toFixed(0)} s` : `${(n / 60).toFixed(1)} min`;

/**
 * Prints a plan: its steps in order, each step's blocks (run in parallel), the point of no return
 * and the best-effort blocks, and, when given, what the latency model expects of each step (a
 * rebuild has no expectations: the drills do not time it).
 */
export function printPlan(out: Output, plan: Plan, expected?: Expectations): void {
  const c = out.color;
  out.heading(`Plan: ${planTitle(plan)}`);
  plan.steps.forEach((step, i) => {
    const e = expected?.steps.find((s) => s.id === step.id);
    const timing = e ? c.dim(`  expected ${secs(e.p50Seconds)} (90% within ${secs(e.p90Seconds)})`) : '';
    out.line(`  ${i + 1}. ${step.name}${step.blocks.length > 1 ? c.dim(`  (${step.blocks.length} blocks in parallel)`) : ''}${timing}`);
    for (const b of step.blocks) {
      const marks = [b.commits ? c.magenta('the point of no return') : '', b.bestEffort ? c.dim('best effort') : ''].filter(Boolean);
      out.line(`       ${c.dim('·')} ${b.description}${marks.length ? `  (${marks.join(', ')})` : ''}`);
    }
  });
  if (expected)
    out.line(
      `  ${c.bold('expected RTO')} ${secs(expected.rto.p50Seconds)} (90% within ${secs(expected.rto.p90Seconds)}), from ${expected.drills} simulated runs on the latency model`,
    );
}

/** Options of {@link drillProgressPrinter}. */
export interface DrillProgressOptions {
  /** How a time (seconds since the drill began) is shown at the start of each line. */
  readonly stamp: (seconds: number) => string;
  /** Called before the first line of each run (a lifecycle has several). */
  readonly onNewRun?: (state: RunState) => void;
}

/** Streams a drill's progress (plan, detector verdicts, the fault, the controller, each run's timeline) as lines for people. */
export function drillProgressPrinter(out: Output, options: DrillProgressOptions): (p: DrillProgress) => void {
  const seen = new Set<string>();
  const c = out.color;
  return (p) => {
    switch (p.kind) {
      case 'plan':
        printPlan(out, p.plan);
        return out.heading('Run');
      case 'verdict': {
        const readings = Object.entries(p.readings)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ');
        const colour = p.verdict === 'down' ? c.red : p.verdict === 'suspect' ? c.yellow : c.green;
        return out.line(`${options.stamp(p.seconds)} detector ${colour(p.verdict)}  ${c.dim(readings)}`);
      }
      case 'controller':
        return out.line(`${options.stamp(p.seconds)} ${c.yellow(p.message)}`);
      case 'fault':
        // A drill names its scenario; anything else is already a description.
        return out.line(
          `${options.stamp(p.seconds)} ${c.red(`fault: ${isScenario(p.description) ? SCENARIO_DESCRIPTIONS[p.description] : p.description}`)}`,
        );
      case 'timeline': {
        const stamp = options.stamp(p.seconds);
        if (!seen.has(p.state.runId)) {
          seen.add(p.state.runId);
          options.onNewRun?.(p.state);
        }
        return printTimelineEntry(out, stamp, p.entry, p.state);
      }
    }
  };
}

/**
 * The invariants a drill is judged by, each with its value, and whether it held: at most one
 * promotion per operation, and zero for every other.
 */
export function invariantRows(inv: Invariants): { readonly label: string; readonly value: string; readonly held: boolean }[] {
  const row = (key: keyof Invariants, label: string, unit = '') => ({
    label,
    value: `${inv[key]}${unit}`,
    held: inv[key] <= INVARIANT_LIMITS[key],
  });
  return [
    row('promotionsPerOperationMax', 'promotions per operation (max)'),
    row('unsafeTrafficSeconds', 'unsafe traffic', ' s'),
    row('bothWritableSeconds', 'both databases writable', ' s'),
    row('selfInflictedOutageSeconds', 'self-inflicted outage', ' s'),
    row('leaseViolations', 'lease violations'),
  ];
}

/** The invariants on one line, each in red when it did not hold. */
export function formatInvariants(out: Output, inv: Invariants): string {
  return invariantRows(inv)
    .map((r) => (r.held ? `${r.label} ${r.value}` : out.color.red(`${r.label} ${r.value}`)))
    .join(out.color.dim(', '));
}

/** One line on what the return exposure is, for people reading a drill's summary. */
export const RETURN_EXPOSURE_MEANING =
  'seconds an old primary was writable right after its region came back, before the controller could fence it: AWS offers no way to fence a database whose region does not answer';
