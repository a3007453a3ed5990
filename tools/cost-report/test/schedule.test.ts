import { describe, expect, it } from 'vitest';
import { invocationsPerMonth, isCostReportError } from '../src/index.js';

describe('invocationsPerMonth', () => {
  it('counts a rate over 730 hours', () => {
    expect(invocationsPerMonth('rate(1 minute)')).toBe(43_800);
    expect(invocationsPerMonth('rate(5 minutes)')).toBe(8_760);
    expect(invocationsPerMonth('rate(2 hours)')).toBe(365);
  });

  it('counts a daily cron as a month of days', () => {
    expect(invocationsPerMonth('cron(0 2 * * ? *)')).toBeCloseTo(730 / 24, 6);
  });

  it('counts minute lists, steps and week days', () => {
    expect(invocationsPerMonth('cron(0/15 * * * ? *)')).toBeCloseTo(4 * 24 * (730 / 24), 6);
    expect(invocationsPerMonth('cron(0 9 ? * 2-6 *)')).toBeCloseTo(5 * (730 / 24 / 7), 6);
  });

  it('refuses an expression it cannot read, naming it', () => {
    const attempt = () => invocationsPerMonth('every minute');
    expect(attempt).toThrow(/ScheduleExpression "every minute"/);
    try {
      attempt();
    } catch (error) {
      expect(isCostReportError(error)).toBe(true);
    }
  });
});
