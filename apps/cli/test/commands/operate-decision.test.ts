import { buildPlan, startRun, type RunState } from '@dr/failover-core';
import { afterEach, describe, expect, it } from 'vitest';
import { AwsWorld } from '../aws-world.js';
import { record, store } from '../control-record.js';
import type { CliResult } from '../run-cli.js';
import { expectValidDocument } from '../json-schema.js';

/** A run of `operation` as an earlier `dr` left it in the state table. */
function storedRun(world: AwsWorld, operation: 'failover' | 'switchover', patch: Partial<RunState>): RunState {
  const { state } = startRun({
    runId: `${operation}-earlier`,
    plan: buildPlan(world.config, operation, { runTag: 'earlier' }),
    at: Date.now() - 600_000,
    maxDataLossSeconds: 60,
  });
  return { ...state, ...patch };
}

/**
 * Runs `--dry-run`, then the real run with `--yes`, with the same arguments: the dry run must
 * change nothing in AWS or in the state table, and both must decide alike.
 */
async function dryThenReal(world: AwsWorld, args: readonly string[]): Promise<{ dry: CliResult; real: CliResult }> {
  const before = { mutations: world.fake.mutations(), version: (await record(world)).version };
  const dry = await world.dr([...args, '--config', world.configFile, '--dry-run']);
  expect({ mutations: world.fake.mutations(), version: (await record(world)).version }).toEqual(before);
  const real = await world.dr([...args, '--config', world.configFile, '--yes']);
  expect(dry.code).toBe(real.code);
  return { dry, real };
}

/** Both refused, with the same words, and neither changed anything in AWS. */
function expectSameRefusal(
  { dry, real }: { dry: CliResult; real: CliResult },
  words: RegExp,
  mutationsBefore: number,
  world: AwsWorld,
): void {
  expect(dry.code).toBe(1);
  expect(dry.stderr).toMatch(words);
  expect(real.stderr).toBe(dry.stderr);
  expect(world.fake.mutations()).toBe(mutationsBefore);
}

