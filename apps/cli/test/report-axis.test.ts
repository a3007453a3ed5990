import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { MAX_TICKS, stopwatch, timeTicks } from '../src/report-axis.js';

describe('timeTicks', () => {
  test.prop([fc.double({ min: 0, max: 10_000_000, noNaN: true })])(
    'gives distinct labels, strictly increasing ticks, at most 12, covering the span',
    (span) => {
      const ticks = timeTicks(span);

      expect(ticks.length).toBeGreaterThanOrEqual(1);
      expect(ticks.length).toBeLessThanOrEqual(MAX_TICKS);
      expect(ticks[0]!.seconds).toBe(0);
      expect(new Set(ticks.map((t) => t.label)).size).toBe(ticks.length);
      for (let i = 1; i < ticks.length; i++) expect(ticks[i]!.seconds).toBeGreaterThan(ticks[i - 1]!.seconds);
      // The last tick is within one step of the end: the axis is used, not one tick in a corner.
      const step = ticks.length > 1 ? ticks[1]!.seconds - ticks[0]!.seconds : span;
      expect(span - ticks.at(-1)!.seconds).toBeLessThanOrEqual(step);
      expect(ticks.at(-1)!.seconds).toBeLessThanOrEqual(span);
    },
  );

  test.prop([fc.double({ min: 2, max: 100_000, noNaN: true }), fc.integer({ min: 2, max: 30 })])(
    'never gives more ticks than asked for',
    (span, maxTicks) => {
      expect(timeTicks(span, maxTicks).length).toBeLessThanOrEqual(maxTicks);
    },
  );

  it('reads a drill of a few minutes at a 30 s step, as a stopwatch does', () => {
    expect(timeTicks(330).map((t) => t.label)).toEqual([
      '0:00',
      '0:30',
      '1:00',
      '1:30',
      '2:00',
      '2:30',
      '3:00',
      '3:30',
      '4:00',
      '4:30',
      '5:00',
      '5:30',
    ]);
  });

  it('reads a longer drill in whole minutes, each label once', () => {
    expect(timeTicks(1017).map((t) => t.label)).toEqual([
      '0 min',
      '2 min',
      '4 min',
      '6 min',
      '8 min',
      '10 min',
      '12 min',
      '14 min',
      '16 min',
    ]);
  });

  it('refuses a span that is not a length of time, naming it', () => {
    expect(() => timeTicks(Number.NaN)).toThrow(/spanSeconds/);
    expect(() => timeTicks(-1)).toThrow(/spanSeconds/);
    expect(() => timeTicks(60, 1)).toThrow(/maxTicks/);
  });
});

describe('stopwatch', () => {
  it('shows minutes and two-digit seconds', () => {
    expect([0, 9.6, 61, 3599].map(stopwatch)).toEqual(['0:00', '0:10', '1:01', '59:59']);
  });
});
