/** How many snapshots to keep: the newest of each of the last `daily` days, `weekly` ISO weeks and `monthly` months. */
export interface RetentionPolicy {
  readonly daily: number;
  readonly weekly: number;
  readonly monthly: number;
}

/** A week of dailies, a month of weeklies, a year of monthlies: what most recovery policies ask for. */
export const DEFAULT_RETENTION: RetentionPolicy = { daily: 7, weekly: 4, monthly: 12 };

/** Tag that marks a snapshot as made by this tool; nothing without it is ever pruned. */
export const MANAGED_BY_TAG = 'dr:managed-by';
/** Its value. */
export const MANAGED_BY = 'dr-snapshot';
/** Tag naming the application a snapshot belongs to. */
export const APP_TAG = 'dr:app';

/** A snapshot as retention planning sees it. */
export interface SnapshotRecord {
  readonly id: string;
  readonly region: string;
  /** RDS status: only `available` snapshots are complete. */
  readonly status: string;
  /** Epoch ms; undefined while RDS has not stamped it. */
  readonly createdAt?: number | undefined;
  readonly tags: Readonly<Record<string, string>>;
}

/** Why a snapshot is kept. */
export type KeepReason = 'in-progress' | 'newest' | 'daily' | 'weekly' | 'monthly' | 'undated';

/** The outcome of {@link planRetention}. */
export interface RetentionPlan {
  /** Snapshots of this app made by this tool that stay, each with why. */
  readonly keep: readonly { readonly snapshot: SnapshotRecord; readonly reasons: readonly KeepReason[] }[];
  /** Snapshots to delete. */
  readonly delete: readonly SnapshotRecord[];
  /** Snapshots not made by this tool for this app: never touched. */
  readonly foreign: readonly SnapshotRecord[];
}

const day = (t: number) => new Date(t).toISOString().slice(0, 10);
const month = (t: number) => new Date(t).toISOString().slice(0, 7);
/** ISO 8601 week of a time, as `YYYY-Www` (weeks start on Monday; week 1 holds January 4th). */
export function isoWeekOf(t: number): string {
  const d = new Date(t);
  const date = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const weekday = date.getUTCDay() || 7;
  date.setUTCDate(date.getUTCDate() + 4 - weekday); // the Thursday of this week decides its year
  const yearStart = Date.UTC(date.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((date.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${date.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/** True for a snapshot this tool made for `app`. */
export const isManaged = (s: SnapshotRecord, app: string): boolean => s.tags[MANAGED_BY_TAG] === MANAGED_BY && s.tags[APP_TAG] === app;

/**
 * Plans which snapshots to keep and which to delete. Pure. Only snapshots this tool made for
 * `app` are ever deleted; one still being created or copied is always kept, and so is the
 * newest complete one, whatever the policy. Of the rest, the newest snapshot of each of the
 * last `daily` days, `weekly` ISO weeks and `monthly` months (counting periods that have a
 * snapshot, newest first) is kept; the others are deleted.
 */
export function planRetention(snapshots: readonly SnapshotRecord[], policy: RetentionPolicy, app: string): RetentionPlan {
  const foreign = snapshots.filter((s) => !isManaged(s, app));
  const ours = snapshots.filter((s) => isManaged(s, app));
  const reasons = new Map<SnapshotRecord, KeepReason[]>();
  const mark = (s: SnapshotRecord, why: KeepReason) => reasons.set(s, [...(reasons.get(s) ?? []), why]);

  for (const s of ours) {
    if (s.status !== 'available') mark(s, 'in-progress');
    else if (s.createdAt === undefined) mark(s, 'undated');
  }
  const complete = ours
    .filter((s) => s.status === 'available' && s.createdAt !== undefined)
    .sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0) || a.id.localeCompare(b.id));
  const newest = complete[0];
  if (newest) mark(newest, 'newest');
  const keepNewestPerPeriod = (count: number, periodOf: (t: number) => string, why: KeepReason) => {
    const seen = new Set<string>();
    for (const s of complete) {
      const period = periodOf(s.createdAt ?? 0);
      if (seen.has(period)) continue;
      if (seen.size >= count) break;
      seen.add(period);
      mark(s, why);
    }
  };
  keepNewestPerPeriod(policy.daily, day, 'daily');
  keepNewestPerPeriod(policy.weekly, isoWeekOf, 'weekly');
  keepNewestPerPeriod(policy.monthly, month, 'monthly');

  return {
    keep: ours.filter((s) => reasons.has(s)).map((s) => ({ snapshot: s, reasons: reasons.get(s) ?? [] })),
    delete: ours.filter((s) => !reasons.has(s)),
    foreign,
  };
}
