import { describe, expect, it } from 'vitest';
import { measureRun } from '../../src/machine/measures.js';
import { startRun } from '../../src/machine/transition.js';
import type { RunState, TimelineEntry } from '../../src/machine/types.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import { config } from '../fixtures.js';

const T0 = 1_000_000;

function finished(operation: 'failover' | 'switchover', entries: TimelineEntry[], extra: Partial<RunState> = {}): RunState {
  const run = startRun({
    runId: 'r1',
    plan: buildPlan(config, operation),
    at: T0,
    maxDataLossSeconds: 60,
    impairedAt: T0 - 65_000,
    trigger: 'detector',
  }).state;
  return { ...run, ...extra, timeline: [...run.timeline, ...entries] };
}

describe('measureRun', () => {
  it('measures a failover from the impairment to the end of the step marked serving, and its RPO', () => {
    const run = finished(
      'failover',
      [
        { at: T0 + 1_000, kind: 'step-started', stepId: 'prepare' },
        { at: T0 + 400_000, kind: 'step-ended', stepId: 'verify' },
        { at: T0 + 400_050, kind: 'completed' },
      ],
      { rpoSeconds: 1.5 },
    );

    expect(measureRun(run)).toEqual({ rtoSeconds: 465, durationSeconds: 400.1, detectSeconds: 65, rpoSeconds: 1.5 });
  });

  it("takes a known outage start over the detector's estimate", () => {
    const run = finished('failover', [
      { at: T0 + 400_000, kind: 'step-ended', stepId: 'verify' },
      { at: T0 + 400_000, kind: 'completed' },
    ]);

    expect(measureRun(run, { impairedAt: T0 - 100_000 })).toMatchObject({ rtoSeconds: 500, detectSeconds: 100 });
  });

  it('measures a planned operation from the start of the step marked outage-start (the drain)', () => {
    const run = finished('switchover', [
      { at: T0 + 5_000, kind: 'step-started', stepId: 'drain' },
      { at: T0 + 305_000, kind: 'step-ended', stepId: 'verify' },
      { at: T0 + 305_000, kind: 'completed' },
    ]);

    expect(measureRun(run).rtoSeconds).toBe(300);
  });

  it('finds the milestones by the field on the step, whatever the step is called', () => {
    const base = finished('switchover', []);
    const renamed: RunState = { ...base, plan: { ...base.plan, steps: base.plan.steps.map((s) => ({ ...s, id: `x-${s.id}` })) } };
    const run = {
      ...renamed,
      timeline: [
        ...renamed.timeline,
        { at: T0 + 5_000, kind: 'step-started', stepId: 'x-drain' },
        { at: T0 + 65_000, kind: 'step-ended', stepId: 'x-verify' },
        { at: T0 + 65_000, kind: 'completed' },
      ],
    } as RunState;

    expect(measureRun(run).rtoSeconds).toBe(60);
  });

  it('reports nothing it has not seen: an unfinished run has no RTO and no duration, an operator run no detection', () => {
    const run = finished('failover', [{ at: T0 + 1_000, kind: 'step-started', stepId: 'prepare' }]);
    const operator = { ...run, trigger: 'operator' } as RunState;

    expect(measureRun(run)).toEqual({ rtoSeconds: null, durationSeconds: null, detectSeconds: 65, rpoSeconds: null });
    expect(measureRun(operator).detectSeconds).toBeNull();
  });
});
