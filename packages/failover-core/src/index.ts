/**
 * `@dr/failover-core`: the pure failover engine. Config schema, ports, plans, the state machine
 * and its runner, the detector, guards, the timeline report, and the two-region simulator.
 * No AWS SDK, no CDK, no I/O: everything that touches the world goes through a port.
 * @packageDocumentation
 */

export {
  DrError,
  ConfigError,
  RegionUnreachableError,
  ThrottledError,
  ResourceNotFoundError,
  OperationRejectedError,
  NotReadyError,
  VersionConflictError,
  LockHeldError,
  LeaseLostError,
  isDrError,
  isConfigError,
  isRegionUnreachable,
  isThrottled,
  isResourceNotFound,
  isOperationRejected,
  isNotReady,
  mayHaveLanded,
  isVersionConflict,
  isLockHeld,
  isLeaseLost,
  isRetryable,
  describeError,
  type ConfigIssue,
} from './errors.js';

export {
  DrConfigSchema,
  type DrConfig,
  type DrConfigInput,
  type RegionResources,
  type Capacity,
  type DetectionSettings,
  type SignalName,
  type RegionRole,
} from './config/schema.js';
export { parseConfig, parseConfigJson, validateConfig, type ConfigValidation } from './config/parse.js';
export { referenceConfig } from './config/reference.js';

export type * from './ports.js';

export type { Operation, BlockAction, MutatingKind, PlanBlock, PlanStep, Plan } from './plan/types.js';
export { PORT_CALL_OF, isMutating } from './plan/types.js';
export { buildPlan, otherRole, dbRef, asgRef, groupRef, ACTIVE_ENDPOINT_WEIGHT, type PlanOptions } from './plan/build-plan.js';

export {
  RUN_STATE_SCHEMA_VERSION,
  TERMINAL_PHASES,
  DEFAULT_ENGINE_SETTINGS,
  type RunPhase,
  type BlockStatus,
  type BlockState,
  type TimelineEntry,
  type PreconditionProblem,
  type RunState,
  type Observation,
  type RunEvent,
  type Command,
  type Transition,
  type EngineSettings,
  type StartRunInput,
} from './engine/types.js';
export { assess, type Assessment } from './engine/assess.js';
export { startRun, transition } from './engine/transition.js';
export { evaluatePreconditions, type PreconditionReport } from './engine/preconditions.js';
export { Runner, type RunnerOptions, type StartRequest, type RunOutcome } from './engine/runner.js';
export { acquireLease, writeUnderLease, type Lease, type ControlRecord, type LeaseHold } from './engine/lease.js';
export { supervise, readSignals, stateKeys, type SuperviseOptions, type SupervisionResult, type SupervisionAction } from './engine/controller.js';

export {
  observeRound,
  initialDetectorState,
  type DetectorState,
  type DetectorRound,
  type DetectorSettings,
  type SignalReading,
  type Verdict,
} from './detector/detector.js';

export { VirtualClock, SimulationStalledError } from './sim/virtual-clock.js';
export { Rng, hash32 } from './sim/random.js';
export { DEFAULT_LATENCY, type LatencyModel, type Range } from './sim/latency.js';
export { SimWorld, type Faults, type Layout, type Window, type SimWorldOptions } from './sim/world.js';
export { SimPorts, GLOBAL_ACCELERATOR_REGION } from './sim/sim-ports.js';
export { MemoryStateStore } from './sim/memory-state-store.js';

export { SCENARIOS, SCENARIO_DESCRIPTIONS, isScenario, scenarioFaults, type Scenario } from './drill/scenarios.js';
export { runDrill, defaultScenario, drillFaultTime, type DrillOptions, type DrillProgress } from './drill/run-drill.js';
export { buildReport, criticalPath, type DrillReport, type DrillOutcome, type StepReport, type CriticalSegment } from './drill/report.js';
export { measureRun, type RunMeasures } from './engine/measures.js';
