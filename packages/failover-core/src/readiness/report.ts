import { isVersionConflict } from '../errors.js';
import type { MetricDatum, StateStore } from '../ports.js';
import { stateKeys } from '../runtime/supervise.js';
import { READINESS_INTERVAL_MINUTES, type ReadinessCheckId } from './checks.js';

/** A check's outcome: `unknown` when it could not be evaluated (nothing is claimed). */
export type ReadinessStatus = 'pass' | 'fail' | 'unknown';

/** One check of a readiness evaluation. */
export interface ReadinessCheckResult {
  readonly id: ReadinessCheckId;
  readonly status: ReadinessStatus;
  /** What was seen, or what could not be seen, in a sentence. */
  readonly detail: string;
  /** The number judged, when there is one (lag in seconds, spare vCPUs, snapshot age in hours, ...). */
  readonly value?: number | undefined;
}

/**
 * One readiness evaluation: every check of `READINESS_CHECKS`, in that order. Plain JSON;
 * the state store keeps the last one under `stateKeys(app).readiness`.
 */
export interface ReadinessReport {
  /** When the evaluation ended, epoch ms. */
  readonly at: number;
  readonly app: string;
  /** The region a failover would move to: the one that does not serve now. */
  readonly standbyRegion: string;
  readonly checks: readonly ReadinessCheckResult[];
}

/** Counts of a report, and its failing and unknown checks by id. */
export interface ReadinessSummary {
  readonly pass: number;
  readonly fail: number;
  readonly unknown: number;
  readonly total: number;
  readonly failing: readonly ReadinessCheckId[];
  readonly unknowns: readonly ReadinessCheckId[];
  /** Age of the report at `now`, ms. */
  readonly ageMs: number;
  /** True when the report is older than three evaluation intervals: the evaluations have stopped. */
  readonly stale: boolean;
}

/** How old a report may be before it is stale: three evaluation intervals. */
export const READINESS_STALE_AFTER_MS = 3 * READINESS_INTERVAL_MINUTES * 60_000;

/** Counts a report's checks and judges its age at `now`. */
export function summarizeReadiness(report: ReadinessReport, now: number): ReadinessSummary {
  const by = (s: ReadinessStatus) => report.checks.filter((c) => c.status === s);
  const ageMs = Math.max(0, now - report.at);
  return {
    pass: by('pass').length,
    fail: by('fail').length,
    unknown: by('unknown').length,
    total: report.checks.length,
    failing: by('fail').map((c) => c.id),
    unknowns: by('unknown').map((c) => c.id),
    ageMs,
    stale: ageMs > READINESS_STALE_AFTER_MS,
  };
}

/**
 * The datapoints of a report: one metric per check named by its id, dimension `App`, 1 for a
 * pass and 0 for a fail. An `unknown` check publishes nothing: no data is not a pass.
 */
export function readinessMetricData(report: ReadinessReport): MetricDatum[] {
  return report.checks
    .filter((c) => c.status !== 'unknown')
    .map((c) => ({
      name: c.id,
      value: c.status === 'pass' ? 1 : 0,
      unit: 'None' as const,
      dimensions: { App: report.app },
      at: report.at,
    }));
}

/**
 * Stores a report under `stateKeys(app).readiness`, overwriting whatever version is there. A
 * version conflict (another evaluation wrote in between) is retried once, on the version then.
 * @returns the version written.
 */
export async function storeReadiness(store: StateStore, report: ReadinessReport): Promise<number> {
  const key = stateKeys(report.app).readiness;
  const write = async () => store.write(key, report, (await store.read<ReadinessReport>(key))?.version ?? 0);
  try {
    return await write();
  } catch (e) {
    if (!isVersionConflict(e)) throw e;
    return write();
  }
}

/** Reads the last stored report, if any. */
export async function readReadiness(store: StateStore, app: string): Promise<ReadinessReport | undefined> {
  return (await store.read<ReadinessReport>(stateKeys(app).readiness))?.value;
}