describe('dr <operation> --dry-run decides as the real run does (the same rehearsal, stopped before the first change)', () => {
  let world: AwsWorld;
  afterEach(() => world.stop());

  it('steady: the dry run would start and names the first change; the real run starts and completes', { timeout: 120_000 }, async () => {
    world = await AwsWorld.start();

    const { dry, real } = await dryThenReal(world, ['failover']);

    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/The real run would start\. Its first change:\n {2}\S+: /);
    expect(real.code).toBe(0);
    expect(real.stdout).toMatch(/completed/);
  });

  it('after a completed failover: both refuse, saying traffic is served from the secondary region already', async () => {
    world = await AwsWorld.start({ layout: 'failed-over' });
    await store(world, { active: 'secondary' });

    expectSameRefusal(
      await dryThenReal(world, ['failover']),
      /^error traffic is served from the secondary region already; a failover from the primary region has nothing to do \(see dr status\)\n$/,
      0,
      world,
    );
  });

  it('an unfinished run of another operation: both refuse and name the command that resumes it', async () => {
    world = await AwsWorld.start();
    await store(world, { active: 'primary', run: storedRun(world, 'switchover', { phase: 'running' }) });

    expectSameRefusal(
      await dryThenReal(world, ['failover']),
      /an unfinished switchover \(switchover-earlier\) must finish before a failover can start: run dr switchover to resume it/,
      0,
      world,
    );
  });

  it('a failed run of another operation that left changes to undo: both refuse until its rollback is finished', async () => {
    world = await AwsWorld.start();
    await store(world, {
      active: 'primary',
      run: storedRun(world, 'switchover', { phase: 'failed', rollback: { at: Date.now(), reason: 'fence-writes failed', steps: [] } }),
    });

    expectSameRefusal(
      await dryThenReal(world, ['failover']),
      /the last switchover \(switchover-earlier\) left changes it could not undo: run dr switchover to finish its rollback first/,
      0,
      world,
    );
  });

  it('a lease held by another controller: both refuse, naming it, and neither takes the lease', async () => {
    world = await AwsWorld.start();
    await store(world, { active: 'primary', lease: { owner: 'lambda:controller', epoch: 7, expiresAt: Date.now() + 120_000 } });

    expectSameRefusal(
      await dryThenReal(world, ['failover']),
      /another controller is acting \(run \S+ is held by lambda:controller until .+\); nothing was changed/,
      0,
      world,
    );
    expect((await record(world)).value?.lease).toMatchObject({ owner: 'lambda:controller', epoch: 7 });
  });

  it('a run interrupted while it evaluated, whose preconditions now fail: the real run records the refusal, so it holds nothing after', async () => {
    world = await AwsWorld.start();
    // startRun leaves a run in `evaluating`, as Ctrl-C during its precondition reads would.
    await store(world, { active: 'primary', run: storedRun(world, 'failover', {}) });
    world.fake.replicaLagSeconds = 300;

    const { dry, real } = await dryThenReal(world, ['failover', '--json']);

    expect(expectValidDocument(dry.stdout)).toMatchObject({ outcome: 'would-refuse', resuming: 'failover-earlier' });
    expect(expectValidDocument(real.stdout)).toMatchObject({
      outcome: 'refused',
      runId: 'failover-earlier',
      phase: 'refused',
      problems: [expect.objectContaining({ kind: 'rpo' })],
    });
    expect((await record(world)).value?.run).toMatchObject({ runId: 'failover-earlier', phase: 'refused' });
    // Nothing left unfinished: another operation is no longer held by it.
    const next = await world.dr(['switchover', '--config', world.configFile, '--dry-run']);
    expect(next.stderr).not.toMatch(/unfinished failover/);
    expect(world.fake.mutations()).toBe(0);
  });

  it(
    'the RPO guard: both hold without --force; with --force the dry run would start and the real run completes',
    { timeout: 120_000 },
    async () => {
      world = await AwsWorld.start();
      world.fake.replicaLagSeconds = 300;

      expectSameRefusal(
        await dryThenReal(world, ['failover']),
        /^error failover not started: replica lag 300s exceeds maxDataLossSeconds 60s: promoting now would lose up to 300s of writes \(--force proceeds past the RPO guard/,
        0,
        world,
      );
      const forced = await dryThenReal(world, ['failover', '--force']);

      expect(forced.dry.code).toBe(0);
      expect(forced.dry.stdout).toMatch(/! RPO guard: replica lag 300s .* — forced/);
      expect(forced.real.code).toBe(0);
      expect(forced.real.stdout).toMatch(/Forced past the RPO guard: up to 300 s of writes/);
    },
  );

  it('--json: one document, would-start or would-refuse, with no measures or summary, and the first change', async () => {
    world = await AwsWorld.start();

    const start = await world.dr(['failover', '--config', world.configFile, '--dry-run', '--json']);
    await store(world, { active: 'secondary' });
    const refuse = await world.dr(['plan', 'failover', '--config', world.configFile, '--json']);

    expect(start.code).toBe(0);
    expect(expectValidDocument(start.stdout)).toMatchObject({
      schemaVersion: 1,
      command: 'failover',
      mode: 'live',
      outcome: 'would-start',
      measures: null,
      summary: null,
      dryRun: true,
      firstMutation: expect.arrayContaining([expect.objectContaining({ blockId: 'scale-compute', stepId: 'prepare' })]),
    });
    expect(refuse.code).toBe(1);
    expect(expectValidDocument(refuse.stdout)).toMatchObject({
      command: 'plan',
      outcome: 'would-refuse',
      refusal: expect.stringMatching(/served from the secondary region already/),
      firstMutation: [],
    });
    expect(world.fake.mutations()).toBe(0);
  });
});
