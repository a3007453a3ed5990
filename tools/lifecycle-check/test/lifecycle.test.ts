import type { FakeAws } from '@dr/aws-fakes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWorld, expectServing } from './expectations.js';
import { LifecycleWorld, requireBuilds, type CliRun, type Invocation } from './world.js';

/**
 * One controller invocation's deadline: long enough for detection (10 s) and a whole failover
 * (the handler hands a run over 20 s before its deadline; the next invocation would resume it).
 */
const INVOCATION_MS = 90_000;
/** How long `dr` waits before trying again when it finds the lease held. */
const LEASE_RETRY_MS = 6_000;
/** How long each operation took, printed at the end. */
const timings: string[] = [];

/** The promotions each operation made (the fake counts every PromoteReadReplica, refused or not). */
const promotions = (fake: FakeAws) => fake.calls.promoteReplicaAttempts ?? 0;

/** What an invocation said, for a failed expectation. */
const said = (runs: readonly Invocation[]) =>
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
async function controllerUntil(
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
async function drOperation(
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

describe("issue 12's lifecycle end to end: the controller bundle and dr as processes, one fake AWS world, one state table", () => {
  let world: LifecycleWorld;
  /** The first operation that failed: each later one starts from the world it left, so it is skipped with the reason. */
  let broken: string | undefined;
  beforeAll(async () => {
    requireBuilds();
    world = await LifecycleWorld.start();
  });
  afterAll(async () => {
    console.log(timings.join('\n'));
    await world?.stop();
  });

  const operation = (name: string, body: () => Promise<void>) =>
    it(name, async (context) => {
      if (broken) context.skip(`"${broken}" failed, and this operation starts from the world it left`);
      try {
        await body();
      } catch (e) {
        broken = name;
        throw e;
      }
    });

  /**
   * An outage of the primary region (its control plane and its health path) until the
   * controller's failover completes; then the region comes back, and the controller contains it.
   */
  async function failoverByController(): Promise<void> {
    const { fake, config } = world;
    const before = promotions(fake);
    const lastRun = (await world.control())?.run?.runId;
    fake.outages.add(config.primary.region);
    world.health.mode = 'down';

    const runs = await controllerUntil(world, (r) => r.result?.phase === 'completed' && r.result.failoverId !== lastRun, 10);
    timings.push(`failover: ${runs.map((r) => `${r.result?.action} ${Math.round(r.elapsedMs / 1000)} s`).join(', ')}`);

    expect(runs.find((r) => r.result?.action !== 'busy')?.result, said(runs)).toMatchObject({ action: 'started', verdict: 'down' });
    // Route 53's verdict came through DNS, every round: a query FakeDns did not answer would read
    // unknown. (Whether it read down yet depends on the checkers' 20 s: probe and endpoint health
    // may detect the outage first.)
    const route53 = runs
      .flatMap((r) => r.logs)
      .flatMap((l) => (l.readings as { route53?: { state: string } } | undefined)?.route53?.state ?? []);
    expect(route53.length, said(runs)).toBeGreaterThan(0);
    expect(route53, said(runs)).not.toContain('unknown');
    expect(runs.at(-1)?.metrics, said(runs)).toContain('FailoverCompleted');
    expect(promotions(fake) - before, describeWorld(fake, config)).toBe(1);
    expect(await world.control()).toMatchObject({ active: 'secondary' });

    // The region answers again: later invocations fence its database and take its capacity to 0.
    fake.outages.clear();
    world.health.mode = 'up';
    const containing = await controllerUntil(world, (r) => r.result?.containment === 'contained', 6);
    timings.push(`containment: ${containing.map((r) => `${r.result?.containment} ${Math.round(r.elapsedMs / 1000)} s`).join(', ')}`);
    expect(containing.at(-1)?.metrics).toContain('Contained');
    expect((await world.control())?.containment).toBeUndefined();
  }

  /**
   * The controller sees the primary healthy, as its schedule would before an outage: the
   * detector arms only after the primary was seen healthy. Two clean rounds (the recovery
   * threshold), over one invocation or more: the detector's memory is kept in the state table
   * between them.
   */
  async function watchHealthy(): Promise<void> {
    const watching = await controllerUntil(world, (r) => r.result?.verdict === 'healthy', 3, 20_000);
    expect(watching.at(-1)?.result, said(watching)).toMatchObject({ action: 'watched', verdict: 'healthy' });
  }

  /** `dr failback`: home again, the pilot light rebuilt. */
  async function failbackByOperator(): Promise<void> {
    const before = promotions(world.fake);
    await drOperation(world, 'failback');
    expect(promotions(world.fake) - before, describeWorld(world.fake, world.config)).toBe(1);
    expect(await world.control()).toMatchObject({ active: 'primary', run: { operation: 'failback', phase: 'completed' } });
  }

  operation(
    '1. failover: the controller detects the outage of eu-west-1, fails over to us-east-1, and contains eu-west-1 once it answers',
    async () => {
      await watchHealthy();
      await failoverByController();

      expectServing(world.fake, world.config, 'secondary', 0);
    },
  );

  operation('2. failback with dr: eu-west-1 serves again, the pilot light is rebuilt with no fence left on its group', async () => {
    await failbackByOperator();

    expectServing(world.fake, world.config, 'primary', 2);
  });

  operation('3. a second failover by the controller: the database it promotes is writable (the fence of issue 12 is lifted)', async () => {
    // The controller sees the primary healthy again first, as between the failback and the next outage.
    await watchHealthy();
    await failoverByController();

    expectServing(world.fake, world.config, 'secondary', 2);
    expect(world.fake.db(world.config.secondary.region, world.config.secondary.dbInstanceIdentifier)?.writable).toBe(true);
  });

  operation('4. failback with dr, again', async () => {
    await failbackByOperator();

    expectServing(world.fake, world.config, 'primary', 4);
  });

  operation('5. switchover with dr: us-east-1 serves with no data loss, eu-west-1 fenced and at 0', async () => {
    const before = promotions(world.fake);

    const doc = await drOperation(world, 'switchover');

    expect(doc.measures.rpoSeconds ?? 0).toBe(0);
    expect(promotions(world.fake) - before).toBe(1);
    expectServing(world.fake, world.config, 'secondary', 4);
    // The switchover fenced eu-west-1's group: the failback that follows must not recreate the home database read-only.
    expect(
      world.fake.parameterGroup(world.config.primary.region, world.config.primary.dbParameterGroupName)?.parameters.get('read_only'),
    ).toBe('1');
  });

  operation('6. failback with dr after the switchover: the pilot light is restored as deployed', async () => {
    await failbackByOperator();

    expectServing(world.fake, world.config, 'primary', 6);
    // One promotion per operation over the whole life, and nothing left for the controller to contain.
    expect(promotions(world.fake)).toBe(6);
    expect((await world.control())?.containment).toBeUndefined();
  });
});
