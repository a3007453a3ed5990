/**
 * Benchmarks that run the drills in bulk across worker threads and check every invariant: the
 * lifecycle over many seeds with chaos (7), and each failure scenario as single drills and
 * inside a lifecycle (8). What did not hold is printed with its seed, to replay it.
 */
import {
  brokenInvariants,
  DEFAULT_SEQUENCE,
  drillOperationFor,
  RETURN_GRACE_MS,
  type DrillChaos,
  type Scenario,
} from '@dr/failover-core/drill';
import { exposureLine, invariantFigures, invariantLines, outcomeCounts, rtoByOperation, whatWentWrong } from './figures.js';
import { f1 } from './format.js';
import type { Job, JobResult } from './jobs.js';
import { stats } from './mix.js';
import { runPool } from './pool.js';

/** What the suites are run with: seeds, worker threads, and the lifecycle's chaos. */
export interface SuiteOptions {
  readonly seeds: number;
  readonly workers: number;
  readonly chaos: DrillChaos;
}

/** Prints, for each result that did not hold, what went wrong (up to `limit`). */
function failures(results: readonly JobResult[], held: (r: JobResult) => boolean, indent: string, limit = 10): void {
  const bad = results.filter((r) => !held(r));
  for (const r of bad.slice(0, limit)) console.log(`${indent}seed ${r.seed}: ${whatWentWrong(r)}`);
  if (bad.length > limit) console.log(`${indent}… and ${bad.length - limit} more seeds`);
}

/** Benchmark 7: the lifecycle drill over many seeds, with crashing, overlapping controller invocations. */
export async function lifecycles({ seeds, workers, chaos }: SuiteOptions): Promise<void> {
  const jobs: Job[] = Array.from({ length: seeds }, (_, i) => ({ kind: 'lifecycle', scenario: 'region-outage', seed: i + 1, chaos }));
  const started = performance.now();
  const results = await runPool(jobs, workers);
  const seconds = (performance.now() - started) / 1000;
  const completed = results.filter((r) => r.outcome === 'completed').length;
  const restored = results.filter((r) => r.pilotLightRestored === true).length;
  const crashes = results.reduce((a, r) => a + r.crashes, 0);
  const invocations = results.reduce((a, r) => a + r.invocations, 0);
  const simulated = stats(results.map((r) => r.simulatedSeconds ?? 0));
  console.log(`\n7. Lifecycle drill, ${seeds} seeds: ${DEFAULT_SEQUENCE.join(',')}; scenario region-outage on the first failover`);
  console.log(
    `   chaos: crashRate ${chaos.crashRate} (an invocation that drives a run crashes mid-run), lostResponseRate ${chaos.lostResponseRate} (a call takes effect, its answer is lost); invocations overlap (EventBridge every minute), always`,
  );
  console.log(
    `   ${seconds.toFixed(1)} s wall on ${Math.min(workers, seeds)} worker thread(s), ${(seconds / seeds).toFixed(2)} s per lifecycle; each covers ${(simulated.mean / 3600).toFixed(1)} h of virtual time (mean)`,
  );
  console.log(`   ${crashes} controller and operator crashes over ${invocations} controller invocations`);
  console.log(`   completed ${completed}/${seeds}; pilotLightRestored ${restored}/${seeds}`);
  for (const line of invariantLines(invariantFigures(results))) console.log(line);
  console.log(`   returnExposureSeconds: ${exposureLine(results)}`);
  console.log(
    `     (the window an old primary is writable right after its region returns, before the controller's next look can fence it; excused up to ${RETURN_GRACE_MS / 1000} s, beyond that it counts as bothWritableSeconds)`,
  );
  for (const r of rtoByOperation(results))
    console.log(`   RTO ${r.operation.padEnd(10)} p50 ${f1(r.p50)} s, p95 ${f1(r.p95)} s, max ${f1(r.max)} s (${r.n} completed runs)`);
  failures(results, (r) => r.outcome === 'completed' && r.pilotLightRestored === true, '   ');
}

/** The new failure scenarios, and the one the issue cites, each as single drills and inside a lifecycle. */
const FAILURE_SCENARIOS: readonly Scenario[] = [
  'promotion-failure',
  'target-fails-mid-switchover',
  'late-approval',
  'late-state-writes',
  'capacity-lost-after-promotion',
];
/** How a single drill of each scenario should end (SCENARIO_DESCRIPTIONS): any other outcome is printed with its seed. */
const EXPECTED_OUTCOME: Readonly<Record<string, string>> = {
  'promotion-failure': 'rolled-back',
  'target-fails-mid-switchover': 'rolled-back',
  'late-approval': 'refused',
  'late-state-writes': 'completed',
  'capacity-lost-after-promotion': 'completed',
};

/** Benchmark 8: each failure scenario as single drills (up to 300 seeds) and inside a lifecycle (up to 100). */
export async function failureScenarios({ seeds, workers }: SuiteOptions): Promise<void> {
  const drillSeeds = Math.min(seeds, 300);
  const lifeSeeds = Math.min(seeds, 100);
  const jobs: Job[] = FAILURE_SCENARIOS.flatMap((scenario): Job[] => [
    ...Array.from({ length: drillSeeds }, (_, i): Job => ({ kind: 'drill', scenario, seed: i + 1 })),
    ...Array.from({ length: lifeSeeds }, (_, i): Job => ({ kind: 'lifecycle', scenario, seed: i + 1 })),
  ]);
  // Lifecycles first: the longest jobs start early and the short drills fill the gaps at the end.
  jobs.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'lifecycle' ? -1 : 1));
  const started = performance.now();
  const results = await runPool(jobs, workers);
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `\n8. Failure scenarios: ${drillSeeds} seeds as single drills, ${lifeSeeds} seeds inside a lifecycle (${DEFAULT_SEQUENCE.join(',')}); no chaos beyond the scenario; invocations overlap`,
  );
  console.log(`   ${seconds.toFixed(1)} s wall on ${workers} worker thread(s) for ${jobs.length} jobs`);
  console.log(
    `   selfInflictedOutageSeconds and bothWritableSeconds must be 0 (audited over the whole drill, run and the 30 min after it)`,
  );
  for (const scenario of FAILURE_SCENARIOS) {
    const drills = results.filter((r) => r.scenario === scenario && r.kind === 'drill');
    const lives = results.filter((r) => r.scenario === scenario && r.kind === 'lifecycle');
    const expected = EXPECTED_OUTCOME[scenario];
    console.log(
      `\n   ${scenario} (${drillOperationFor(scenario)}), ${drills.length} single drills: ${outcomeCounts(drills.map((r) => r.outcome))} (expected: ${expected})`,
    );
    for (const line of invariantLines(invariantFigures(drills), '     ')) console.log(line);
    console.log(`     returnExposureSeconds: ${exposureLine(drills)}`);
    failures(drills, (r) => r.outcome === expected && brokenInvariants(r.invariants).length === 0, '     ! ', 5);
    console.log(
      `     in a lifecycle, ${lives.length} seeds: completed ${lives.filter((r) => r.outcome === 'completed').length}/${lives.length}, pilotLightRestored ${lives.filter((r) => r.pilotLightRestored === true).length}/${lives.length}; the operation it applied to: ${outcomeCounts(lives.map((r) => r.operations.find((o) => o.scenario !== null)?.outcome ?? 'not applied'))}`,
    );
    for (const line of invariantLines(invariantFigures(lives), '       ')) console.log(line);
    console.log(`       returnExposureSeconds: ${exposureLine(lives)}`);
    failures(lives, (r) => r.outcome === 'completed' && r.pilotLightRestored === true, '       ! ', 5);
  }
}
