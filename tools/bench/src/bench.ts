import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { parseConfig, referenceConfig } from '@dr/failover-core';
import type { LatencyModel } from '@dr/failover-core/sim';
import { brokenInvariants, roundTenths, runDrill, type DrillChaos, type Scenario } from '@dr/failover-core/drill';
import { runBriefBaseline } from './brief-baseline.js';
import { invariantFigures, invariantLines, outcomeCounts } from './figures.js';
import type { Job } from './jobs.js';
import { stats } from './mix.js';
import type { ThroughputResult } from './throughput-worker.js';
import { runPool } from './pool.js';
import { failureScenarios, lifecycles } from './drill-suites.js';
import { dataTiers } from './tiers.js';
import { f1 } from './format.js';
import { cliStartup, lambdaBundles, synthTime } from './process-timings.js';

/**
 * Benchmarks of the engine on the simulator (figures for the issue notes):
 *  1. throughput: N drills with random seeds and scenarios, across worker threads;
 *  2. orchestration overhead of the default region-outage drill: RTO − (time to detect + the
 *     longest AWS operation on the critical path, the promotion as AWS timed it);
 *  3. our plan against the original brief's approach, same seeds and latency model;
 *  4. synth time of the reference app;
 *  5. the Lambda bundles: size, and cold module-load time in fresh `node` processes;
 *  6. start-up of the `dr` command: `dr --help` and `dr drill` as whole processes;
 *  7. the lifecycle drill over `--seeds` seeds, invocations overlapped and crashing: every invariant;
 *  8. each new failure scenario as single drills (up to 300 seeds) and inside a lifecycle (up to 100);
 *  9. detection: time to detect and RTO (region outage and ALB 5xx, `--seeds` seeds), promotions for
 *     faults that end after 30–300 s (300 seeds each), flapping and lossy probes (`--flap-seeds`),
 *     maintenance reboots, late and duplicated schedule deliveries;
 * 10. the data tiers side by side: the region-outage drill on the RDS-replica and the Aurora tier (same
 *     seeds, same detection), where the RTO goes, and the Aurora lifecycle drill with every invariant.
 * `--only 4,5` runs some of them.
 */
const { values } = parseArgs({
  options: {
    drills: { type: 'string', default: '10000' },
    workers: { type: 'string', default: String(availableParallelism()) },
    seeds: { type: 'string', default: '500' },
    only: { type: 'string', default: '1,2,3,4,5,6,7,8,9,10' },
    'flap-seeds': { type: 'string', default: '10000' },
    'crash-rate': { type: 'string', default: '0.2' },
    'lost-response-rate': { type: 'string', default: '0.02' },
  },
});
const only = new Set(values.only.split(',').map((x) => x.trim()));
const drills = Number(values.drills);
const workers = Math.max(1, Number(values.workers));
const seeds = Number(values.seeds);
const config = parseConfig(referenceConfig);
const chaos: DrillChaos = { crashRate: Number(values['crash-rate']), lostResponseRate: Number(values['lost-response-rate']) };

