import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import type { HeadlineReason } from '../../src/status/headline.js';
import { judgeNextReadiness, judgeStatusOutcome, nextOperation } from '../../src/status/verdict.js';
import { seen, unread } from './arbitraries.js';

describe('nextOperation', () => {
  it('is a failover while the primary serves, and a failback once the secondary does', () => {
    expect(nextOperation('primary')).toBe('failover');
    expect(nextOperation('secondary')).toBe('failback');
  });
});

describe('judgeNextReadiness', () => {
  it('is ready when the preconditions were evaluated and none failed', () => {
    expect(judgeNextReadiness(seen({ problems: [], replicaLagSeconds: 1.5 }))).toEqual({
      ready: true,
      replicaLagSeconds: 1.5,
      problems: [],
    });
  });

  it('is not ready with a problem, and says the lag is unknown when it was not read', () => {
    const problems = [{ kind: 'rpo' as const, message: 'replica lag 90 s exceeds 60 s' }];

    expect(judgeNextReadiness(seen({ problems }))).toEqual({ ready: false, replicaLagSeconds: null, problems });
  });

  it('is not ready when the preconditions could not be evaluated, with the error as its problem', () => {
    expect(judgeNextReadiness(unread('timeout'))).toEqual({
      ready: false,
      replicaLagSeconds: null,
      problems: [{ kind: 'precondition', message: 'read failed: timeout' }],
    });
  });
});

describe('judgeStatusOutcome', () => {
  const reasons: HeadlineReason[] = [
    'healthy',
    'not-reachable-from-here',
    'record-unread',
    'region-silent',
    'not-serving',
    'partly-observed',
  ];

  test.prop([fc.boolean(), fc.constantFrom(...reasons), fc.boolean()])(
    'is healthy only when the serving side is observed healthy and the next operation is ready; not observed only when nothing was',
    (observed, reason, ready) => {
      const outcome = judgeStatusOutcome({ observed, reason }, ready);

      expect(outcome === 'healthy').toBe(observed && reason === 'healthy' && ready);
      expect(outcome === 'not-observed').toBe(!observed);
    },
  );
});
