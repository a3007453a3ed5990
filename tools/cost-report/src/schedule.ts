/**
 * How many times a month an EventBridge schedule fires, from its expression.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html
 */
import { CostReportError } from './errors.js';

/** Hours in a month, as AWS's calculator counts them. */
export const HOURS_PER_MONTH = 730;
const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;

const RATE_UNIT_MINUTES: Readonly<Record<string, number>> = { minute: 1, minutes: 1, hour: 60, hours: 60, day: 1440, days: 1440 };

/** How many values a cron field takes within `[min, max]`: `*`, `?`, lists, ranges and `/` steps. */
function fieldCount(field: string, min: number, max: number, expression: string): number {
  if (field === '*' || field === '?') return max - min + 1;
  let count = 0;
  for (const part of field.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    let low: number;
    let high: number;
    if (range === '*') [low, high] = [min, max];
    else if (range.includes('-')) [low, high] = range.split('-').map(Number) as [number, number];
    else if (/^\d+$/.test(range)) [low, high] = [Number(range), stepText === undefined ? Number(range) : max];
    // Names (MON, JAN), L, W and # fire on a bounded number of days: counted as one value each.
    else [low, high] = [0, 0];
    if (!Number.isFinite(low) || !Number.isFinite(high) || !Number.isInteger(step) || step < 1)
      throw new CostReportError(`ScheduleExpression ${expression}: cannot read the cron field ${JSON.stringify(field)}`);
    count += Math.floor((high - low) / step) + 1;
  }
  return count;
}

/**
 * Invocations a month of `rate(...)` or `cron(...)`: a rate fires every period over 730 hours; a
 * cron fires (minutes × hours) a day on the days it names, a month's share of each.
 */
export function invocationsPerMonth(expression: string): number {
  const rate = /^rate\((\d+)\s+([a-z]+)\)$/.exec(expression.trim());
  if (rate) {
    const minutes = RATE_UNIT_MINUTES[rate[2] ?? ''];
    const value = Number(rate[1]);
    if (!minutes || value < 1) throw new CostReportError(`ScheduleExpression ${expression}: unknown rate unit or value`);
    return (HOURS_PER_MONTH * 60) / (value * minutes);
  }
  const cron = /^cron\((.+)\)$/.exec(expression.trim());
  if (cron) {
    const fields = (cron[1] ?? '').trim().split(/\s+/);
    if (fields.length !== 6)
      throw new CostReportError(
        `ScheduleExpression ${expression}: a cron expression has six fields (minutes hours day-of-month month day-of-week year)`,
      );
    const [minutes = '', hours = '', dayOfMonth = '', month = '', dayOfWeek = ''] = fields;
    const perDay = fieldCount(minutes, 0, 59, expression) * fieldCount(hours, 0, 23, expression);
    const everyDay = (dayOfMonth === '*' || dayOfMonth === '?') && (dayOfWeek === '*' || dayOfWeek === '?');
    const days = everyDay
      ? DAYS_PER_MONTH
      : dayOfMonth !== '?' && dayOfMonth !== '*'
        ? fieldCount(dayOfMonth, 1, 31, expression) * (DAYS_PER_MONTH / 31)
        : fieldCount(dayOfWeek, 1, 7, expression) * (DAYS_PER_MONTH / 7);
    const monthShare = fieldCount(month, 1, 12, expression) / 12;
    return perDay * days * monthShare;
  }
  throw new CostReportError(`ScheduleExpression ${JSON.stringify(expression)}: neither rate(...) nor cron(...)`);
}
