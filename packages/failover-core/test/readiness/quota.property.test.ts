import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isStandardInstanceType, quotaCovers } from '../../src/readiness/quota.js';

const input = fc.record({
  quota: fc.integer({ min: 0, max: 5_000 }),
  inUse: fc.integer({ min: 0, max: 5_000 }),
  vcpusPerInstance: fc.integer({ min: 1, max: 192 }),
  desired: fc.integer({ min: 1, max: 100 }),
  running: fc.integer({ min: 0, max: 100 }),
});

describe('quotaCovers', () => {
  it('covers exactly when the instances still to launch fit beside what runs', () => {
    fc.assert(
      fc.property(input, (i) => {
        const v = quotaCovers(i);
        const toLaunch = Math.max(0, i.desired - i.running);
        expect(v.covers).toBe(i.inUse + toLaunch * i.vcpusPerInstance <= i.quota || toLaunch === 0);
      }),
    );
  });

  it('never gets worse when more of the group already runs', () => {
    fc.assert(
      fc.property(input, fc.integer({ min: 1, max: 10 }), (i, more) => {
        if (quotaCovers(i).covers) expect(quotaCovers({ ...i, running: i.running + more }).covers).toBe(true);
      }),
    );
  });

  it('needs nothing more once the group runs its desired capacity', () => {
    expect(quotaCovers({ quota: 0, inUse: 8, vcpusPerInstance: 2, desired: 4, running: 4 })).toEqual({
      additional: 0,
      headroom: 0,
      covers: true,
    });
  });
});

describe('isStandardInstanceType', () => {
  it('counts A, C, D, H, I, M, R, T, Z families and not those with quotas of their own', () => {
    expect(
      ['t3.small', 'm7i-flex.large', 'c7gn.xlarge', 'r6i.large', 'i4i.large', 'z1d.large', 'a1.medium', 'd3en.xlarge', 'h1.2xlarge'].filter(
        isStandardInstanceType,
      ),
    ).toHaveLength(9);
    expect(
      [
        'g5.xlarge',
        'p4d.24xlarge',
        'inf2.xlarge',
        'trn1.2xlarge',
        'x2idn.large',
        'mac2.metal',
        'hpc7g.4xlarge',
        'dl1.24xlarge',
        'f1.2xlarge',
      ].filter(isStandardInstanceType),
    ).toEqual([]);
  });
});
