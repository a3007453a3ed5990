import type { Operation } from '../../src/plan/types.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import type { Ports } from '../../src/ports.js';
import { Runner, type RunnerOptions, type StartRequest } from '../../src/runtime/runner.js';
import { MemoryStateStore } from '../../src/sim/memory-state-store.js';
import { SimPorts } from '../../src/sim/sim-ports.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import { SimWorld, type Faults, type Layout } from '../../src/sim/world.js';
import type { StateStore } from '../../src/ports.js';
import { config } from '../fixtures.js';

/** The control record's key of the reference app. */
export const KEY = 'app#lamp#control';

/** A simulated world, its clock and ports, for tests. */
export function simulation(
  faults: (t0: number) => Faults = () => ({}),
  options: { seed?: number; layout?: Layout; store?: (clock: VirtualClock) => StateStore } = {},
) {
  const clock = new VirtualClock();
  const t0 = clock.now();
  const store = options.store?.(clock) ?? new MemoryStateStore();
  const world = new SimWorld(config, t0, faults(t0), { seed: options.seed ?? 1, layout: options.layout });
  const ports = new SimPorts(world, clock, store);
  return { clock, t0, store, world, ports };
}

/** A start request for an operation on the reference config. */
export const request = (operation: Operation, runId = 'run-1', from?: 'primary' | 'secondary'): StartRequest => ({
  runId,
  operation,
  plan: buildPlan(config, operation, { runTag: runId, from }),
  maxDataLossSeconds: config.objectives.maxDataLossSeconds,
});

/** A runner on the reference config. */
export const runner = (ports: Ports, owner: string, extra: Partial<RunnerOptions> = {}): Runner =>
  new Runner({ ports, config, owner, stateKey: KEY, ...extra });

/**
 * Ports whose next call (AWS or state store) is delayed by `ms` whenever `trip()` returns true: a pause, as in a long GC or a network
 * partition.
 */
export function stalling(ports: Ports, ms: number, trip: () => boolean): Ports {
  const slow = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(obj, key, receiver) {
        const value = Reflect.get(obj, key, receiver);
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          if (trip()) await ports.clock.sleep(ms);
          return (value as (...a: unknown[]) => unknown).apply(obj, args);
        };
      },
    });
  return {
    ...ports,
    database: slow(ports.database),
    compute: slow(ports.compute),
    traffic: slow(ports.traffic),
    stateStore: slow(ports.stateStore),
    clock: ports.clock,
    notifier: ports.notifier,
    probe: ports.probe,
    alarms: ports.alarms,
  };
}
