import { parentPort, workerData } from 'node:worker_threads';
import { parseConfig, referenceConfig } from '@dr/failover-core';
import { runDrill } from '@dr/failover-core/drill';
import { drillAt } from './mix.js';

/** Runs drills `from` (inclusive) to `to` (exclusive) of the batch and reports what they did. */
const { from, to } = workerData as { from: number; to: number };
const config = parseConfig(referenceConfig);
const outcomes: Record<string, number> = {};
let maxPromotions = 0;
let unsafeSeconds = 0;
for (let i = from; i < to; i++) {
  const { seed, scenario } = drillAt(i);
  const r = await runDrill({ config, scenario, seed });
  const key = `${scenario}:${r.outcome}`;
  outcomes[key] = (outcomes[key] ?? 0) + 1;
  maxPromotions = Math.max(maxPromotions, r.actions.promoteReplica ?? 0);
  unsafeSeconds += r.unsafeTrafficSeconds;
}
parentPort?.postMessage({ outcomes, maxPromotions, unsafeSeconds });
