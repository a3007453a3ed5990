import type { DrConfig } from '../config/schema.js';
import type { Operation } from '../plan/types.js';
import { quantile } from '../util/quantile.js';
import { roundTenths } from '../util/tenths.js';
import type { DrillReport } from './report.js';
import { runDrill, type DrillOperation } from './run-drill.js';

/** What the latency model expects of a plan: each step's duration and the RTO, as medians and 90th percentiles (seconds, to a tenth). */
export interface Expectations {
  /** How many simulated drills the figures come from. */
  readonly drills: number;
  readonly steps: readonly { readonly id: string; readonly p50Seconds: number | null; readonly p90Seconds: number | null }[];
  readonly rto: { readonly p50Seconds: number | null; readonly p90Seconds: number | null };
}

/** The operations a single drill can time. */
const isDrillOperation = (operation: Operation): operation is DrillOperation => operation !== 'rebuild';

/** The median and 90th percentile of a sample, to a tenth. */
function p50p90(xs: readonly number[]): { readonly p50Seconds: number | null; readonly p90Seconds: number | null } {
  const at = (q: number) => {
    const v = quantile(xs, q);
    return v === null ? null : roundTenths(v);
  };
  return { p50Seconds: at(0.5), p90Seconds: at(0.9) };
}

/** The seconds each finished run of step `id` took, across the reports. */
const stepSeconds = (reports: readonly DrillReport[], id: string): number[] =>
  reports.flatMap((r) =>
    r.steps.filter((s) => s.id === id && s.startSeconds !== null && s.endSeconds !== null).map((s) => s.endSeconds! - s.startSeconds!),
  );

/**
 * Expected durations of an operation's plan on this config, from the simulator's latency model
 * (DESIGN.md's AWS timings): `drills` seeded drills (seeds 1 to `drills`) of the operation, the
 * plan's own steps timed. No approval wait is counted: a person's response time is not the
 * model's to guess. Deterministic for a config.
 * @returns undefined for an operation no drill runs on its own (a rebuild: it is drilled only
 * inside a lifecycle, after the run that needs it), so its plan shows without durations.
 */
export async function expectations(config: DrConfig, operation: Operation, drills = 40): Promise<Expectations | undefined> {
  if (!Number.isInteger(drills) || drills < 1) throw new RangeError(`expectations: drills must be a whole number from 1; got ${drills}`);
  if (!isDrillOperation(operation)) return undefined;
  const plain: DrConfig = { ...config, approval: { ...config.approval, required: false } };
  const reports: DrillReport[] = [];
  // The plan shown is the operator's: a failover started by `dr failover`, not the controller's
  // (which detects, then confirms the impairment before it commits).
  for (let seed = 1; seed <= drills; seed++)
    reports.push(await runDrill({ config: plain, operation, seed, force: true, startedBy: 'operator' }));
  const ids = reports[0]?.steps.map((s) => s.id) ?? [];
  return {
    drills,
    steps: ids.map((id) => ({ id, ...p50p90(stepSeconds(reports, id)) })),
    rto: p50p90(reports.flatMap((r) => (r.rtoSeconds === null ? [] : [r.rtoSeconds]))),
  };
}
