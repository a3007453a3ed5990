import { describe, expect, it } from 'vitest';
import { buildPlan, measureRun, startRun, type RunState, type TimelineEntry } from '../../src/index.js';
import { config } from '../fixtures.js';

const T0 = 1_000_000;

function finished(operation: 'failover' | 'switchover', entries: TimelineEntry[], extra: Partial<RunState> = {}): RunState {
  const run = startRun({ runId: 'r1', plan: buildPlan(config, operation), at: T0, maxDataLossSeconds: 60, impairedAt: T0 - 65_000 }).state;
  return { ...run, ...extra, timeline: [...run.timeline, ...entries] };
}

describe('measureRun', () => {
  it('measures a failover from the impairment to the verified new region, and its RPO', () => {
    const run = finished(
      'failover',
      [
        { at: T0 + 1_000, kind: 'step-started', stepId: 'fence' },
        { at: T0 + 400_000, kind: 'step-ended', stepId: 'verify' },
        { at: T0 + 400_050, kind: 'completed' },
      ],
      { rpoSeconds: 1.5 },
    );

    expect(measureRun(run)).toEqual({ rtoSeconds: 465, durationSeconds: 400.1, detectSeconds: 65, rpoSeconds: 1.5 });
  });

  it('takes a known outage start over the detector\'s estimate', () => {
    const run = finished('failover', [
      { at: T0 + 400_000, kind: 'step-ended', stepId: 'verify' },
      { at: T0 + 400_000, kind: 'completed' },
    ]);

    expect(measureRun(run, { impairedAt: T0 - 100_000 })).toMatchObject({ rtoSeconds: 500, detectSeconds: 100 });
  });

  it('measures a planned operation from the moment writes were fenced', () => {
    const run = finished('switchover', [
      { at: T0 + 5_000, kind: 'step-started', stepId: 'fence' },
      { at: T0 + 305_000, kind: 'step-ended', stepId: 'verify' },
      { at: T0 + 305_000, kind: 'completed' },
    ]);

    expect(measureRun(run).rtoSeconds).toBe(300);
  });

  it('reports nothing it has not seen: an unfinished run has no RTO and no duration', () => {
    const run = finished('failover', [{ at: T0 + 1_000, kind: 'step-started', stepId: 'fence' }]);

    expect(measureRun(run)).toEqual({ rtoSeconds: null, durationSeconds: null, detectSeconds: 65, rpoSeconds: null });
  });
});
