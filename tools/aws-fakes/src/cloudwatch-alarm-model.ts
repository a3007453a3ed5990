/**
 * CloudWatch alarms "as CloudWatch would" evaluate them, for tests: the metric math the
 * constructs use (`cloudwatch-metric-math.ts`), and the alarm's verdict from the datapoints of its evaluation range.
 *
 * A series is one value per period, oldest first, `undefined` where CloudWatch has no datapoint.
 * Every rule below is taken from the CloudWatch user guide; where the guide is silent the rule is
 * marked UNCONFIRMED and chosen as the least surprising reading.
 *
 * - Metric math: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html
 * - Missing data: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html
 * - Evaluation (period, N, M): https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
 */

import { evaluateQueries, type MetricQuery } from './cloudwatch-metric-math.js';

export { evaluateExpression, evaluateQueries, type MetricQuery } from './cloudwatch-metric-math.js';

/** One value per period, oldest first; `undefined` is a period without a datapoint. */
export type Series = readonly (number | undefined)[];

/** `PutMetricAlarm`'s `TreatMissingData`. */
export type TreatMissingData = 'missing' | 'notBreaching' | 'breaching' | 'ignore';

/** `PutMetricAlarm`'s static-threshold comparison operators. */
export type ComparisonOperator =
  'GreaterThanThreshold' | 'GreaterThanOrEqualToThreshold' | 'LessThanThreshold' | 'LessThanOrEqualToThreshold';

/** An alarm's state. */
export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** What the evaluation of an alarm needs from its definition. */
export interface AlarmRule {
  readonly threshold: number;
  readonly comparisonOperator: ComparisonOperator;
  /** N. */
  readonly evaluationPeriods: number;
  /** M. @default evaluationPeriods */
  readonly datapointsToAlarm?: number;
  /** @default 'missing', CloudWatch's default */
  readonly treatMissingData?: TreatMissingData;
}

/** Whether one datapoint breaches the alarm's threshold. */
export function breaches(value: number, rule: Pick<AlarmRule, 'threshold' | 'comparisonOperator'>): boolean {
  switch (rule.comparisonOperator) {
    case 'GreaterThanThreshold':
      return value > rule.threshold;
    case 'GreaterThanOrEqualToThreshold':
      return value >= rule.threshold;
    case 'LessThanThreshold':
      return value < rule.threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= rule.threshold;
  }
}

/**
 * How many periods CloudWatch fetches to evaluate an alarm of `evaluationPeriods` periods. The
 * guide only says "a higher number of data points than ... Evaluation Periods", depending on the
 * period and resolution; its examples fetch 5 for N = 3. N + 2 is that example: UNCONFIRMED for
 * other N.
 */
export function defaultEvaluationRange(evaluationPeriods: number): number {
  return evaluationPeriods + 2;
}

/**
 * How many missing datapoints an evaluation fills with the `TreatMissingData` result: none when
 * the range holds N real datapoints, else as many as make N ("CloudWatch uses missing data points
 * only as few times as possible"): the guide's "# of data points that must be filled" column.
 */
export function datapointsToFill(evaluationPeriods: number, range: Series): number {
  return Math.max(0, evaluationPeriods - range.filter((p) => p !== undefined).length);
}

/**
 * The state one evaluation gives an alarm, from the datapoints of its evaluation range (oldest
 * first, the latest period last) and the state it is in (which `ignore` may keep), following the
 * user guide's "How alarm state is evaluated when data is missing":
 *
 * 1. N or more real datapoints in the range: the N most recent real ones decide (missing data
 *    is not used); ALARM when M or more of them breach.
 * 2. Fewer: "CloudWatch fills in the missing data points with the result you specified ...
 *    However, all real data points in the evaluation range are included", filling as few as
 *    needed to make N. `breaching` fills breach, `notBreaching` fills do not.
 * 3. With `missing` or `ignore` the fills are neither: M real breaching points alarm; a real
 *    non-breaching point means OK (the tables' "0 - - - -" and "0 - X - -" rows); otherwise
 *    (every real point breaches, fewer than M of them) the premature-alarm rule decides:
 *    ALARM "when the oldest available breaching datapoint ... is at least as old as the value of
 *    Datapoints to Alarm, and all other more recent data points are breaching or missing" (the
 *    tables give `ignore` the current state there), else INSUFFICIENT_DATA (`missing`) or the
 *    current state (`ignore`). No real point at all: INSUFFICIENT_DATA or the current state.
 *
 * Checked against every row of the guide's two example tables (test/cloudwatch-alarm-model.test.ts).
 */
