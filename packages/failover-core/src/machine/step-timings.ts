import type { RunState } from './types.js';

/** When one step of a run started and ended, from the run's timeline. Times are epoch ms (the run's clock). */
export interface StepTiming {
  readonly stepId: string;
  readonly name: string;
  /** `plan` for the plan's own steps, `undo` for a rollback's. */
  readonly part: 'plan' | 'undo';
  /** Null when the step never started. */
  readonly startedAt: number | null;
  /** Null when the step has not ended (not started, still running, or stopped in it). */
  readonly endedAt: number | null;
  /** From start to end in milliseconds; null unless the step finished. */
  readonly durationMs: number | null;
  /** Whether the step started and ended. */
  readonly finished: boolean;
}

/**
 * The steps of a run as people read its timeline: the plan's, then any undo steps of a rollback,
 * each with when it started and ended. Pure. A step that started twice (a resumed run) counts from
 * its first start to its first end, as the timeline first recorded them.
 */
export function stepTimings(run: Pick<RunState, 'plan' | 'rollback' | 'timeline'>): StepTiming[] {
  const at = (kind: 'step-started' | 'step-ended', stepId: string): number | null =>
    run.timeline.find((e) => e.kind === kind && e.stepId === stepId)?.at ?? null;
  const timing =
    (part: StepTiming['part']) =>
    (step: { readonly id: string; readonly name: string }): StepTiming => {
      const startedAt = at('step-started', step.id);
      const endedAt = at('step-ended', step.id);
      const finished = startedAt !== null && endedAt !== null;
      return { stepId: step.id, name: step.name, part, startedAt, endedAt, durationMs: finished ? endedAt - startedAt : null, finished };
    };
  return [...run.plan.steps.map(timing('plan')), ...(run.rollback?.steps ?? []).map(timing('undo'))];
}
