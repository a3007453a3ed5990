import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  APP_TAG,
  DEFAULT_RETENTION,
  isoWeekOf,
  MANAGED_BY,
  MANAGED_BY_TAG,
  planRetention,
  type RetentionPolicy,
  type SnapshotRecord,
} from '../src/index.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 25, 2);
const ours = { [MANAGED_BY_TAG]: MANAGED_BY, [APP_TAG]: 'lamp' };
const snap = (i: number, createdAt: number | undefined, status = 'available', tags: Record<string, string> = ours): SnapshotRecord => ({
  id: `s${i}`,
  region: 'eu-west-1',
  status,
  createdAt,
  tags,
});

const snapshotArb = fc.record({
  ageMinutes: fc.integer({ min: 0, max: 800 * 24 * 60 }),
  status: fc.constantFrom('available', 'available', 'available', 'creating', 'copying'),
  owner: fc.constantFrom('ours', 'ours', 'ours', 'other-app', 'manual'),
  dated: fc.boolean(),
});
const setArb = fc
  .array(snapshotArb, { maxLength: 120 })
  .map((xs) =>
    xs.map((x, i) =>
      snap(
        i,
        x.dated || x.status === 'available' ? NOW - x.ageMinutes * 60_000 : undefined,
        x.status,
        x.owner === 'ours' ? ours : x.owner === 'other-app' ? { ...ours, [APP_TAG]: 'shop' } : {},
      ),
    ),
  );
const policyArb = fc.record({
  daily: fc.integer({ min: 0, max: 14 }),
  weekly: fc.integer({ min: 0, max: 8 }),
  monthly: fc.integer({ min: 0, max: 24 }),
});

/** The policy, computed another way: group by period, take the newest of each, keep the latest N periods. */
function expectedKeep(snapshots: SnapshotRecord[], policy: RetentionPolicy): Set<string> {
  const complete = snapshots.filter(
    (s) => s.tags[MANAGED_BY_TAG] === MANAGED_BY && s.tags[APP_TAG] === 'lamp' && s.status === 'available' && s.createdAt !== undefined,
  );
  const keep = new Set<string>();
  const byPeriod = (key: (t: number) => string, n: number) => {
    const groups = new Map<string, SnapshotRecord[]>();
    for (const s of complete) groups.set(key(s.createdAt!), [...(groups.get(key(s.createdAt!)) ?? []), s]);
    const newestOfEach = [...groups.values()].map((g) => g.sort((a, b) => b.createdAt! - a.createdAt! || a.id.localeCompare(b.id))[0]!);
    newestOfEach.sort((a, b) => b.createdAt! - a.createdAt! || a.id.localeCompare(b.id));
    for (const s of newestOfEach.slice(0, n)) keep.add(s.id);
  };
  byPeriod((t) => new Date(t).toISOString().slice(0, 10), policy.daily);
  byPeriod(isoWeekOf, policy.weekly);
  byPeriod((t) => new Date(t).toISOString().slice(0, 7), policy.monthly);
  const newest = [...complete].sort((a, b) => b.createdAt! - a.createdAt! || a.id.localeCompare(b.id))[0];
  if (newest) keep.add(newest.id);
  return keep;
}

describe('planRetention', () => {
  test.prop([setArb, policyArb])(
    'never deletes the newest complete snapshot, one in progress, or one it did not create',
    (snapshots, policy) => {
      const plan = planRetention(snapshots, policy, 'lamp');
      const deleted = new Set(plan.delete.map((s) => s.id));
      const newest = snapshots
        .filter((s) => s.tags[APP_TAG] === 'lamp' && s.tags[MANAGED_BY_TAG] === MANAGED_BY && s.status === 'available')
        .sort((a, b) => b.createdAt! - a.createdAt! || a.id.localeCompare(b.id))[0];

      if (newest) expect(deleted.has(newest.id)).toBe(false);
      for (const s of plan.delete) {
        expect(s.status).toBe('available');
        expect(s.tags[MANAGED_BY_TAG]).toBe(MANAGED_BY);
        expect(s.tags[APP_TAG]).toBe('lamp');
      }
      expect(plan.keep.length + plan.delete.length + plan.foreign.length).toBe(snapshots.length);
    },
  );

  test.prop([setArb, policyArb])('keeps exactly what the policy says', (snapshots, policy) => {
    const plan = planRetention(snapshots, policy, 'lamp');
    const keptComplete = plan.keep
      .filter((k) => k.snapshot.status === 'available' && k.snapshot.createdAt !== undefined)
      .map((k) => k.snapshot.id);

    expect(new Set(keptComplete)).toEqual(expectedKeep(snapshots, policy));
  });

  it('keeps a week of dailies, a month of weeklies and a year of monthlies by default', () => {
    const daily = Array.from({ length: 400 }, (_, i) => snap(i, NOW - i * DAY));

    const plan = planRetention(daily, DEFAULT_RETENTION, 'lamp');

    // 7 days, plus the newest of 4 weeks and 12 months; periods overlap at the newest end.
    expect(plan.keep.length).toBeGreaterThanOrEqual(12);
    expect(plan.keep.length).toBeLessThanOrEqual(7 + 4 + 12);
    expect(plan.keep.filter((k) => k.reasons.includes('daily')).map((k) => k.snapshot.id)).toEqual([
      's0',
      's1',
      's2',
      's3',
      's4',
      's5',
      's6',
    ]);
    expect(plan.delete.length).toBe(400 - plan.keep.length);
  });

  it('keeps a snapshot still being created or copied, and one RDS has not dated', () => {
    const plan = planRetention(
      [snap(1, NOW - 90 * DAY, 'copying'), snap(2, undefined, 'available'), snap(3, NOW)],
      { daily: 1, weekly: 0, monthly: 0 },
      'lamp',
    );

    expect(plan.delete).toEqual([]);
    expect(plan.keep.map((k) => k.reasons)).toEqual([['in-progress'], ['undated'], ['newest', 'daily']]);
  });

  it('numbers ISO weeks as ISO 8601 does', () => {
    expect(isoWeekOf(Date.UTC(2026, 0, 1))).toBe('2026-W01');
    expect(isoWeekOf(Date.UTC(2027, 0, 1))).toBe('2026-W53');
    expect(isoWeekOf(Date.UTC(2024, 11, 30))).toBe('2025-W01');
  });
});
