import { parseConfig, referenceConfig } from '@dr/failover-core';
import { describe, expect, it } from 'vitest';
import { runJob } from '../src/jobs.js';

const config = parseConfig(referenceConfig);

describe('runJob', () => {
  it('runs a scenario about a switchover as a switchover drill', async () => {
    const r = await runJob(config, { kind: 'drill', scenario: 'target-fails-mid-switchover', seed: 1 });

    expect(r.operations).toHaveLength(1);
    expect(r.operations[0]?.operation).toBe('switchover');
    expect(r.pilotLightRestored).toBeNull();
  });

  it('keeps the figures of a lifecycle with crashes, and every operation of it', async () => {
    const r = await runJob(config, {
      kind: 'lifecycle',
      scenario: 'region-outage',
      seed: 1,
      chaos: { crashRate: 0.2, lostResponseRate: 0.02 },
    });

    expect(r.operations.map((o) => o.operation)).toEqual(expect.arrayContaining(['failover', 'failback', 'switchover']));
    expect(r.operations.find((o) => o.scenario !== null)?.operation).toBe('failover');
    expect(typeof r.pilotLightRestored).toBe('boolean');
    expect(r.invocations).toBeGreaterThan(0);
    // A result crosses a worker boundary: plain data only.
    expect(structuredClone(r)).toEqual(r);
  });
});
