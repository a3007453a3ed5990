import { Worker } from 'node:worker_threads';
import type { Job, JobResult } from './jobs.js';

type Reply = { readonly ok: true; readonly result: JobResult } | { readonly ok: false; readonly error: string };

/**
 * Runs jobs on `workers` worker threads (`drill-worker.js`, built beside this file), handing
 * each thread the next job as soon as it is free, so long lifecycles do not leave threads idle.
 * Results come back in the order of `jobs`.
 */
export async function runPool(jobs: readonly Job[], workers: number, onDone?: (done: number) => void): Promise<JobResult[]> {
  const results = new Array<JobResult>(jobs.length);
  let next = 0;
  let done = 0;
  const threads = Math.max(1, Math.min(workers, jobs.length));
  await Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise<void>((resolve, reject) => {
          const worker = new Worker(new URL('./drill-worker.js', import.meta.url));
          let current = -1;
          const feed = () => {
            if (next >= jobs.length) {
              void worker.terminate().then(() => resolve());
              return;
            }
            current = next++;
            worker.postMessage(jobs[current]);
          };
          worker.on('message', (reply: Reply) => {
            if (!reply.ok) {
              void worker.terminate();
              reject(new Error(reply.error));
              return;
            }
            results[current] = reply.result;
            onDone?.(++done);
            feed();
          });
          worker.once('error', reject);
          feed();
        }),
    ),
  );
  return results;
}
