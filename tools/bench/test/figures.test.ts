import type { Invariants } from '@dr/failover-core/drill';
import { describe, expect, it } from 'vitest';
import {
  addInvariant,
  exposureLine,
  invariantFigures,
  invariantLines,
  outcomeCounts,
  rtoByOperation,
  seedList,
  whatWentWrong,
} from '../src/figures.js';
import type { JobResult } from '../src/jobs.js';

const held: Invariants = {
  promotionsPerOperationMax: 1,
  unsafeTrafficSeconds: 0,
  bothWritableSeconds: 0,
  selfInflictedOutageSeconds: 0,
  leaseViolations: 0,
};

function result(seed: number, over: Partial<JobResult> = {}): JobResult {
  return {
    kind: 'lifecycle',
    scenario: 'region-outage',
    seed,
    outcome: 'completed',
    invariants: held,
    returnExposureSeconds: 0,
    pilotLightRestored: true,
    problems: [],
    operations: [{ operation: 'failover', outcome: 'completed', rtoSeconds: 400, reason: null, scenario: 'region-outage' }],
    crashes: 0,
    invocations: 10,
    simulatedSeconds: 3600,
    wallMs: 1,
    detection: null,
    ...over,
  };
}

describe('addInvariant', () => {
  it('sums an invariant over drills, but keeps the largest promotionsPerOperationMax', () => {
    expect(addInvariant('unsafeTrafficSeconds', 1.5, 2)).toBe(3.5);
    expect(addInvariant('promotionsPerOperationMax', 1, 1)).toBe(1);
    expect(addInvariant('promotionsPerOperationMax', 1, 2)).toBe(2);
  });
});

describe('invariantFigures', () => {
  it('sums each invariant and names the seeds that broke it', () => {
    const results = [
      result(1),
      result(2, { invariants: { ...held, bothWritableSeconds: 12, promotionsPerOperationMax: 2 } }),
      result(3, { invariants: { ...held, bothWritableSeconds: 3 } }),
    ];

    const figures = invariantFigures(results);

    expect(figures.find((f) => f.key === 'bothWritableSeconds')).toEqual({ key: 'bothWritableSeconds', sum: 15, max: 12, seeds: [2, 3] });
    expect(figures.find((f) => f.key === 'promotionsPerOperationMax')).toMatchObject({ max: 2, seeds: [2] });
    expect(figures.find((f) => f.key === 'leaseViolations')).toMatchObject({ sum: 0, max: 0, seeds: [] });
  });

  it('lets one promotion per run pass and prints no sum for it', () => {
    const lines = invariantLines(invariantFigures([result(1), result(2)]));

    expect(lines[0]).toContain('promotionsPerOperationMax');
    expect(lines[0]).toContain('sum      —');
    expect(lines.every((l) => l.includes('holds'))).toBe(true);
  });
});

describe('seedList', () => {
  it('cuts a long list and says how many more', () => {
    expect(seedList([])).toBe('none');
    expect(seedList([1, 2, 3], 2)).toBe('1, 2 … and 1 more');
  });
});

describe('outcomeCounts', () => {
  it('counts outcomes, the most frequent first', () => {
    expect(outcomeCounts(['completed', 'rolled-back', 'completed'])).toBe('completed 2, rolled-back 1');
  });
});

describe('rtoByOperation', () => {
  it('groups the RTO of completed runs by operation', () => {
    const results = [
      result(1, {
        operations: [
          { operation: 'failover', outcome: 'completed', rtoSeconds: 300, reason: null, scenario: null },
          { operation: 'failback', outcome: 'completed', rtoSeconds: 500, reason: null, scenario: null },
        ],
      }),
      result(2, { operations: [{ operation: 'failover', outcome: 'failed', rtoSeconds: null, reason: 'x', scenario: null }] }),
    ];

    expect(rtoByOperation(results)).toEqual([
      { operation: 'failover', n: 1, p50: 300, p95: 300, max: 300 },
      { operation: 'failback', n: 1, p50: 500, p95: 500, max: 500 },
    ]);
  });
});

describe('exposureLine', () => {
  it('gives the percentiles, the seed of the worst, and how many seeds had any exposure', () => {
    expect(exposureLine([result(1, { returnExposureSeconds: 12 }), result(2)])).toBe(
      'p50 12.0 s, p95 12.0 s, max 12.0 s (seed 1); 1/2 seeds above 0',
    );
  });
});

describe('whatWentWrong', () => {
  it('names the broken invariants, the operations that did not complete and the pilot light problems', () => {
    const r = result(7, {
      invariants: { ...held, selfInflictedOutageSeconds: 40 },
      operations: [{ operation: 'failback', outcome: 'failed', rtoSeconds: null, reason: 'timed out', scenario: null }],
      problems: ['traffic is on the secondary region'],
    });

    expect(whatWentWrong(r)).toBe(
      'selfInflictedOutageSeconds 40; #1 failback failed (timed out); pilot light: traffic is on the secondary region',
    );
  });
});
