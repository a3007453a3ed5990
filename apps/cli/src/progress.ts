import type { Plan, RunState, TimelineEntry } from '@dr/failover-core';
import type { Expectations } from './expectations.js';
import type { Output } from './output.js';

/**
 * Prints one timeline entry of a run as a progress line, after `stamp` (simulated seconds in a
 * drill, the wall clock in a live run). Entries of no interest to a person print nothing.
 */
export function printTimelineEntry(out: Output, stamp: string, e: TimelineEntry, state: RunState): void {
  const c = out.color;
  const steps = state.plan.steps;
  const index = steps.findIndex((s) => s.id === e.stepId);
  const label = `step ${index + 1}/${steps.length}`;
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
    case 'step-ended':
      return out.line(`${stamp} ${c.green('■')} ${label} done`);
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

const secs = (n: number | null | undefined): string => (n === null || n === undefined ? '—' : n < 120 ? `${n.toFixed(0)} s` : `${(n / 60).toFixed(1)} min`);

/** Prints a plan: its steps in order, each step's blocks (run in parallel), and what the latency model expects of each. */
export function printPlan(out: Output, plan: Plan, expected?: Expectations): void {
  const c = out.color;
  out.heading(`Plan: ${plan.operation} from ${plan.fromRegion} to ${plan.toRegion}`);
  plan.steps.forEach((step, i) => {
    const e = expected?.steps.find((s) => s.id === step.id);
    const timing = e ? c.dim(`  expected ${secs(e.p50Seconds)} (90% within ${secs(e.p90Seconds)})`) : '';
    out.line(`  ${i + 1}. ${step.name}${step.blocks.length > 1 ? c.dim(`  (${step.blocks.length} blocks in parallel)`) : ''}${timing}`);
    for (const b of step.blocks) out.line(`       ${c.dim('·')} ${b.description}`);
  });
  if (expected) out.line(`  ${c.bold('expected RTO')} ${secs(expected.rto.p50Seconds)} (90% within ${secs(expected.rto.p90Seconds)}), from ${expected.drills} simulated runs on the latency model`);
}
