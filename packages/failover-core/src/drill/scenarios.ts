import type { DrConfig } from '../config/schema.js';
import type { Operation } from '../plan/types.js';
import { Rng } from '../sim/random.js';
import type { LateWrites } from '../sim/sim-state-store.js';
import type { Faults } from '../sim/world.js';

/** The fault scenarios a drill can run. */
export const SCENARIOS = [
  'none',
  'region-outage',
  'alb-5xx',
  'flapping-probe',
  'api-throttling',
  'promotion-failure',
  'no-capacity',
  'controller-crash',
  'replica-lag',
  'target-fails-mid-switchover',
  'late-approval',
  'late-state-writes',
  'capacity-lost-after-promotion',
  'maintenance-reboot',
] as const;

/** A fault scenario. */
export type Scenario = (typeof SCENARIOS)[number];

/** What each scenario does, for people. */
export const SCENARIO_DESCRIPTIONS: Readonly<Record<Scenario, string>> = {
  none: 'no fault: a planned operation on a healthy topology',
  'region-outage': 'the serving region fails entirely: data plane and control plane',
  'alb-5xx': "the serving region's ALB answers 5xx; its control plane still works",
  'flapping-probe': 'the probe path to the serving region loses half its probes; the region is healthy',
  'api-throttling': 'region outage while 30% of control-plane calls are throttled',
  'promotion-failure': 'region outage for 5 minutes, and RDS rejects the replica promotion: the run is rolled back',
  'no-capacity': 'region outage, and the target region has no capacity for the instance type',
  'controller-crash': 'region outage, and the controller crashes mid-run; a later invocation resumes',
  'replica-lag': 'region outage while the replica lags minutes behind (the RPO guard refuses)',
  'target-fails-mid-switchover':
    'a switchover whose target region fails 6 minutes in (before its point of no return), for 20 minutes: the run gives the service back',
  'late-approval': 'approval required; a 3-minute outage that ends, approved 10 minutes later: the re-check refuses',
  'late-state-writes': 'region outage while 5% of state writes are answered 75 s late',
  'capacity-lost-after-promotion':
    'region outage that ends after 30 minutes; the target loses its capacity right after the promotion, for 20 minutes',
  'maintenance-reboot':
    "a routine maintenance reboot of the serving region's Single-AZ database (1–5 minutes): every health check fails, and no failover is right",
};

/** Scenarios whose fault is one window that `--outage-seconds` can end. */
export const WINDOWED_SCENARIOS: ReadonlySet<Scenario> = new Set<Scenario>([
  'region-outage',
  'alb-5xx',
  'controller-crash',
  'api-throttling',
  'replica-lag',
  'late-state-writes',
  'no-capacity',
  'promotion-failure',
  'capacity-lost-after-promotion',
  'maintenance-reboot',
]);

/** How long a maintenance reboot lasts when the drill does not say: 1–5 minutes, from the seed (RDS publishes no figure). */
export const maintenanceRebootMs = (seed: number): number => 60_000 + Math.floor(new Rng(seed).at('maintenance-length') * 240_000);

/** The operation a scenario is about. */
export function scenarioOperation(scenario: Scenario): Operation | undefined {
  if (scenario === 'target-fails-mid-switchover') return 'switchover';
  if (scenario === 'none') return undefined;
  return 'failover';
}

/** The operation a single drill of a scenario runs: the one it is about, a failover when it is about none. */
export function drillOperationFor(scenario: Scenario): 'failover' | 'switchover' {
  return scenarioOperation(scenario) === 'switchover' ? 'switchover' : 'failover';
}

/** True when the text names a scenario. */
export const isScenario = (text: string): text is Scenario => (SCENARIOS as readonly string[]).includes(text);

/**
 * What a scenario sets before its drill starts, whenever and wherever its fault comes (its
 * {@link ScenarioEffects} depend on both, so they are known only once the drill has begun).
 */
export interface ScenarioSetup {
  /** The config the drill runs with: `late-approval` requires approval whatever the config says. */
  readonly config: DrConfig;
  /** `controller-crash`: how long into the first run it drives the controller crashes, from the seed. */
  readonly crashAfterMs: number | undefined;
}

