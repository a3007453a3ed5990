import { describe, expect, it } from 'vitest';
import { expectations } from '../../src/drill/expectations.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import { config } from '../fixtures.js';

describe('expectations', () => {
  it("times every step of the operation's plan, each median within its 90th percentile, the same on every call", async () => {
    const first = await expectations(config, 'failover', 6);
    const again = await expectations(config, 'failover', 6);

    expect(first).toEqual(again);
    expect(first!.drills).toBe(6);
    expect(first!.steps.map((s) => s.id)).toEqual(buildPlan(config, 'failover').steps.map((s) => s.id));
    for (const s of [...first!.steps, first!.rto]) {
      expect(s.p50Seconds).toBeGreaterThanOrEqual(0);
      expect(s.p50Seconds!).toBeLessThanOrEqual(s.p90Seconds!);
      expect(Math.round(s.p90Seconds! * 10) / 10).toBe(s.p90Seconds);
    }
    expect(first!.rto.p50Seconds).toBeGreaterThan(0);
  });

  it("counts no approval wait, even when the config requires one: a person's response time is not the model's to guess", async () => {
    const approving = { ...config, approval: { ...config.approval, required: true } };

    expect(await expectations(approving, 'switchover', 3)).toEqual(await expectations(config, 'switchover', 3));
  });

  it('has none for a rebuild, which no drill runs on its own', async () => {
    expect(await expectations(config, 'rebuild')).toBeUndefined();
  });

  it('refuses a number of drills that is not a whole number from 1, naming it', async () => {
    await expect(expectations(config, 'failover', 0)).rejects.toThrow(/drills must be a whole number from 1; got 0/);
  });
});
