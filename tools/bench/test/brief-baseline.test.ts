import { parseConfig, referenceConfig } from '@dr/failover-core';
import { SCENARIOS } from '@dr/failover-core/drill';
import { describe, expect, it } from 'vitest';
import { runBriefBaseline } from '../src/brief-baseline.js';
import { drillAt, stats } from '../src/mix.js';

const config = parseConfig(referenceConfig);

describe('runBriefBaseline', () => {
  it('detects on the one-minute schedule and recovers a region outage in sequence', async () => {
    const r = await runBriefBaseline(config, 1);

    expect(r.triggered).toBe(true);
    expect(r.detectSeconds).toBeGreaterThan(0);
    expect(r.detectSeconds).toBeLessThanOrEqual(65);
    // Scale (90–180 s) then promote (240–480 s), one after the other.
    expect((r.rtoSeconds ?? 0) - (r.detectSeconds ?? 0)).toBeGreaterThan(330);
  });

  it('sends users to the DR region while its database is still read-only, as the audit over both regions measures', async () => {
    const r = await runBriefBaseline(config, 1);

    // Global Accelerator fails over to the DR endpoint once its instances are healthy, minutes
    // before the promotion makes the database writable.
    expect(r.unsafeTrafficSeconds).toBeGreaterThan(0);
    expect(r.unsafeTrafficSeconds).toBeLessThan(r.rtoSeconds ?? 0);
  });

  it('fails over on a flapping probe, which ours never does', async () => {
    const r = await runBriefBaseline(config, 1, 'flapping-probe');

    expect(r.triggered).toBe(true);
  });
});

describe('mix', () => {
  it('draws the same drill for the same index, across all scenarios', () => {
    const drawn = Array.from({ length: 200 }, (_, i) => drillAt(i));

    expect(drillAt(5)).toEqual(drawn[5]);
    expect(new Set(drawn.map((d) => d.scenario)).size).toBe(SCENARIOS.length);
  });

  it('summarises a sample', () => {
    expect(stats([3, 1, 2, 4])).toMatchObject({ n: 4, mean: 2.5, min: 1, max: 4, p50: 3 });
  });
});
