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
  'promotion-failure': 'region outage, and RDS rejects the replica promotion',
  'no-capacity': 'region outage, and the target region has no capacity for the instance type',
  'controller-crash': 'region outage, and the controller crashes mid-run; the next invocation resumes',
  'replica-lag': 'region outage while the replica lags minutes behind (the RPO guard refuses)',
};

/** True when the text names a scenario. */
export const isScenario = (text: string): text is Scenario => (SCENARIOS as readonly string[]).includes(text);

/**
 * The faults of a scenario, starting at `from` in the region being left (`fromRegion`) or, for
 * capacity, the region being moved to (`toRegion`).
 */
export function scenarioFaults(scenario: Scenario, fromRegion: string, toRegion: string, from: number): Faults {
  const outage: Faults = { outages: [{ region: fromRegion, from }] };
  switch (scenario) {
    case 'none':
      return {};
    case 'region-outage':
    case 'controller-crash':
      return outage;
    case 'alb-5xx':
      return { alb5xx: [{ region: fromRegion, from }] };
    case 'flapping-probe':
      return { flappingProbe: { region: fromRegion, from, failureRate: 0.5 } };
    case 'api-throttling':
      return { ...outage, throttleRate: 0.3 };
    case 'promotion-failure':
      return { ...outage, promotionFails: true };
    case 'no-capacity':
      return { ...outage, noCapacityRegion: toRegion };
    case 'replica-lag':
      return { ...outage, replicaLagMs: [90_000, 300_000] };
  }
}
