import type { RunState } from './types.js';

/** What a finished (or unfinished) run measured, in seconds rounded to tenths; null when not reached. */
export interface RunMeasures {
  /**
   * Recovery time: from the outage's start (the impairment the detector saw, else the trigger;
   * for a planned operation, the moment writes were fenced) until the new region was verified
   * serving.
   */
  readonly rtoSeconds: number | null;
  /** From the trigger to the run's completion. */
  readonly durationSeconds: number | null;
  /** From the impairment's start to the trigger: how long detection took. */
  readonly detectSeconds: number | null;
  /** Replica lag at promotion: the data a failover lost. */
  readonly rpoSeconds: number | null;
}

const secs = (ms: number): number => Math.round(ms / 100) / 10;

/**
 * Measures a run from its own timeline. Pure. `impairedAt` overrides when the outage began (a
 * drill knows when it injected the fault; a live run has only its detector's estimate).
 */
export function measureRun(run: RunState, options: { readonly impairedAt?: number | undefined } = {}): RunMeasures {
  const impairedAt = options.impairedAt ?? run.impairedAt;
  const completedAt = run.timeline.find((e) => e.kind === 'completed')?.at;
  const servingAt = run.timeline.find((e) => e.kind === 'step-ended' && e.stepId === 'verify')?.at;
  const fencedAt = run.timeline.find((e) => e.kind === 'step-started' && e.stepId === 'fence')?.at;
  const outageFrom = run.operation === 'failover' ? (impairedAt ?? run.triggeredAt) : fencedAt;
  return {
    rtoSeconds: completedAt !== undefined && servingAt !== undefined && outageFrom !== undefined ? secs(servingAt - outageFrom) : null,
    durationSeconds: completedAt !== undefined ? secs(completedAt - run.triggeredAt) : null,
    detectSeconds: impairedAt !== undefined ? secs(run.triggeredAt - impairedAt) : null,
    rpoSeconds: run.rpoSeconds ?? null,
  };
}
