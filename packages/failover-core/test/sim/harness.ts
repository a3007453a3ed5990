import { MemoryStateStore, SimPorts, SimWorld, VirtualClock, buildPlan, type Faults, type Layout, type Operation, type Ports, type StartRequest } from '../../src/index.js';
import { config } from '../fixtures.js';

/** A simulated world, its clock and ports, for tests. */
export function simulation(faults: (t0: number) => Faults = () => ({}), options: { seed?: number; layout?: Layout } = {}) {
  const clock = new VirtualClock();
  const t0 = clock.now();
  const store = new MemoryStateStore();
  const world = new SimWorld(config, t0, faults(t0), { seed: options.seed ?? 1, layout: options.layout });
  const ports = new SimPorts(world, clock, store);
  return { clock, t0, store, world, ports };
}

/** A start request for an operation on the reference config. */
export const request = (operation: Operation, runId = 'run-1'): StartRequest => ({
  runId,
  operation,
  plan: buildPlan(config, operation, { runTag: runId }),
  maxDataLossSeconds: config.objectives.maxDataLossSeconds,
});

/** Ports whose next call (AWS or state store) is delayed by `ms` whenever `trip()` returns true: a pause, as in a long GC or a network partition. */
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
  return { ...ports, database: slow(ports.database), compute: slow(ports.compute), traffic: slow(ports.traffic), stateStore: slow(ports.stateStore), clock: ports.clock, notifier: ports.notifier, probe: ports.probe, alarms: ports.alarms };
}
