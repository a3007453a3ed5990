import type { DrConfig, Operation } from '@dr/failover-core';
import { runDrill, type DrillOperation, type DrillReport } from '@dr/failover-core/drill';

/** What the latency model expects of a plan: each step's duration and the RTO, as medians and 90th percentiles. */
export interface Expectations {
  readonly drills: number;
  readonly steps: readonly { readonly id: string; readonly p50Seconds: number | null; readonly p90Seconds: number | null }[];
  readonly rto: { readonly p50Seconds: number | null; readonly p90Seconds: number | null };
}

/** The operations a single drill can time. */
const isDrillOperation = (operation: Operation): operation is DrillOperation => operation !== 'rebuild';

const quantile = (xs: readonly number[], q: number): number | null => {
  if (xs.length === 0) return null;
  const sorted = [...xs].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! * 10) / 10;
};

/**
 * Expected durations of an operation's plan on this config, from the simulator's latency model
 * (DESIGN.md's AWS timings): `drills` seeded drills of the operation, the plan's own steps timed.
 * No approval wait is counted: a person's response time is not the model's to guess.
 * @returns undefined for an operation no drill runs on its own (a rebuild: it is drilled only
 * inside a lifecycle, after the run that needs it), so its plan prints without durations.
 */
export async function expectations(config: DrConfig, operation: Operation, drills = 40): Promise<Expectations | undefined> {
  if (!isDrillOperation(operation)) return undefined;
  const plain: DrConfig = { ...config, approval: { ...config.approval, required: false } };
  const reports: DrillReport[] = [];
  // The plan printed is the operator's: a failover started by `dr failover`, not the controller's
  // (which detects, then confirms the impairment before it commits).
  for (let seed = 1; seed <= drills; seed++)
    reports.push(await runDrill({ config: plain, operation, seed, force: true, startedBy: 'operator' }));
  const ids = reports[0]?.steps.map((s) => s.id) ?? [];
  return {
    drills,
    steps: ids.map((id) => {
      const times = reports.flatMap((r) =>
        r.steps.filter((s) => s.id === id && s.startSeconds !== null && s.endSeconds !== null).map((s) => s.endSeconds! - s.startSeconds!),
      );
      return { id, p50Seconds: quantile(times, 0.5), p90Seconds: quantile(times, 0.9) };
    }),
    rto: {
      p50Seconds: quantile(
        reports.flatMap((r) => (r.rtoSeconds === null ? [] : [r.rtoSeconds])),
        0.5,
      ),
      p90Seconds: quantile(
        reports.flatMap((r) => (r.rtoSeconds === null ? [] : [r.rtoSeconds])),
        0.9,
      ),
    },
  };
}
