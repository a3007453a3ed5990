import { buildPlan, Runner, stateKeys, type Operation, type RunState } from '@dr/failover-core';
import { afterEach, describe, expect, it } from 'vitest';
import { BUNDLES, LambdaWorld } from '../harness.js';

const TIMEOUT_MS = 40_000;

/**
 * Leaves an operator's run unfinished as `dr <operation>` does when the operator presses
 * Ctrl-C: the same runner, ports and state table, aborted once the run reaches `stopAt`.
 */
async function leaveUnfinished(world: LambdaWorld, operation: Operation, stopAt: string): Promise<RunState> {
  const stop = new AbortController();
  const runId = `${operation}-by-alice`;
  const runner = new Runner({
    ports: world.operatorPorts(),
    config: world.config,
    owner: 'cli:alice@laptop:4242-0a1b2c3d',
    stateKey: stateKeys(world.config.app).control,
    signal: stop.signal,
    // Polls faster than the command's 2 s, so the test need not wait for the fake's instances.
    settings: { pollMs: 200, settleMs: 60_000, backoffMs: 200, maxBackoffMs: 2_000 },
    onTransition: (state) => {
      if (state.plan.steps[state.stepIndex]?.id === stopAt) stop.abort();
    },
  });
  const { state } = await runner.start({
    runId,
    operation,
    plan: buildPlan(world.config, operation, { runTag: runId }),
    maxDataLossSeconds: world.config.objectives.maxDataLossSeconds,
  });
  expect(state).toMatchObject({ phase: 'running', trigger: 'operator' });
  expect(state.plan.steps[state.stepIndex]?.id).toBe(stopAt);
  return state;
}

/** The hold on an operator's run (config.controller.operatorHoldSeconds, default 30 min) passes with no move from the operator. */
const holdPasses = (world: LambdaWorld) => world.letTimePass((world.config.controller.operatorHoldSeconds + 60) * 1000);

describe("failover-controller bundle: an operator's unfinished run", () => {
  let world: LambdaWorld | undefined;
  afterEach(() => world?.stop());

  it(
    'is held with a notification while the hold lasts; then a switchover stopped before its point of no return is rolled back, restoring what it changed',
    { timeout: 180_000 },
    async () => {
      world = await LambdaWorld.start();
      const [primary, secondary] = [world.config.primary, world.config.secondary];
      // Stopped once the primary is drained (its traffic fenced) and the DR region scaled: users are unrouted.
      const left = await leaveUnfinished(world, 'switchover', 'await-drain');
      expect(left.committedAt).toBeUndefined();
      expect(world.fake.servingRegion()).toBeUndefined();
      expect(world.fake.asgs.get(secondary.region)?.desired).toBe(secondary.capacity.desired);

      const held = await world.start(BUNDLES.controller, { timeoutMs: TIMEOUT_MS });

      // Detection is off while it is held, and the controller says so rather than going quiet.
      expect(held.result).toMatchObject({ action: 'held', rounds: 0, failoverId: left.runId, operation: 'switchover', phase: 'running' });
      expect(held.metrics.OperatorRunHeld).toEqual([1]);
      expect(held.logs.some((l) => l.level === 'WARN' && typeof l.takeOverAt === 'string')).toBe(true);
      const notice = world.fake.published.find((m) => m.subject === '[WARNING] switchover left unfinished: the controller is holding');
      expect(notice?.message).toMatch(/takes it over \(rolls it back\)/);
      const mutations = world.fake.mutations();

      await holdPasses(world);
      const took = await world.start(BUNDLES.controller, { timeoutMs: TIMEOUT_MS });

      expect(took.result).toMatchObject({ action: 'took-over', failoverId: left.runId, operation: 'switchover', phase: 'rolled-back' });
      expect(took.metrics.ControllerTookOver).toEqual([1]);
      expect(took.metrics.SwitchoverRolledBack).toEqual([1]);
      expect(world.fake.mutations()).toBeGreaterThan(mutations);
      expect(world.fake.published.some((m) => m.subject === `[CRITICAL] the controller took over switchover ${left.runId}`)).toBe(true);
      // Everything the run changed before its point of no return is undone: the primary serves, the pilot light is dark.
      expect(world.fake.servingRegion()).toBe(primary.region);
      expect(world.fake.groups.get(primary.endpointGroupArn)).toMatchObject({ dial: 100, endpoints: [{ weight: 128 }] });
      expect(world.fake.asgs.get(secondary.region)).toMatchObject({ min: 0, desired: 0 });
      expect(world.fake.writable(primary.region)).toEqual([primary.dbInstanceIdentifier]);
      expect(world.fake.db(secondary.region, secondary.dbInstanceIdentifier)).toMatchObject({ role: 'replica', writable: false });
      expect(world.fake.calls.promoteReplicaAttempts ?? 0).toBe(0);
      expect(await world.control()).toMatchObject({ active: 'primary', run: { phase: 'rolled-back', runId: left.runId } });
    },
  );

  it(
    'a failover stopped past its point of no return is finished once the hold ends, its old region contained',
    { timeout: 180_000 },
    async () => {
      // No drain wait: the old primary answers, so the run itself fences it as soon as the promotion is accepted.
      world = await LambdaWorld.start({ timeouts: { containmentSeconds: 10, drainSeconds: 0 } });
      const [primary, secondary] = [world.config.primary, world.config.secondary];
      const left = await leaveUnfinished(world, 'failover', 'await-ready');
      expect(left.committedAt).toBeDefined();
      expect(world.fake.calls.promoteReplicaAttempts).toBe(1);

      const held = await world.start(BUNDLES.controller, { timeoutMs: TIMEOUT_MS });
      expect(held.result).toMatchObject({ action: 'held', failoverId: left.runId });
      expect(
        world.fake.published.find((m) => m.subject === '[WARNING] failover left unfinished: the controller is holding')?.message,
      ).toMatch(/takes it over \(finishes it\)/);

      await holdPasses(world);
      const took = await world.start(BUNDLES.controller, { timeoutMs: TIMEOUT_MS });

      expect(took.result).toMatchObject({ action: 'took-over', failoverId: left.runId, operation: 'failover', phase: 'completed' });
      expect(took.metrics.ControllerTookOver).toEqual([1]);
      expect(took.metrics.FailoverCompleted).toEqual([1]);
      expect(world.fake.calls.promoteReplicaAttempts).toBe(1);
      expect(world.fake.servingRegion()).toBe(secondary.region);
      expect(world.fake.writable(secondary.region)).toEqual([secondary.dbInstanceIdentifier]);
      expect(world.fake.writable(primary.region)).toEqual([]);
      expect(world.fake.db(primary.region, primary.dbInstanceIdentifier)).toMatchObject({
        applyStatus: 'in-sync',
        readOnlyEffective: true,
      });
      expect(world.fake.asgs.get(primary.region)).toMatchObject({ min: 0, desired: 0 });
      expect(await world.control()).toMatchObject({ active: 'secondary', run: { phase: 'completed', runId: left.runId } });
    },
  );
});