/** What `scenario` sets before a drill of `config` with `seed` starts. */
export function scenarioSetup(scenario: Scenario, config: DrConfig, seed: number): ScenarioSetup {
  return {
    config: scenario === 'late-approval' ? { ...config, approval: { ...config.approval, required: true } } : config,
    crashAfterMs: scenario === 'controller-crash' ? Math.floor(new Rng(seed).at('crash-point') * 480_000) : undefined,
  };
}

/** What a scenario does to the world: faults from `from` on, and anything else it changes. */
export interface ScenarioEffects {
  readonly faults: Faults;
  /** State writes answered late. */
  readonly lateWrites?: LateWrites;
  /** Whether the detector's run needs an operator's approval, and when the operator gives it (epoch ms). */
  readonly approval?: { readonly at: number };
  /** Whether the serving region was really impaired (a lossy probe path is not). */
  readonly impairs: boolean;
  /** When the impairment of the serving region ends, if it does. */
  readonly recoversAt?: number | undefined;
}

/**
 * The effects of a scenario starting at `from`, in the region being left (`fromRegion`) or, for
 * capacity and the target's failure, the region being moved to (`toRegion`). `outageMs`
 * overrides how long a serving region's outage lasts (a lifecycle ends it so it can fail back).
 */
export function scenarioEffects(
  scenario: Scenario,
  fromRegion: string,
  toRegion: string,
  from: number,
  outageMs?: number,
): ScenarioEffects {
  const to = outageMs === undefined ? undefined : from + outageMs;
  const outage: Faults = { outages: [{ region: fromRegion, from, to }] };
  switch (scenario) {
    case 'none':
      return { faults: {}, impairs: false };
    case 'region-outage':
    case 'controller-crash':
      return { faults: outage, impairs: true, recoversAt: to };
    case 'alb-5xx':
      return { faults: { alb5xx: [{ region: fromRegion, from, to }] }, impairs: true, recoversAt: to };
    case 'flapping-probe':
      return { faults: { flappingProbe: { region: fromRegion, from, failureRate: 0.5 } }, impairs: false };
    case 'api-throttling':
      return { faults: { ...outage, throttleRate: 0.3 }, impairs: true, recoversAt: to };
    case 'promotion-failure': {
      const end = from + (outageMs ?? 5 * 60_000);
      return { faults: { outages: [{ region: fromRegion, from, to: end }], promotionFails: true }, impairs: true, recoversAt: end };
    }
    case 'no-capacity':
      // In a lifecycle the shortage ends with the outage, and Auto Scaling then finds capacity.
      return {
        faults:
          to === undefined ? { ...outage, noCapacityRegion: toRegion } : { ...outage, capacityLoss: [{ region: toRegion, from, to }] },
        impairs: true,
        recoversAt: to,
      };
    case 'replica-lag':
      return { faults: { ...outage, replicaLagMs: [90_000, 300_000] }, impairs: true, recoversAt: to };
    case 'target-fails-mid-switchover': {
      // Before the earliest point of no return: capacity (≥ 90 s), drain (60 s) and the
      // promotion (≥ 4 min) take at least 6.5 minutes. At 7 minutes, with the ALB's 5 s checks,
      // the fastest switchovers had committed seconds before (a different scenario: a target
      // lost after the commit, whose outage no run can undo).
      const failsAt = from + 6 * 60_000;
      return { faults: { outages: [{ region: toRegion, from: failsAt, to: failsAt + 20 * 60_000 }] }, impairs: false };
    }
    case 'late-approval': {
      const end = from + 3 * 60_000;
      return {
        faults: { outages: [{ region: fromRegion, from, to: end }] },
        approval: { at: end + 10 * 60_000 },
        impairs: true,
        recoversAt: end,
      };
    }
    case 'late-state-writes':
      return { faults: outage, lateWrites: { rate: 0.05, delayMs: 75_000 }, impairs: true, recoversAt: to };
    case 'maintenance-reboot': {
      // The region is not impaired in the sense a failover answers: its database comes back.
      const end = from + (outageMs ?? 180_000);
      return { faults: { maintenance: [{ region: fromRegion, from, to: end }] }, impairs: false, recoversAt: end };
    }
    case 'capacity-lost-after-promotion': {
      const end = from + (outageMs ?? 30 * 60_000);
      return {
        faults: {
          outages: [{ region: fromRegion, from, to: end }],
          capacityLossAfterPromotion: { region: toRegion, afterMs: 10_000, forMs: 20 * 60_000 },
        },
        impairs: true,
        recoversAt: end,
      };
    }
  }
}
