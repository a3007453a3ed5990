/**
 * Benchmark 10: the two data tiers side by side. The default region-outage drill on the RDS-replica
 * tier and on the Aurora global database tier, in one run with the same seeds and the same detection
 * settings (the reference topology of each tier differs only in its database), where each tier's RTO
 * goes, the Aurora figure with the DR compute kept warm (a different configuration, printed apart),
 * and the lifecycle drill on the Aurora tier with every invariant.
 */
import { parseConfig, referenceAuroraConfig, type DataTierName } from '@dr/failover-core';
import { DEFAULT_SEQUENCE } from '@dr/failover-core/drill';
import type { SuiteOptions } from './drill-suites.js';
import { invariantFigures, invariantLines, outcomeCounts } from './figures.js';
import { f1 } from './format.js';
import type { Job, JobResult } from './jobs.js';
import { stats } from './mix.js';
import { runPool } from './pool.js';
import { tierCosts } from './tier-costs.js';

/** The issue's aim for the Aurora tier: RTO p50 at most this, detection included. */
const AURORA_RTO_AIM_SECONDS = 150;

/** The figures of one batch of region-outage drills. */
function tierFigures(runs: readonly JobResult[]) {
  const of = (pick: (r: JobResult) => number | null | undefined) => stats(runs.map(pick).filter((x): x is number => typeof x === 'number'));
  return {
    outcomes: outcomeCounts(runs.map((r) => r.outcome)),
    rto: of((r) => r.operations[0]?.rtoSeconds),
    rpo: of((r) => r.operations[0]?.rpoSeconds),
    detect: of((r) => r.detection?.detectSeconds),
    toCommit: of((r) => r.detection?.toCommitSeconds),
    promotion: of((r) => r.detection?.awsPromotionSeconds),
    ready: of((r) => r.detection?.awsReadySeconds),
    broken: runs.filter((r) => Object.values(r.invariants).some((v, i) => (i === 0 ? v > 1 : v > 0))).length,
  };
}

function printTier(label: string, runs: readonly JobResult[]): ReturnType<typeof tierFigures> {
  const t = tierFigures(runs);
  console.log(`   ${label.padEnd(34)} ${runs.length} seeds: ${t.outcomes}; ${t.broken} with an invariant broken`);
  console.log(
    `     RTO p50 ${f1(t.rto.p50)} s, p95 ${f1(t.rto.p95)} s · RPO p50 ${f1(t.rpo.p50)} s, p95 ${f1(t.rpo.p95)} s · detect p50 ${f1(t.detect.p50)} s`,
  );
  console.log(
    `     where it goes (p50): detect ${f1(t.detect.p50)} s → commit step ${f1(t.toCommit.p50)} s after the trigger (confirmation, prepare) → AWS promotion ${f1(t.promotion.p50)} s (p95 ${f1(t.promotion.p95)}); AWS ready (DB, targets, GA) ${f1(t.ready.p50)} s after the trigger`,
  );
  return t;
}

/** Benchmark 10: see the file's comment. */
export async function dataTiers({ seeds, workers }: SuiteOptions): Promise<void> {
  const lifeSeeds = Math.min(seeds, 100);
  const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  const detection = parseConfig(referenceAuroraConfig).detection;
  // The shortest confirmation the config allows: the detector's own verdict (interval × failureThreshold).
  const confirmFloor = detection.intervalSeconds * detection.failureThreshold;
  const drill = (tier: DataTierName, extra: Pick<Extract<Job, { kind: 'drill' }>, 'warmStandby' | 'confirmSeconds'> = {}) =>
    range(seeds).map((seed): Job => ({ kind: 'drill', scenario: 'region-outage', seed, tier, ...extra }));
  const jobs: Job[] = [
    ...range(lifeSeeds).map((seed): Job => ({ kind: 'lifecycle', scenario: 'region-outage', seed, tier: 'aurora-global' })),
    ...drill('rds-replica'),
    ...drill('aurora-global'),
    ...drill('aurora-global', { warmStandby: true }),
    ...drill('rds-replica', { confirmSeconds: confirmFloor }),
    ...drill('aurora-global', { confirmSeconds: confirmFloor }),
  ];
  const started = performance.now();
  const results = await runPool(jobs, workers);
  const seconds = (performance.now() - started) / 1000;
  const pick = (tier: DataTierName, kind: Job['kind'], variant: 'default' | 'warm' | 'confirm-floor' = 'default') =>
    results.filter((_, i) => {
      const job = jobs[i]!;
      if (job.tier !== tier || job.kind !== kind) return false;
      if (job.kind !== 'drill') return true;
      const of = job.warmStandby ? 'warm' : job.confirmSeconds !== undefined ? 'confirm-floor' : 'default';
      return of === variant;
    });
  console.log(
    `\n10. Data tiers side by side: the default region-outage drill, seeds 1–${seeds} on each tier, same seeds and detection (quorum ${detection.quorum} of ${detection.signals.join(', ')}, confirmSeconds ${detection.confirmSeconds} s); ${jobs.length} jobs in ${seconds.toFixed(1)} s wall on ${workers} worker thread(s)`,
  );
  printTier('rds-replica (read replica promotion)', pick('rds-replica', 'drill'));
  const aurora = printTier('aurora-global (FailoverGlobalCluster)', pick('aurora-global', 'drill'));
  console.log(
    `     aim: Aurora RTO p50 ≤ ${AURORA_RTO_AIM_SECONDS} s including detection — ${aurora.rto.p50 <= AURORA_RTO_AIM_SECONDS ? 'met' : `NOT met (p50 ${f1(aurora.rto.p50)} s)`}`,
  );
  printTier('aurora-global, DR compute kept warm', pick('aurora-global', 'drill', 'warm'));
  console.log(
    `     (warm standby: the DR Auto Scaling group runs at its desired capacity all the time — another configuration, not the pilot light, shown for comparison)`,
  );
  console.log(
    `\n   With confirmSeconds ${confirmFloor} s (the floor: the detector's own verdict, no wait after it; a setting that trades away the window in which a blip recovers by itself, shown for comparison):`,
  );
  printTier(`rds-replica, confirmSeconds ${confirmFloor}`, pick('rds-replica', 'drill', 'confirm-floor'));
  printTier(`aurora-global, confirmSeconds ${confirmFloor}`, pick('aurora-global', 'drill', 'confirm-floor'));
  const lives = pick('aurora-global', 'lifecycle');
  console.log(
    `\n   Aurora lifecycle drill (${DEFAULT_SEQUENCE.join(',')}), ${lives.length} seeds: ${outcomeCounts(lives.map((r) => r.outcome))}`,
  );
  console.log(`     pilotLightRestored ${lives.filter((r) => r.pilotLightRestored === true).length}/${lives.length}`);
  for (const line of invariantLines(invariantFigures(lives), '     ')) console.log(line);
  const notKept = lives.reduce((a, r) => a + (r.lostWritesNotKept ?? 0), 0);
  console.log(
    `     ${'lostWritesSnapshotsNotKept'.padEnd(27)} sum ${String(notKept).padStart(6)}  (snapshots of old volumes a failback or rebuild did not copy)`,
  );
  tierCosts(['rds-replica', 'aurora-global']);
}
