import { describe, expect, it } from 'vitest';
import { failureCause, isRegionUnreachable, isRetryable, mayHaveLanded, RegionUnreachableError } from '../src/errors.js';

describe('RegionUnreachableError', () => {
  it('says why no answer came, a timeout unless told otherwise', () => {
    const plain = new RegionUnreachableError('eu-west-1');
    const refused = new RegionUnreachableError('eu-west-1', 'RDS instance lamp-primary in eu-west-1: connection to 10.0.0.1:443 refused', {
      reason: 'refused',
    });

    expect(plain.reason).toBe('timeout');
    expect(plain.message).toBe('region eu-west-1 did not answer in time');
    expect(refused.reason).toBe('refused');
    expect(refused.message).toMatch(/connection to 10\.0\.0\.1:443 refused/);
  });

  it('is the same to the engine whatever the reason: unreachable, retryable, may have landed', () => {
    for (const reason of ['timeout', 'refused', 'dns', 'reset', 'no-route'] as const) {
      const error = new RegionUnreachableError('us-east-1', 'x', { reason, cause: new Error('net') });

      expect([isRegionUnreachable(error), isRetryable(error), mayHaveLanded(error), failureCause(error)]).toEqual([
        true,
        true,
        true,
        'unreachable',
      ]);
      expect((error.cause as Error).message).toBe('net');
    }
  });
});
