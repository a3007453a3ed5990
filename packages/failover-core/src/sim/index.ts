/**
 * `@dr/failover-core/sim`: a second implementation of every port over a virtual clock, modelling
 * two AWS regions (RDS with its parameter groups, Auto Scaling, ALB target health, Global
 * Accelerator) with documented latencies and injectable faults.
 * @packageDocumentation
 */
export { VirtualClock, SimulationStalledError } from './virtual-clock.js';
export { Rng, hash32 } from './random.js';
export { DEFAULT_LATENCY, type LatencyModel, type Range } from './latency.js';
export {
  SimWorld,
  deployedSettings,
  type Faults,
  type Layout,
  type Window,
  type SimWorldOptions,
  type SimAsg,
  type SimEndpointGroup,
  type CallRecord,
} from './world.js';
export { SimRds, DEFAULT_PARAMETER_GROUP, type SimDb, type SimParameterGroup, type SimDbSettings } from './sim-rds.js';
export { SimPorts } from './sim-ports.js';
export { MemoryStateStore } from './memory-state-store.js';
export { SimStateStore, type LateWrites, type LeaseGrant } from './sim-state-store.js';
export { simReadiness, SimReadinessWorld, SIM_INSTANCE_VCPUS, type SimReadinessFaults } from './sim-readiness.js';
