import { describe, expect, it } from 'vitest';
import { parseConfig, referenceAuroraConfig } from '../../src/index.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import type { Operation } from '../../src/plan/types.js';
import { Runner } from '../../src/runtime/runner.js';
import { MemoryStateStore } from '../../src/sim/memory-state-store.js';
import { SimPorts } from '../../src/sim/sim-ports.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import { SimWorld, type Faults } from '../../src/sim/world.js';

const aurora = parseConfig(referenceAuroraConfig);
const EU = aurora.primary.region;

/** One operation by an operator's runner on a simulated Aurora world with `faults`. */
async function run(operation: Operation, faults: Faults) {
  const clock = new VirtualClock();
  const world = new SimWorld(aurora, clock.now(), faults, { seed: 4 });
  const ports = new SimPorts(world, clock, new MemoryStateStore());
  const runner = new Runner({ ports, config: aurora, owner: 'operator', stateKey: 'app#lamp#control' });
  const outcome = await clock.run(() =>
    runner.start({ runId: 'run-1', operation, plan: buildPlan(aurora, operation, { runTag: 'run-1' }), maxDataLossSeconds: 60 }),
  );
  return { outcome, world, clock };
}

describe('the runner on the Aurora tier', () => {
  it('rolls a switchover back when AWS accepts it and then cancels it: never past the point of no return, eu-west-1 serving and writable again', async () => {
    const { outcome, world, clock } = await run('switchover', { auroraSwitchoverCancelledOnce: true });
    const { state } = outcome;

    expect(state.phase).toBe('rolled-back');
    expect(state.committedAt).toBeUndefined();
    expect(state.blocks['switchover-global-cluster']?.error).toMatch(/has not taken effect \(cancelled or failed\)/);
    expect(world.aurora!.writerAt(clock.now()).region).toBe(EU);
    expect(world.aurora!.writableAt(world.aurora!.writerAt(clock.now()), clock.now())).toBe(true);
    expect(world.aurora!.operations.filter((op) => op.kind === 'switchover')).toHaveLength(1);
  });

  it('completes a switchover AWS carries out, passing the point of no return only once the writer has moved', async () => {
    const { outcome, world, clock } = await run('switchover', {});
    const { state } = outcome;

    expect(state.phase).toBe('completed');
    const moved = world.aurora!.operations[0]!;
    expect(state.committedAt).toBeGreaterThanOrEqual(world.aurora!.end(moved).at);
    expect(world.aurora!.writerAt(clock.now()).region).toBe(aurora.secondary.region);
  });
});
