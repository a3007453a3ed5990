import { describe, expect, it } from 'vitest';
import { changedAt, lastAtOrBefore } from '../../src/sim/history.js';
import { drawIn, Rng } from '../../src/sim/random.js';

describe('lastAtOrBefore', () => {
  const changes = [
    { at: 10, value: 'a' },
    { at: 20, value: 'b' },
    { at: 20, value: 'c' },
  ];

  it('finds the last change at or before t, in the order kept', () => {
    expect(lastAtOrBefore(changes, 5, changedAt)).toBeUndefined();
    expect(lastAtOrBefore(changes, 10, changedAt)?.value).toBe('a');
    expect(lastAtOrBefore(changes, 19, changedAt)?.value).toBe('a');
    expect(lastAtOrBefore(changes, 20, changedAt)?.value).toBe('c');
  });

  it('reads the time where the item keeps it', () => {
    const names = [
      { id: 'db', from: 0 },
      { id: 'db-retired', from: 100 },
    ];
    expect(lastAtOrBefore(names, 99, (n) => n.from)?.id).toBe('db');
    expect(lastAtOrBefore(names, 100, (n) => n.from)?.id).toBe('db-retired');
  });
});

describe('drawIn', () => {
  it('draws a whole number within the range, the same for the same seed and label', () => {
    const rng = new Rng(42);
    for (let i = 0; i < 200; i++) {
      const v = drawIn(rng, `x:${i}`, [1_000, 5_000]);
      expect(Number.isInteger(v)).toBe(true);
      expect(v).toBeGreaterThanOrEqual(1_000);
      expect(v).toBeLessThanOrEqual(5_000);
      expect(drawIn(new Rng(42), `x:${i}`, [1_000, 5_000])).toBe(v);
    }
  });
});
