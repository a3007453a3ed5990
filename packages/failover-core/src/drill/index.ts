/**
 * `@dr/failover-core/drill`: drills on the simulator. One operation through a fault scenario
 * (`runDrill`), or a whole lifecycle of operations on one world (`runLifecycle`), each reported
 * with its measures and the invariants audited on the simulated world; and what the latency model
 * expects of a plan (`expectations`, from seeded drills).
 * @packageDocumentation
 */
export {
  SCENARIOS,
  SCENARIO_DESCRIPTIONS,
  WINDOWED_SCENARIOS,
  maintenanceRebootMs,
  isScenario,
  scenarioEffects,
  scenarioOperation,
  drillOperationFor,
  scenarioSetup,
  type Scenario,
  type ScenarioEffects,
  type ScenarioSetup,
} from './scenarios.js';
export { expectations, type Expectations } from './expectations.js';
export { runDrill, defaultScenario, drillFaultTime, type DrillOptions, type DrillOperation } from './run-drill.js';
export {
  buildReport,
  criticalPath,
  drillOutcome,
  type DrillReport,
  type DrillOutcome,
  type StepReport,
  type CriticalSegment,
} from './report.js';
export {
  runLifecycle,
  sequenceIssues,
  checkPilotLight,
  DEFAULT_SEQUENCE,
  type LifecycleOptions,
  type LifecycleReport,
  type LifecycleStep,
  type LifecycleOperation,
  type PilotLightCheck,
  type RetiredInstance,
} from './lifecycle.js';
export {
  auditWorld,
  brokenInvariants,
  INVARIANT_LIMITS,
  promotionsIn,
  RETURN_GRACE_MS,
  type Audit,
  type Invariants,
  type Span,
} from './audit.js';
export { DrillSession, type DrillProgress, type DrillChaos, type SessionOptions, type RunSpan } from './session.js';
export type { Verdict } from '../detector/detector.js';
export { secs, roundTenths } from '../util/tenths.js';
