import { parentPort, workerData } from 'node:worker_threads';
import { parseConfig, referenceConfig } from '@dr/failover-core';
import { drillOperationFor, runDrill, type Invariants } from '@dr/failover-core/drill';
import { addInvariant, INVARIANT_KEYS } from './figures.js';
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
const sums = Object.fromEntries(INVARIANT_KEYS.map((key) => [key, 0])) as Record<keyof Invariants, number>;
for (let i = from; i < to; i++) {
  const { seed, scenario } = drillAt(i);
  const r = await runDrill({ config, operation: drillOperationFor(scenario), scenario, seed });
  const key = `${scenario}:${r.outcome}`;
  outcomes[key] = (outcomes[key] ?? 0) + 1;
  maxPromotions = Math.max(maxPromotions, r.actions.promoteReplica ?? 0);
  for (const invariant of INVARIANT_KEYS) sums[invariant] = addInvariant(invariant, sums[invariant], r.invariants[invariant]);
}
const result: ThroughputResult = { outcomes, maxPromotions, invariants: sums };
parentPort?.postMessage(result);