async function throughput(): Promise<void> {
  const started = performance.now();
  const share = Math.ceil(drills / workers);
  const results = await Promise.all(
    Array.from(
      { length: workers },
      (_, w) =>
        new Promise<ThroughputResult>((resolve, reject) => {
          const worker = new Worker(new URL('./throughput-worker.js', import.meta.url), {
            workerData: { from: w * share, to: Math.min(drills, (w + 1) * share) },
          });
          worker.once('message', resolve);
          worker.once('error', reject);
        }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  const outcomes: Record<string, number> = {};
  for (const r of results) for (const [k, v] of Object.entries(r.outcomes)) outcomes[k] = (outcomes[k] ?? 0) + v;
  console.log(
    `\n1. Throughput: ${drills} drills (random seeds, all ${new Set(Object.keys(outcomes).map((k) => k.split(':')[0])).size} scenarios) on ${workers} worker thread(s)`,
  );
  console.log(`   ${seconds.toFixed(1)} s wall, ${(drills / seconds).toFixed(0)} drills/s`);
  const sum = (k: keyof ThroughputResult['invariants']) => roundTenths(results.reduce((a, r) => a + r.invariants[k], 0));
  console.log(
    `   most promotions in one drill: ${Math.max(...results.map((r) => r.maxPromotions))} (in one run: ${Math.max(...results.map((r) => r.invariants.promotionsPerOperationMax))})`,
  );
  console.log(
    `   audited over both regions, summed: unsafe traffic ${sum('unsafeTrafficSeconds')} s, both writable ${sum('bothWritableSeconds')} s, self-inflicted outage ${sum('selfInflictedOutageSeconds')} s, lease violations ${sum('leaseViolations')}`,
  );
  for (const [k, v] of Object.entries(outcomes).sort()) console.log(`   ${k.padEnd(44)} ${v}`);
}

async function overhead(): Promise<void> {
  const over: number[] = [];
  const promotionOnly: number[] = [];
  let first: { rto: number; detect: number; ready: number; promotion: number } | undefined;
  for (let seed = 1; seed <= seeds; seed++) {
    const r = await runDrill({ config, seed });
    if (r.rtoSeconds === null || r.detectSeconds === null || r.awsReadySeconds === null || r.awsPromotionSeconds === null)
      throw new Error(`seed ${seed}: drill did not complete`);
    over.push(r.rtoSeconds - r.detectSeconds - r.awsReadySeconds);
    promotionOnly.push(r.rtoSeconds - r.detectSeconds - r.awsPromotionSeconds);
    first ??= { rto: r.rtoSeconds, detect: r.detectSeconds, ready: r.awsReadySeconds, promotion: r.awsPromotionSeconds };
  }
  const s = stats(over);
  const p = stats(promotionOnly);
  console.log(
    `\n2. Orchestration overhead, default region-outage drill: RTO − (time to detect + the longest AWS operation on the critical path)`,
  );
  console.log(
    `   The AWS side ends when the promoted database is writable, the desired targets are healthy and Global Accelerator sees the endpoint healthy.`,
  );
  console.log(
    `   seed 1: RTO ${f1(first?.rto)} s − (detect ${f1(first?.detect)} s + AWS ${f1(first?.ready)} s, of which promotion ${f1(first?.promotion)} s) = ${f1(over[0])} s`,
  );
  console.log(`   ${seeds} seeds: mean ${f1(s.mean)} s, p50 ${f1(s.p50)} s, p95 ${f1(s.p95)} s, max ${f1(s.max)} s (virtual seconds)`);
  console.log(
    `   counting the promotion alone as the AWS side: mean ${f1(p.mean)} s, p95 ${f1(p.p95)} s, max ${f1(p.max)} s (the rest is capacity or GA health arriving after the promotion)`,
  );
}

async function versusBrief(latency: Partial<LatencyModel>, label: string): Promise<void> {
  const ours: number[] = [];
  const brief: number[] = [];
  const ratios: number[] = [];
  const detect: number[] = [];
  let briefUnsafe = 0;
  let briefUnsafeRuns = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    const [o, b] = await Promise.all([runDrill({ config, seed, latency }), runBriefBaseline(config, seed, 'region-outage', latency)]);
    if (o.rtoSeconds === null || b.rtoSeconds === null) throw new Error(`seed ${seed}: a run did not complete`);
    ours.push(o.rtoSeconds);
    brief.push(b.rtoSeconds);
    ratios.push(b.rtoSeconds / o.rtoSeconds);
    detect.push(o.detectSeconds ?? Number.NaN);
    briefUnsafe += b.unsafeTrafficSeconds;
    if (b.unsafeTrafficSeconds > 0) briefUnsafeRuns++;
  }
  let oursSpurious = 0;
  let briefSpurious = 0;
  for (let seed = 1; seed <= Math.min(seeds, 200); seed++) {
    const [o, b] = await Promise.all([
      runDrill({ config, seed, scenario: 'flapping-probe', latency }),
      runBriefBaseline(config, seed, 'flapping-probe', latency),
    ]);
    if (o.outcome !== 'not-triggered') oursSpurious++;
    if (b.triggered) briefSpurious++;
  }
  const so = stats(ours);
  const sb = stats(brief);
  const sr = stats(ratios);
  console.log(
    `\n3${label}. Our plan against the brief's approach (region outage, same seed and latency model${label ? `; ${JSON.stringify(latency)}` : ''})`,
  );
  console.log(`   our time to detect: mean ${f1(stats(detect).mean)} s, max ${f1(stats(detect).max)} s`);
  console.log(`   seed 1: ours RTO ${f1(ours[0])} s, brief RTO ${f1(brief[0])} s, ratio ${f1(ratios[0])}×`);
  console.log(
    `   ${seeds} seeds: ours mean ${f1(so.mean)} s (p95 ${f1(so.p95)}), brief mean ${f1(sb.mean)} s (p95 ${f1(sb.p95)}), ratio mean ${sr.mean.toFixed(2)}× (min ${sr.min.toFixed(2)}×)`,
  );
  console.log(
    `   brief: ${briefUnsafeRuns}/${seeds} runs sent users to the DR region while its database was read-only (${briefUnsafe} s in all); ours: 0 by construction and by audit`,
  );
  console.log(`   flapping probe, ${Math.min(seeds, 200)} seeds: spurious failovers — ours ${oursSpurious}, brief ${briefSpurious}`);
}

/**
 * The RTO of the default region-outage drill before issue 13 (detection by quorum with Global Accelerator's own 30 s checks), for
 * comparison.
 */
const RTO_P50_BEFORE_ISSUE_13 = 479;

async function detection(): Promise<void> {
  const curveSeeds = Math.min(seeds, 300);
  const flapSeeds = Number(values['flap-seeds']);
  const lengths = [30, 60, 90, 120, 180, 300];
  const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  const jobs: Job[] = [
    ...(['region-outage', 'alb-5xx'] as const).flatMap((scenario) => range(seeds).map((seed): Job => ({ kind: 'drill', scenario, seed }))),
    ...(['region-outage', 'alb-5xx'] as const).flatMap((scenario) =>
      lengths.flatMap((outageSeconds) => range(curveSeeds).map((seed): Job => ({ kind: 'drill', scenario, seed, outageSeconds }))),
    ),
    ...range(flapSeeds).map((seed): Job => ({ kind: 'drill', scenario: 'flapping-probe', seed })),
    ...range(seeds).map((seed): Job => ({ kind: 'drill', scenario: 'maintenance-reboot', seed })),
    ...range(curveSeeds).map((seed): Job => ({
      kind: 'drill',
      scenario: 'region-outage',
      seed,
      chaos: { lateTickRate: 0.1, duplicateTickRate: 0.1 },
    })),
  ];
  const started = performance.now();
  const results = await runPool(jobs, workers);
  const seconds = (performance.now() - started) / 1000;
  const confirm = config.detection.confirmSeconds;
  console.log(
    `\n9. Detection (detection.confirmSeconds ${confirm} s, quorum ${config.detection.quorum} of ${config.detection.signals.join(', ')}); ${jobs.length} drills in ${seconds.toFixed(1)} s wall on ${workers} worker thread(s)`,
  );
  const pick = (scenario: Scenario, outage?: number, late = false) =>
    results.filter(
      (r, i) =>
        r.scenario === scenario &&
        (jobs[i] as { outageSeconds?: number }).outageSeconds === outage &&
        (jobs[i]!.chaos !== undefined) === late,
    );
  for (const scenario of ['region-outage', 'alb-5xx'] as const) {
    const runs = pick(scenario);
    const detect = stats(runs.map((r) => r.detection?.detectSeconds ?? Number.NaN).filter(Number.isFinite));
    const rto = stats(runs.map((r) => r.operations[0]?.rtoSeconds ?? Number.NaN).filter(Number.isFinite));
    const error = stats(runs.map((r) => r.detection?.impairmentErrorSeconds ?? Number.NaN).filter(Number.isFinite));
    console.log(`   ${scenario}, ${runs.length} seeds: ${outcomeCounts(runs.map((r) => r.outcome))}`);
    console.log(`     time to detect p50 ${f1(detect.p50)} s, p95 ${f1(detect.p95)} s, max ${f1(detect.max)} s`);
    console.log(
      `     RTO p50 ${f1(rto.p50)} s, p95 ${f1(rto.p95)} s, max ${f1(rto.max)} s${scenario === 'region-outage' ? ` (before issue 13: p50 ${RTO_P50_BEFORE_ISSUE_13} s)` : ''}`,
    );
    console.log(`     impairment start, estimate − actual: p50 ${f1(error.p50)} s, max ${f1(error.max)} s, min ${f1(error.min)} s`);
  }
  console.log(`   faults that end by themselves, ${curveSeeds} seeds each: promotions / runs started after recovery / outcomes`);
  for (const scenario of ['region-outage', 'alb-5xx'] as const) {
    for (const length of lengths) {
      const runs = pick(scenario, length);
      const promoted = runs.filter((r) => r.detection?.promoted).length;
      const late = runs.filter((r) => r.detection?.startedAfterRecovery).length;
      const bar = '#'.repeat(Math.round((promoted / runs.length) * 30)).padEnd(30, '.');
      console.log(
        `     ${scenario.padEnd(13)} ${String(length).padStart(3)} s ${length < confirm ? '<' : '≥'} confirm  ${bar} ${String(promoted).padStart(3)} promoted, ${late} late  (${outcomeCounts(runs.map((r) => r.outcome))})`,
      );
    }
  }
  const flapping = pick('flapping-probe');
  console.log(
    `   flapping probe (half the probes lost at random), ${flapping.length} seeds: ${flapping.filter((r) => r.detection?.promoted).length} promotions, ${flapping.filter((r) => r.outcome !== 'not-triggered').length} runs started (${outcomeCounts(flapping.map((r) => r.outcome))})`,
  );
  const maintenance = pick('maintenance-reboot');
  console.log(
    `   maintenance reboot of the primary database (1–5 min), ${maintenance.length} seeds: ${maintenance.filter((r) => r.detection?.promoted).length} promotions, ${maintenance.filter((r) => r.outcome !== 'not-triggered').length} runs started`,
  );
  const late = pick('region-outage', undefined, true);
  console.log(
    `   region outage with 10 % of schedule deliveries late (1 min – 6 h) and 10 % twice, ${late.length} seeds: ${outcomeCounts(late.map((r) => r.outcome))}; max promotions in one drill ${Math.max(...late.map((r) => r.invariants.promotionsPerOperationMax))}; ${late.filter((r) => brokenInvariants(r.invariants).length > 0).length} with an invariant broken`,
  );
  for (const line of invariantLines(invariantFigures(results), '   ')) console.log(line);
}

console.log(`dr benchmarks — node ${process.version}, ${availableParallelism()} cores`);
if (only.has('4')) await synthTime();
if (only.has('1')) await throughput();
if (only.has('2')) await overhead();
if (only.has('3')) {
  await versusBrief({}, '');
  // ALB target health checked every 30 s (its default) instead of the constructs' 5 s: Global Accelerator follows it.
  await versusBrief({ albHealthIntervalMs: 30_000 }, 'b');
}
if (only.has('5')) await lambdaBundles();
if (only.has('6')) await cliStartup();
if (only.has('7')) await lifecycles({ seeds, workers, chaos });
if (only.has('8')) await failureScenarios({ seeds, workers, chaos });
if (only.has('9')) await detection();
if (only.has('10')) await dataTiers({ seeds, workers, chaos });
