/**
 * How the lifecycle checks drive the world: the controller invoked as its schedule would, and
 * `dr` as an operator runs it, each until it has done what it was asked, with the time it took.
 */
import { expect, it } from 'vitest';
import { describeWorld } from './expectations.js';
import type { CliRun, Invocation, LifecycleWorld } from './world.js';

/**
 * One controller invocation's deadline: long enough for detection (10 s) and a whole failover
 * (the handler hands a run over 20 s before its deadline; the next invocation would resume it).
 */
export const INVOCATION_MS = 90_000;
/** How long `dr` waits before trying again when it finds the lease held. */
export const LEASE_RETRY_MS = 6_000;
/** How long each operation took, printed at the end. */
export const timings: string[] = [];

/** What an invocation said, for a failed expectation. */
export const said = (runs: readonly Invocation[]) =>
  runs
    .map(
      (r) =>
        `${JSON.stringify(r.result ?? r.error)} in ${r.elapsedMs} ms; ${r.logs
          .filter((l) => l.level !== 'INFO' || l.message !== 'probed the primary region')
          .map((l) => `${String(l.level)} ${String(l.message)}${l.step ? ` (${String(l.step)}, ${String(l.event)})` : ''}`)
          .slice(-8)
          .join(' | ')}`,
    )
    .join('\n');

/**
 * Invokes the controller as its one-minute schedule would (back to back here) until `done`, at
 * most `attempts` times. A `busy` invocation found the lease held (another invocation's, or one
 * just released, which holds others off for the engine's 5 s clock-skew bound): wait and go on.
 */
export async function controllerUntil(
  world: LifecycleWorld,
  done: (run: Invocation) => boolean,
  attempts: number,
  timeoutMs = INVOCATION_MS,
): Promise<Invocation[]> {
  const runs: Invocation[] = [];
  for (let i = 0; i < attempts; i++) {
    const run = await world.controller(timeoutMs);
    runs.push(run);
    expect(run.error, said(runs)).toBeUndefined();
    if (done(run)) return runs;
    if (run.result?.action === 'busy') await new Promise((r) => setTimeout(r, LEASE_RETRY_MS));
  }
  throw new Error(`the controller did not get there in ${attempts} invocations:\n${said(runs)}`);
}

/**
 * `dr <operation> --yes --json`, which must complete; returns its JSON document. When it finds
 * the lease held it changed nothing, and it is run again a few seconds later, as its message
 * tells an operator to: the engine lets a lease its holder released lapse only after its 5 s
 * clock-skew bound, so the command right after another is refused for those seconds.
 */
export async function drOperation(
  world: LifecycleWorld,
  operation: 'failover' | 'switchover' | 'failback',
): Promise<{ phase: string; operation: string; measures: { rpoSeconds: number | null } }> {
  let run: CliRun = await world.dr([operation, '--config', world.configFile, '--yes', '--json']);
  let retries = 0;
  for (; retries < 3 && run.code === 1 && /another controller is acting/.test(run.stderr); retries++) {
    await new Promise((r) => setTimeout(r, LEASE_RETRY_MS));
    run = await world.dr([operation, '--config', world.configFile, '--yes', '--json']);
  }
  timings.push(
    `dr ${operation}: ${Math.round(run.elapsedMs / 1000)} s${retries > 0 ? ` (run again ${retries}x: the lease was held)` : ''}`,
  );
  const context = `dr ${operation} exited ${run.code} after ${run.elapsedMs} ms\nstdout: ${run.stdout.slice(-3000)}\nstderr: ${run.stderr.slice(-3000)}\n${describeWorld(world.fake, world.config)}`;
  expect(run.code, context).toBe(0);
  const doc = JSON.parse(run.stdout) as { phase: string; operation: string; measures: { rpoSeconds: number | null } };
  expect(doc, context).toMatchObject({ operation, phase: 'completed' });
  return doc;
}

/**
 * Declares the operations of one lifecycle, in order: each starts from the world the one before
 * it left, so the first that fails skips every later one, naming it.
 */
export function lifecycleSteps(): (name: string, body: () => Promise<void>) => void {
  let broken: string | undefined;
  return (name, body) =>
    it(name, async (context) => {
      if (broken) context.skip(`"${broken}" failed, and this operation starts from the world it left`);
      try {
        await body();
      } catch (e) {
        broken = name;
        throw e;
      }
    });
}
