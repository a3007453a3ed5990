import { describe, expect, it } from 'vitest';
import { stepTimings } from '../../src/machine/step-timings.js';
import { startRun } from '../../src/machine/transition.js';
import type { RunState, TimelineEntry } from '../../src/machine/types.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import { config } from '../fixtures.js';

const T0 = 1_000_000;

function withTimeline(entries: TimelineEntry[], extra: Partial<RunState> = {}): RunState {
  const run = startRun({ runId: 'r1', plan: buildPlan(config, 'failover'), at: T0, maxDataLossSeconds: 60 }).state;
  return { ...run, ...extra, timeline: [...run.timeline, ...entries] };
}

describe('stepTimings', () => {
  it("gives each plan step's start, end and duration, unfinished and not started steps with nulls", () => {
    const [first, second, third] = buildPlan(config, 'failover').steps;
    const run = withTimeline([
      { at: T0 + 1_000, kind: 'step-started', stepId: first!.id },
      { at: T0 + 4_250, kind: 'step-ended', stepId: first!.id },
      { at: T0 + 5_000, kind: 'step-started', stepId: second!.id },
    ]);

    const rows = stepTimings(run);

    expect(rows.map((r) => r.stepId)).toEqual(run.plan.steps.map((s) => s.id));
    expect(rows[0]).toEqual({
      stepId: first!.id,
      name: first!.name,
      part: 'plan',
      startedAt: T0 + 1_000,
      endedAt: T0 + 4_250,
      durationMs: 3_250,
      finished: true,
    });
    expect(rows[1]).toMatchObject({ startedAt: T0 + 5_000, endedAt: null, durationMs: null, finished: false });
    expect(rows.find((r) => r.stepId === third!.id)).toMatchObject({ startedAt: null, endedAt: null, finished: false });
  });

  it("lists a rollback's undo steps after the plan's", () => {
    const undo = { id: 'undo-scale', name: 'Undo scaling', blocks: [] };
    const run = withTimeline(
      [
        { at: T0 + 9_000, kind: 'step-started', stepId: 'undo-scale' },
        { at: T0 + 9_500, kind: 'step-ended', stepId: 'undo-scale' },
      ],
      { rollback: { at: T0 + 8_000, reason: 'x', steps: [undo] } },
    );

    const rows = stepTimings(run);

    expect(rows.at(-1)).toEqual({
      stepId: 'undo-scale',
      name: 'Undo scaling',
      part: 'undo',
      startedAt: T0 + 9_000,
      endedAt: T0 + 9_500,
      durationMs: 500,
      finished: true,
    });
    expect(rows.filter((r) => r.part === 'plan')).toHaveLength(run.plan.steps.length);
  });
});
