import { parentPort } from 'node:worker_threads';
import { parseConfig, referenceAuroraConfig, referenceConfig } from '@dr/failover-core';
import { runJob, type Job } from './jobs.js';

/** A worker of the pool (`src/pool.ts`): runs each job it is sent, on the reference topology of its tier, and posts back its result. */
const configs = { 'rds-replica': parseConfig(referenceConfig), 'aurora-global': parseConfig(referenceAuroraConfig) };
parentPort?.on('message', (job: Job) => {
  runJob(configs[job.tier ?? 'rds-replica'], job).then(
    (result) => parentPort?.postMessage({ ok: true, result }),
    (e: unknown) =>
      parentPort?.postMessage({
        ok: false,
        error: `${job.kind} ${job.scenario} seed ${job.seed}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
      }),
  );
});
