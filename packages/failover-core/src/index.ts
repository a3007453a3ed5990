/**
 * `@dr/failover-core`: the pure failover engine. The config schema, plans, the state machine
 * and its runner, the controller's supervision, the preconditions, and the run summaries. No AWS
 * SDK, no CDK, no I/O: everything that touches the world goes through a port.
 *
 * Subpath entries: `@dr/failover-core/ports` (the port interfaces an adapter implements),
 * `@dr/failover-core/errors` (every error and its brand check), `@dr/failover-core/sim` (the
 * two-region simulator) and `@dr/failover-core/drill` (drills and lifecycles on it, and the
 * durations the latency model expects of a plan).
 *
 * The judgement `dr status` makes over what it observed (where the trouble is, what serves, whether
 * the next operation is ready, what is left to contain) is here too, pure: the reading is the caller's.
 * @packageDocumentation
 */

export { DrError, ConfigError, isDrError, isConfigError, describeError } from './errors.js';
export { parseConfig, parseConfigJson, validateConfig } from './config/parse.js';
export { referenceConfig, referenceAuroraConfig } from './config/reference.js';
export { DATA_TIERS, globalLagMetricName, type DataTier, type DataTierName, type AuroraGlobalTier } from './config/data-tier.js';
export type { DrConfig, DrConfigInput, RegionResources, RegionRole } from './config/schema.js';
export type { Ports } from './ports.js';
export type { Operation, Plan } from './plan/types.js';
export { buildPlan, dbRef, asgRef, groupRef, retiredPrefix } from './plan/build-plan.js';
export { auroraTier, clusterRef, lostWritesSnapshotIdentifier } from './plan/aurora-steps.js';
export { memberOf } from './machine/assess-global.js';
export {
  isTerminal,
  engineSettingsOf,
  DEFAULT_ENGINE_SETTINGS,
  type RunState,
  type RunEvent,
  type Transition,
  type TimelineEntry,
  type EngineSettings,
  type PreconditionProblem,
} from './machine/types.js';
export { startRun, transition } from './machine/transition.js';
export { activeSteps } from './machine/run-state.js';
export { measureRun, type RunMeasures } from './machine/measures.js';
export { summarizeRun, type RunSummary } from './machine/summary.js';
export { stepTimings, type StepTiming } from './machine/step-timings.js';
export { estimateMonthlyCost, type MonthlyEstimate } from './cost/rds-prices.js';
export { Runner, MIN_LEASE_MS, type RunnerOptions, type StartRequest, type RunOutcome } from './runtime/runner.js';
export {
  decideStart,
  decideDrillStart,
  retryable,
  type StartDecision,
  type DrillStartDecision,
  type StartContext,
  type StartRefusalReason,
} from './runtime/decide-start.js';
export { type Rehearsal, type RehearsalStop, type RehearsedRefusal, type PlannedChange } from './runtime/rehearsal.js';
export { acquireLease, leaseHeldByAnother, writeUnderLease, type ControlRecord } from './runtime/lease.js';
export { evaluatePreconditions } from './runtime/preconditions.js';
export {
  supervise,
  stateKeys,
  STALE_TICK_MS,
  type SuperviseOptions,
  type SupervisionResult,
  type ControllerHeartbeat,
} from './runtime/supervise.js';
export {
  observeRound,
  initialDetectorState,
  countedDowns,
  roundFails,
  impairmentEstimate,
  signalsSurvivingOutage,
  INDEPENDENT_SIGNALS,
  type DetectorState,
  type DetectorRound,
  type SignalReading,
  type ImpairmentEstimate,
} from './detector/detector.js';
export { READINESS_CHECKS, READINESS_INTERVAL_MINUTES, type ReadinessCheckId } from './readiness/checks.js';
export {
  GLOBAL_ACCELERATOR_CONTROL_REGION,
  METRICS_NAMESPACE,
  RDS_INSTANCE_IDENTIFIER,
  READINESS_NAMESPACE,
  defaultStateTableName,
} from './names.js';
export { evaluateReadiness, type ReadinessOptions } from './readiness/evaluate.js';
export {
  summarizeReadiness,
  readinessMetricData,
  storeReadiness,
  readReadiness,
  READINESS_STALE_AFTER_MS,
  type ReadinessReport,
  type ReadinessCheckResult,
  type ReadinessStatus,
  type ReadinessSummary,
} from './readiness/report.js';
export {
  quotaCovers,
  isStandardInstanceType,
  EC2_STANDARD_VCPU_QUOTA_CODE,
  type QuotaInput,
  type QuotaVerdict,
} from './readiness/quota.js';
export type { Observation, ReachAttempt, ReadFailureReason, RegionObservation } from './status/observation.js';
export { judgeReach, type Reach } from './status/reach.js';
export { judgeHeadline, type Headline, type HeadlineInput, type HeadlineReason } from './status/headline.js';
export {
  judgeNextReadiness,
  judgeStatusOutcome,
  nextOperation,
  type NextOperation,
  type NextReadiness,
  type StatusOutcome,
} from './status/verdict.js';
export { judgeContainment, type ContainmentStatus, type ObservedPart } from './status/containment.js';
