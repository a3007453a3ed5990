import { parentPort } from 'node:worker_threads';
import { parseConfig, referenceConfig } from '@dr/failover-core';
import { runJob, type Job } from './jobs.js';

/** A worker of the pool (`src/pool.ts`): runs each job it is sent and posts back its result. */
const config = parseConfig(referenceConfig);
parentPort?.on('message', (job: Job) => {
  runJob(config, job).then(
    (result) => parentPort?.postMessage({ ok: true, result }),
    (e: unknown) =>
      parentPort?.postMessage({
        ok: false,
        error: `${job.kind} ${job.scenario} seed ${job.seed}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
      }),
  );
});
