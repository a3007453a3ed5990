import { describe, expect, it } from 'vitest';
import { estimateMonthlyCost, RDS_INSTANCE_HOURLY } from '../../src/cost/rds-prices.js';

describe('estimateMonthlyCost', () => {
  it('prices instance hours and storage at list prices, and says what it counted', () => {
    const e = estimateMonthlyCost({ region: 'us-east-1', instanceClass: 'db.t3.small', allocatedStorageGiB: 20 });

    expect(e?.usd).toBeCloseTo(0.034 * 730 + 20 * 0.115, 2);
    expect(e?.basis).toMatch(/^db\.t3\.small instance hours \+ 20 GiB storage, list prices read \d{4}-\d{2}-\d{2}$/);
  });

  it('gives no estimate for a class or region it has no price for, rather than a guess', () => {
    expect(estimateMonthlyCost({ region: 'ap-south-2', instanceClass: 'db.t3.small' })).toBeUndefined();
    expect(estimateMonthlyCost({ region: 'us-east-1', instanceClass: 'db.x2iedn.32xlarge' })).toBeUndefined();
  });

  it('names a source and a date for every price', () => {
    for (const prices of Object.values(RDS_INSTANCE_HOURLY))
      for (const p of Object.values(prices)) expect(p.source.length > 10 && /^\d{4}-\d{2}-\d{2}$/.test(p.read)).toBe(true);
  });
});
