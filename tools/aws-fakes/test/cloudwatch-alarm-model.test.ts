import { describe, expect, it } from 'vitest';
import {
  type AlarmRule,
  type AlarmState,
  type Series,
  type TreatMissingData,
  datapointsToFill,
  evaluateAlarm,
  evaluateExpression,
  evaluateQueries,
  simulateAlarm,
} from '../src/index.js';

/** A row of the user guide's tables: `0` does not breach, `X` breaches, `-` is missing (latest on the right). */
function row(text: string): Series {
  return text.split(' ').map((c) => (c === '-' ? undefined : c === 'X' ? 10 : 0));
}
const RETAIN = 'retain';
type Expected = AlarmState | typeof RETAIN;
const TREATMENTS: readonly TreatMissingData[] = ['missing', 'ignore', 'breaching', 'notBreaching'];
const rule = (datapointsToAlarm: number, treatMissingData: TreatMissingData): AlarmRule => ({
  threshold: 5,
  comparisonOperator: 'GreaterThanThreshold',
  evaluationPeriods: 3,
  datapointsToAlarm,
  treatMissingData,
});

/** Checks a row under each treatment; `retain` is checked from two different current states. */
function expectRow(datapointsToAlarm: number, points: string, expected: readonly [Expected, Expected, Expected, Expected]): void {
  TREATMENTS.forEach((treat, i) => {
    const want = expected[i];
    for (const current of ['OK', 'ALARM'] as const) {
      expect(evaluateAlarm(rule(datapointsToAlarm, treat), row(points), current), `${points} ${treat} from ${current}`).toBe(
        want === RETAIN ? current : want,
      );
    }
  });
}

// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html
// Columns: MISSING, IGNORE, BREACHING, NOT BREACHING; N = 3, evaluation range 5.
describe("evaluateAlarm, against the guide's tables", () => {
  it('gives every row of the 3-out-of-3 table its documented state', () => {
    expectRow(3, '0 - X - X', ['OK', 'OK', 'OK', 'OK']);
    expectRow(3, '0 - - - -', ['OK', 'OK', 'OK', 'OK']);
    expectRow(3, '- - - - -', ['INSUFFICIENT_DATA', RETAIN, 'ALARM', 'OK']);
    expectRow(3, '0 X X - X', ['ALARM', 'ALARM', 'ALARM', 'ALARM']);
    expectRow(3, '- - X - -', ['ALARM', RETAIN, 'ALARM', 'OK']);
  });

  it('gives every row of the 2-out-of-3 table its documented state', () => {
    expectRow(2, '0 - X - X', ['ALARM', 'ALARM', 'ALARM', 'ALARM']);
    expectRow(2, '0 0 X 0 X', ['ALARM', 'ALARM', 'ALARM', 'ALARM']);
    expectRow(2, '0 - X - -', ['OK', 'OK', 'ALARM', 'OK']);
    expectRow(2, '- - - - 0', ['OK', 'OK', 'ALARM', 'OK']);
    expectRow(2, '- - - X -', ['ALARM', RETAIN, 'ALARM', 'OK']);
  });

  it('gives the rows only the 2023 edition of the page shows their states (a lone latest breach waits; an old one alarms)', () => {
    expectRow(3, '- - - - X', ['INSUFFICIENT_DATA', RETAIN, 'ALARM', 'OK']);
    expectRow(3, 'X - - - -', ['ALARM', RETAIN, 'ALARM', 'OK']);
    expectRow(2, '- - - - X', ['INSUFFICIENT_DATA', RETAIN, 'ALARM', 'OK']);
  });

  it("fills as many missing datapoints as the tables' second column says", () => {
    expect(['0 - X - X', '0 - - - -', '- - - - -', '0 X X - X', '- - X - -'].map((r) => datapointsToFill(3, row(r)))).toEqual([
      0, 2, 3, 0, 2,
    ]);
    expect(['0 - X - X', '0 0 X 0 X', '0 - X - -', '- - - - 0', '- - - X -'].map((r) => datapointsToFill(3, row(r)))).toEqual([
      0, 0, 1, 2, 2,
    ]);
  });

  it('compares with each operator, the threshold itself breaching only the or-equal ones', () => {
    const at = (comparisonOperator: AlarmRule['comparisonOperator'], value: number) =>
      evaluateAlarm({ threshold: 1, comparisonOperator, evaluationPeriods: 1 }, [value, value, value], 'OK');

    expect([
      at('GreaterThanThreshold', 1),
      at('GreaterThanOrEqualToThreshold', 1),
      at('LessThanThreshold', 1),
      at('LessThanOrEqualToThreshold', 1),
    ]).toEqual(['OK', 'ALARM', 'OK', 'ALARM']);
    expect([at('GreaterThanThreshold', 2), at('LessThanThreshold', 0)]).toEqual(['ALARM', 'ALARM']);
  });

  it('refuses a DatapointsToAlarm above EvaluationPeriods', () => {
    expect(() =>
      evaluateAlarm(
        { threshold: 1, comparisonOperator: 'GreaterThanThreshold', evaluationPeriods: 2, datapointsToAlarm: 3 },
        [1, 1, 1, 1],
        'OK',
      ),
    ).toThrow(/DatapointsToAlarm/);
  });
});

// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html
describe("evaluateExpression, against the guide's examples", () => {
  const u = undefined;

  it("compares two series treating a lone missing value as 0, as the guide's comparison table shows", () => {
    const inputs = { metric1: [30, 20, 0, 0], metric2: [20, u, 20, u] };

    expect(evaluateExpression('(metric1 < metric2)', inputs, 4)).toEqual([0, 0, 1, 0]);
    expect(evaluateExpression('(metric1 >= 30)', inputs, 4)).toEqual([1, 0, 0, 0]);
    expect(evaluateExpression('(metric1 > 15 AND metric2 > 15)', inputs, 4)).toEqual([1, 0, 0, 0]);
  });

  it("chooses per timestamp in IF as the guide's three IF tables show", () => {
    const inputs = { metric1: [1, 1, 0, 0, u], metric2: [30, u, 0, 0, 30], metric3: [0, 0, 20, u, 20] };

    expect(evaluateExpression('IF(metric1, metric2, metric3)', inputs, 5)).toEqual([30, 0, 20, u, u]);
    expect(evaluateExpression('IF(metric1, 5, metric3)', inputs, 5)).toEqual([5, 5, 20, u, u]);
    expect(evaluateExpression('IF(metric1, metric2, 5)', inputs, 5)).toEqual([30, 0, 5, 5, u]);
  });

  it('drops an IF output whose condition is false and has no false value', () => {
    expect(evaluateExpression('IF(m1 < 400, m1)', { m1: [100, 500, u] }, 3)).toEqual([100, u, u]);
  });

  it('treats a missing value as 0 in arithmetic between series, and drops a division by zero', () => {
    const inputs = { m1: [1, u, 4, u], m2: [2, 3, 0, u] };

    expect(evaluateExpression('m1 + m2', inputs, 4)).toEqual([3, 3, 4, u]);
    expect(evaluateExpression('m1 / m2', inputs, 4)).toEqual([0.5, 0, u, u]);
    expect(evaluateExpression('-m1 * 2 ^ 2', inputs, 4)).toEqual([-4, u, -16, u]);
  });

  it('fills every period of the range with a constant, the latest included, or repeats the last real value', () => {
    const inputs = { m1: [u, 3, u, u, 7, u] };

    expect(evaluateExpression('FILL(m1, 0)', inputs, 6)).toEqual([0, 3, 0, 0, 7, 0]);
    expect(evaluateExpression('FILL(m1, REPEAT)', inputs, 6)).toEqual([u, 3, 3, 3, 7, 7]);
    expect(evaluateExpression('FILL(m1, 0)', { m1: [u, u, u] }, 3)).toEqual([0, 0, 0]);
  });

  it('refuses what it does not model rather than guess', () => {
    expect(() => evaluateExpression('RATE(m1)', { m1: [1] }, 1)).toThrow(/not modelled/);
    expect(() => evaluateExpression('m2 + 1', { m1: [1] }, 1)).toThrow(/no input named m2/);
    expect(() => evaluateExpression('2 + 1', {}, 1)).toThrow(/scalar/);
  });

  it('evaluates expressions that use other expressions, in dependency order', () => {
    const results = evaluateQueries(
      [
        { id: 'share', expression: 'IF(total > 0, bad / total, 0)' },
        { id: 'bad', expression: 'FILL(errors, 0)' },
        { id: 'total', expression: 'FILL(requests, 0)' },
        { id: 'errors', points: [u, 5, u] },
        { id: 'requests', points: [u, 10, 20] },
      ],
      3,
    );

    expect(results.share).toEqual([0, 0.5, 0]);
  });
});

describe('simulateAlarm', () => {
  it('starts in INSUFFICIENT_DATA and evaluates once per period on its own evaluation range', () => {
    const history = simulateAlarm({
      threshold: 0,
      comparisonOperator: 'GreaterThanThreshold',
      evaluationPeriods: 1,
      treatMissingData: 'missing',
      returnId: 'm1',
      queries: [{ id: 'm1', points: [undefined, undefined, undefined, 1, 0, 0, 0] }],
    });

    expect(history.map((h) => h.state)).toEqual(['INSUFFICIENT_DATA', 'ALARM', 'OK', 'OK', 'OK']);
    expect(history.map((h) => h.at)).toEqual([2, 3, 4, 5, 6]);
  });

  it('repeats only within the evaluation range: a value older than the range is not repeated', () => {
    const history = simulateAlarm({
      threshold: 1,
      comparisonOperator: 'LessThanThreshold',
      evaluationPeriods: 1,
      treatMissingData: 'breaching',
      returnId: 'e',
      queries: [
        { id: 'e', expression: 'FILL(m, REPEAT)' },
        { id: 'm', points: [1, undefined, undefined, undefined, undefined] },
      ],
    });

    expect(history.map((h) => h.state)).toEqual(['OK', 'ALARM', 'ALARM']);
  });
});

describe('simulateAlarm with late metrics', () => {
  it('shows the FILL caveat: a late metric filled on its latest minute holds a 1-of-1 alarm in the filled state', () => {
    const alarm = {
      threshold: 0,
      comparisonOperator: 'GreaterThanThreshold',
      evaluationPeriods: 1,
      treatMissingData: 'missing',
      returnId: 'e',
    } as const;
    const queries = [
      { id: 'e', expression: 'FILL(errors, 0)' },
      { id: 'errors', points: [5, 5, 5, 5, 5, 5] },
    ];

    expect(simulateAlarm({ ...alarm, queries }).map((h) => h.state)).toEqual(['ALARM', 'ALARM', 'ALARM', 'ALARM']);
    expect(simulateAlarm({ ...alarm, queries, latePeriods: { errors: 1 } }).map((h) => h.state)).toEqual(['OK', 'OK', 'OK', 'OK']);
  });
});
