import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SEQUENCE, runLifecycle, sequenceIssues } from '../../src/drill/lifecycle.js';
import type { Scenario } from '../../src/drill/scenarios.js';
import { config } from '../fixtures.js';

const ZERO = {
  promotionsPerOperationMax: 1,
  unsafeTrafficSeconds: 0,
  bothWritableSeconds: 0,
  selfInflictedOutageSeconds: 0,
  leaseViolations: 0,
};

describe('sequenceIssues', () => {
  it('accepts the default sequence', () => {
    expect(DEFAULT_SEQUENCE).toEqual(['failover', 'failback', 'failover', 'failback', 'switchover', 'failback']);
    expect(sequenceIssues(DEFAULT_SEQUENCE)).toEqual([]);
  });

  it('names an unknown operation, and one that cannot follow the one before it', () => {
    expect(sequenceIssues(['failback'])).toEqual([
      'operation 1 (failback): cannot run here: it comes first, so traffic is on the primary region and a failback needs it on the secondary',
    ]);
    expect(sequenceIssues(['failover', 'failover'])).toEqual([
      'operation 2 (failover): cannot run here: it follows failover, so traffic is on the secondary region and a failover needs it on the primary',
    ]);
    expect(sequenceIssues(['failover', 'rollover'])).toEqual([
      'operation 2 (rollover): unknown; the operations are failover, switchover, failback',
    ]);
    expect(sequenceIssues([])).toEqual(['the sequence names no operation']);
  });
});

describe('runLifecycle', () => {
  it('runs the default lifecycle on one world: every operation completes, every invariant holds, the pilot light is back as deployed', async () => {
    const r = await runLifecycle({ config, seed: 1 });

    expect(r.operations.map((o) => `${o.operation}:${o.outcome}:${o.trigger}`)).toEqual([
      'failover:completed:detector',
      'failback:completed:operator',
      'failover:completed:operator',
      'failback:completed:operator',
      'switchover:completed:operator',
      'failback:completed:operator',
    ]);
    expect(r.invariants).toEqual(ZERO);
    expect(r.pilotLight).toEqual({ restored: true, problems: [] });
    expect(r).toMatchObject({ outcome: 'completed', pilotLightRestored: true });
    expect(r.retiredInstances).toHaveLength(6);
    expect(r.operations.every((o) => o.rtoSeconds !== null && o.rtoSeconds > 0)).toBe(true);
  });

  it('promotes a writable database on the second failover: the fence is lifted after every failback', async () => {
    const r = await runLifecycle({ config, seed: 3, sequence: ['failover', 'failback', 'failover'], scenario: 'none' });

    expect(r.operations.map((o) => o.outcome)).toEqual(['completed', 'completed', 'completed']);
    expect(r.operations[2]?.rtoSeconds).toBeLessThan(900);
  });

  it('rolls a switchover back when its target fails mid-way, rebuilds the pilot light, and skips the failback that has nothing to do', async () => {
    const r = await runLifecycle({ config, seed: 2, scenario: 'target-fails-mid-switchover', sequence: ['switchover', 'failback'] });

    expect(r.operations.map((o) => `${o.operation}:${o.outcome}`)).toEqual([
      'switchover:rolled-back',
      'rebuild:completed',
      'failback:skipped',
    ]);
    expect(r.invariants).toEqual({ ...ZERO, promotionsPerOperationMax: expect.any(Number) });
    expect(r.pilotLightRestored).toBe(true);
  });

  test.prop(
    [
      fc.integer({ min: 0, max: 1_000_000 }),
      fc.constantFrom<Scenario>(
        'region-outage',
        'alb-5xx',
        'promotion-failure',
        'late-approval',
        'late-state-writes',
        'capacity-lost-after-promotion',
        'api-throttling',
        'controller-crash',
      ),
    ],
    { numRuns: 8 },
  )('keeps every invariant over a whole lifecycle, whatever the first failover meets', async (seed, scenario) => {
    const r = await runLifecycle({ config, seed, scenario });

    expect(r.invariants.unsafeTrafficSeconds).toBe(0);
    expect(r.invariants.bothWritableSeconds).toBe(0);
    expect(r.invariants.selfInflictedOutageSeconds).toBe(0);
    expect(r.invariants.leaseViolations).toBe(0);
    expect(r.invariants.promotionsPerOperationMax).toBeLessThanOrEqual(1);
    expect(r.pilotLightRestored).toBe(true);
    expect(r.outcome).toBe('completed');
  });

  test.prop([fc.integer({ min: 0, max: 1_000_000 })], { numRuns: 4 })(
    'holds with overlapping controllers that crash and calls whose answers are lost',
    async (seed) => {
      const r = await runLifecycle({ config, seed, chaos: { crashRate: 0.2, lostResponseRate: 0.02 } });

      expect(r.invariants).toEqual(ZERO);
      expect(r.pilotLightRestored).toBe(true);
    },
  );
});
