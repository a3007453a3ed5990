import type { Milestone } from '../plan/types.js';
import type { RunState } from './types.js';
import { secs } from '../util/tenths.js';

/** What a finished (or unfinished) run measured, in seconds rounded to tenths; null when not reached. */
export interface RunMeasures {
  /**
   * Recovery time: from the outage's start (a failover: the impairment the detector saw, else
   * the trigger; a planned handover: the start of the step marked `outage-start`) until the end
   * of the step marked `serving`.
   */
  readonly rtoSeconds: number | null;
  /** From the trigger to the run's completion. */
  readonly durationSeconds: number | null;
  /** From the impairment's start to the trigger: how long detection took. */
  readonly detectSeconds: number | null;
  /** Replica lag at promotion: the data a failover lost. */
  readonly rpoSeconds: number | null;
}

/** When the step carrying `milestone` started or ended, from the run's timeline. */
export function milestoneAt(run: RunState, milestone: Milestone, edge: 'step-started' | 'step-ended'): number | undefined {
  const step = run.plan.steps.find((s) => s.milestone === milestone);
  return step && run.timeline.find((e) => e.kind === edge && e.stepId === step.id)?.at;
}

/**
 * Measures a run from its own timeline. Pure. `impairedAt` overrides when the outage began (a
 * drill knows when it injected the fault; a live run has only its detector's estimate).
 */
export function measureRun(run: RunState, options: { readonly impairedAt?: number | undefined } = {}): RunMeasures {
  const impairedAt = options.impairedAt ?? run.impairedAt;
  const completedAt = run.timeline.find((e) => e.kind === 'completed')?.at;
  const servingAt = milestoneAt(run, 'serving', 'step-ended');
  const outageFrom = run.operation === 'failover' ? (impairedAt ?? run.triggeredAt) : milestoneAt(run, 'outage-start', 'step-started');
  return {
    rtoSeconds: completedAt !== undefined && servingAt !== undefined && outageFrom !== undefined ? secs(servingAt - outageFrom) : null,
    durationSeconds: completedAt !== undefined ? secs(completedAt - run.triggeredAt) : null,
    detectSeconds: impairedAt !== undefined && run.trigger === 'detector' ? secs(run.triggeredAt - impairedAt) : null,
    rpoSeconds: run.rpoSeconds ?? null,
  };
}
