import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { quantile } from '../../src/util/quantile.js';

describe('quantile', () => {
  it('takes the nearest rank of the sorted sample, and leaves the sample as it was', () => {
    const xs = [9, 1, 5, 3, 7];

    expect(quantile(xs, 0.5)).toBe(5);
    expect(quantile(xs, 0.9)).toBe(9);
    expect(quantile(xs, 0)).toBe(1);
    expect(quantile(xs, 1)).toBe(9);
    expect(xs).toEqual([9, 1, 5, 3, 7]);
  });

  it('has no figure for an empty sample, and refuses a q outside 0 to 1, naming it', () => {
    expect(quantile([], 0.5)).toBeNull();
    expect(() => quantile([1], 1.5)).toThrow(/q must be from 0 to 1; got 1.5/);
    expect(() => quantile([1], Number.NaN)).toThrow(/q must be/);
  });

  test.prop([
    fc.array(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), { minLength: 1 }),
    fc.double({ noNaN: true, min: 0, max: 1 }),
    fc.double({ noNaN: true, min: 0, max: 1 }),
  ])('is a value of the sample, and never falls as q rises', (xs, a, b) => {
    const [lo, hi] = a <= b ? [a, b] : [b, a];

    expect(xs).toContain(quantile(xs, lo));
    expect(quantile(xs, lo)!).toBeLessThanOrEqual(quantile(xs, hi)!);
  });
});
