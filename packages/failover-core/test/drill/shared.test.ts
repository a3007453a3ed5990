import { describe, expect, it } from 'vitest';
import { brokenInvariants, INVARIANT_LIMITS, type Invariants } from '../../src/drill/audit.js';
import { drillOutcome } from '../../src/drill/report.js';
import { drillOperationFor, scenarioEffects, scenarioOperation, scenarioSetup, SCENARIOS } from '../../src/drill/scenarios.js';
import { DrillSession } from '../../src/drill/session.js';
import type { RunState } from '../../src/machine/types.js';
import { roundTenths, secs } from '../../src/util/tenths.js';
import { config } from '../fixtures.js';

const held: Invariants = {
  promotionsPerOperationMax: 1,
  unsafeTrafficSeconds: 0,
  bothWritableSeconds: 0,
  selfInflictedOutageSeconds: 0,
  leaseViolations: 0,
};

describe('the invariants’ limits', () => {
  it('allow one promotion in a run and nothing of the others', () => {
    expect(INVARIANT_LIMITS).toEqual(held);
    expect(brokenInvariants(held)).toEqual([]);
  });

  it('name what broke, in the order the invariants are listed', () => {
    expect(brokenInvariants({ ...held, leaseViolations: 1, promotionsPerOperationMax: 2, unsafeTrafficSeconds: 0.1 })).toEqual([
      'promotionsPerOperationMax',
      'unsafeTrafficSeconds',
      'leaseViolations',
    ]);
  });
});

describe('a scenario’s drill', () => {
  it('runs the operation the scenario is about, a failover when it is about none', () => {
    for (const scenario of SCENARIOS) expect(drillOperationFor(scenario)).toBe(scenarioOperation(scenario) ?? 'failover');
    expect(drillOperationFor('target-fails-mid-switchover')).toBe('switchover');
  });

  it('requires approval for late-approval, crashes the controller for controller-crash, and leaves the config alone otherwise', () => {
    expect(config.approval.required).toBe(false);
    expect(scenarioSetup('late-approval', config, 1).config.approval.required).toBe(true);
    expect(scenarioSetup('region-outage', config, 1)).toEqual({ config, crashAfterMs: undefined });
    const crash = scenarioSetup('controller-crash', config, 7).crashAfterMs;
    expect(crash).toBeGreaterThanOrEqual(0);
    expect(crash).toBeLessThan(480_000);
    expect(scenarioSetup('controller-crash', config, 7).crashAfterMs).toBe(crash);
  });
});

describe('a scenario in a session', () => {
  it('ends by turning off only the faults it set, leaving its windows and the chaos alone', () => {
    const session = new DrillSession({ config, seed: 1, chaos: { lostResponseRate: 0.02, lateWrites: { rate: 0.01, delayMs: 1_000 } } });
    const at = session.t0 + 60_000;
    const effects = scenarioEffects('late-state-writes', config.primary.region, config.secondary.region, at, 600_000);
    const throttling = scenarioEffects('api-throttling', config.primary.region, config.secondary.region, at, 600_000);

    session.applyScenario(effects);
    session.applyScenario(throttling);
    expect(session.store.late).toEqual({ rate: 0.05, delayMs: 75_000 });
    expect(session.world.faults.throttleRate).toBe(0.3);
    session.endScenario(throttling);
    session.endScenario(effects);

    expect(session.world.faults.throttleRate).toBeUndefined();
    expect(session.world.faults.lostResponseRate).toBe(0.02);
    expect(session.world.faults.outages).toHaveLength(2);
    expect(session.store.late).toEqual({ rate: 0.01, delayMs: 1_000 });
  });
});

describe('drillOutcome', () => {
  it('is not-triggered without a run, the phase for an ending a drill names, and failed otherwise', () => {
    const run = (phase: string) => ({ phase }) as unknown as RunState;
    expect(drillOutcome(undefined)).toBe('not-triggered');
    for (const phase of ['completed', 'refused', 'rolled-back'] as const) expect(drillOutcome(run(phase))).toBe(phase);
    expect(drillOutcome(run('failed'))).toBe('failed');
    expect(drillOutcome(run('awaiting-approval'))).toBe('failed');
  });
});

describe('tenths of a second', () => {
  it('rounds milliseconds and seconds to a tenth of a second', () => {
    expect(secs(116_049)).toBe(116);
    expect(secs(116_050)).toBe(116.1);
    expect(roundTenths(0.1 + 0.2)).toBe(0.3);
    expect(roundTenths(12.25)).toBe(12.3);
  });
});