export function evaluateAlarm(rule: AlarmRule, range: Series, current: AlarmState): AlarmState {
  const n = rule.evaluationPeriods;
  const m = rule.datapointsToAlarm ?? n;
  if (!(n >= 1 && m >= 1 && m <= n)) throw new Error(`alarm: need 1 <= DatapointsToAlarm (${m}) <= EvaluationPeriods (${n})`);
  if (range.length < n) throw new Error(`alarm: the evaluation range (${range.length}) must hold at least EvaluationPeriods (${n})`);
  // Real datapoints, newest first, with their age in periods (0 = the latest period).
  const real = range
    .map((value, index) => ({ value, age: range.length - 1 - index }))
    .filter((p): p is { value: number; age: number } => p.value !== undefined)
    .reverse();
  const verdict = (breachingCount: number): AlarmState => (breachingCount >= m ? 'ALARM' : 'OK');
  if (real.length >= n) return verdict(real.slice(0, n).filter((p) => breaches(p.value, rule)).length);

  const fills = datapointsToFill(n, range);
  const realBreaching = real.filter((p) => breaches(p.value, rule));
  const treat = rule.treatMissingData ?? 'missing';
  switch (treat) {
    case 'breaching':
      return verdict(realBreaching.length + fills);
    case 'notBreaching':
      return verdict(realBreaching.length);
    case 'missing':
    case 'ignore': {
      const undecided: AlarmState = treat === 'missing' ? 'INSUFFICIENT_DATA' : current;
      if (real.length === 0) return undecided;
      if (realBreaching.length >= m) return 'ALARM';
      if (realBreaching.length < real.length) return 'OK';
      const oldestBreaching = realBreaching[realBreaching.length - 1];
      const premature = oldestBreaching !== undefined && oldestBreaching.age + 1 >= m;
      if (premature) return treat === 'missing' ? 'ALARM' : current;
      return undecided;
    }
  }
}

/** One evaluation of {@link simulateAlarm}: the period it ended with, and the state it set. */
export interface AlarmEvaluation {
  /** Index (in the input series) of the latest period of the evaluation range. */
  readonly at: number;
  readonly state: AlarmState;
}

/** A metric alarm as its template gives it: one metric, or metric math whose `returnId` result it watches. */
export interface ModelledAlarm extends AlarmRule {
  /** The alarm's queries: the metrics' data for the whole run, and the expressions. */
  readonly queries: readonly MetricQuery[];
  /** The id of the query the alarm watches (ReturnData). */
  readonly returnId: string;
  /** @default defaultEvaluationRange(evaluationPeriods) */
  readonly evaluationRange?: number;
  /**
   * Metrics published late, by id: how many of the latest periods of each evaluation range have
   * no datapoint yet (they arrive before a later evaluation). The delay between a period's end
   * and the alarm's evaluation is UNCONFIRMED; this is how tests put the FILL caveat ("metrics
   * ... published with a slight delay, and the most recent minute never has data") to work.
   * @default - every datapoint is there when the alarm evaluates
   */
  readonly latePeriods?: Readonly<Record<string, number>>;
}

/**
 * Runs an alarm over a whole recording, evaluating it once per period (CloudWatch evaluates alarms
 * of a minute or more every minute; with one-minute periods that is every period, with longer ones
 * the minutes between two period ends see the same datapoints):
 * each evaluation queries only its evaluation range, so FILL and REPEAT see that range alone,
 * then sets the state from it. Starts in INSUFFICIENT_DATA, as a new alarm does
 * (`PutMetricAlarm`: "the alarm state is immediately set to INSUFFICIENT_DATA").
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
 */
export function simulateAlarm(alarm: ModelledAlarm): AlarmEvaluation[] {
  const range = alarm.evaluationRange ?? defaultEvaluationRange(alarm.evaluationPeriods);
  const lengths = new Set(alarm.queries.flatMap((q) => ('points' in q ? [q.points.length] : [])));
  if (lengths.size !== 1) throw new Error(`alarm: every metric needs the same number of periods; got ${[...lengths].join(', ') || 'none'}`);
  const [total = 0] = [...lengths];
  let state: AlarmState = 'INSUFFICIENT_DATA';
  const history: AlarmEvaluation[] = [];
  for (let end = range; end <= total; end++) {
    const window = alarm.queries.map((q): MetricQuery => {
      if (!('points' in q)) return q;
      const late = alarm.latePeriods?.[q.id] ?? 0;
      return { id: q.id, points: q.points.slice(end - range, end).map((p, i) => (i >= range - late ? undefined : p)) };
    });
    const watched = evaluateQueries(window, range)[alarm.returnId];
    if (!watched) throw new Error(`alarm: no query has the id ${alarm.returnId}`);
    state = evaluateAlarm(alarm, watched, state);
    history.push({ at: end - 1, state });
  }
  return history;
}
