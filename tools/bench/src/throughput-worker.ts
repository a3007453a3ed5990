import { parentPort, workerData } from 'node:worker_threads';
import { parseConfig, referenceConfig } from '@dr/failover-core';
import { drillOperationFor, runDrill, type Invariants } from '@dr/failover-core/drill';
import { drillAt } from './mix.js';

/** What one worker reports of its share of the batch. */
export interface ThroughputResult {
  readonly outcomes: Record<string, number>;
  readonly maxPromotions: number;
  /** Each invariant summed over the share (promotionsPerOperationMax: its maximum). */
  readonly invariants: Invariants;
}

/** Runs drills `from` (inclusive) to `to` (exclusive) of the batch and reports what they did. */
const { from, to } = workerData as { from: number; to: number };
const config = parseConfig(referenceConfig);
const outcomes: Record<string, number> = {};
let maxPromotions = 0;
const sums = { promotionsPerOperationMax: 0, unsafeTrafficSeconds: 0, bothWritableSeconds: 0, selfInflictedOutageSeconds: 0, leaseViolations: 0 };
for (let i = from; i < to; i++) {
  const { seed, scenario } = drillAt(i);
  const r = await runDrill({ config, operation: drillOperationFor(scenario), scenario, seed });
  const key = `${scenario}:${r.outcome}`;
  outcomes[key] = (outcomes[key] ?? 0) + 1;
  maxPromotions = Math.max(maxPromotions, r.actions.promoteReplica ?? 0);
  sums.promotionsPerOperationMax = Math.max(sums.promotionsPerOperationMax, r.invariants.promotionsPerOperationMax);
  sums.unsafeTrafficSeconds += r.invariants.unsafeTrafficSeconds;
  sums.bothWritableSeconds += r.invariants.bothWritableSeconds;
  sums.selfInflictedOutageSeconds += r.invariants.selfInflictedOutageSeconds;
  sums.leaseViolations += r.invariants.leaseViolations;
}
const result: ThroughputResult = { outcomes, maxPromotions, invariants: sums };
parentPort?.postMessage(result);
