/**
 * CloudWatch alarms "as CloudWatch would" evaluate them, for tests: the metric math the
 * constructs use, and the alarm's verdict from the datapoints of its evaluation range.
 *
 * A series is one value per period, oldest first, `undefined` where CloudWatch has no datapoint.
 * Every rule below is taken from the CloudWatch user guide; where the guide is silent the rule is
 * marked UNCONFIRMED and chosen as the least surprising reading.
 *
 * - Metric math: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html
 * - Missing data: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html
 * - Evaluation (period, N, M): https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
 */

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

// ---------------------------------------------------------------------------------------------
// Metric math
// ---------------------------------------------------------------------------------------------

type Value = { readonly kind: 'scalar'; readonly value: number } | { readonly kind: 'series'; readonly points: Series };

type Node =
  | { readonly type: 'number'; readonly value: number }
  | { readonly type: 'id'; readonly name: string }
  | { readonly type: 'repeat' }
  | { readonly type: 'unary'; readonly operand: Node }
  | { readonly type: 'binary'; readonly op: string; readonly left: Node; readonly right: Node }
  | { readonly type: 'call'; readonly name: string; readonly args: readonly Node[] };

const BINARY_LEVELS: readonly (readonly string[])[] = [
  ['OR', '||'],
  ['AND', '&&'],
  ['==', '!=', '<=', '>=', '<', '>'],
  ['+', '-'],
  ['*', '/'],
  ['^'],
];
const COMPARISONS = new Set(['==', '!=', '<=', '>=', '<', '>']);
const LOGICAL = new Set(['OR', '||', 'AND', '&&']);

function tokenize(expression: string): string[] {
  const tokens: string[] = [];
  const pattern = /\s*(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[A-Za-z_][A-Za-z0-9_]*|\|\||&&|<=|>=|==|!=|[-+*/^<>(),])/y;
  let at = 0;
  while (at < expression.length) {
    if (/^\s*$/.test(expression.slice(at))) break;
    pattern.lastIndex = at;
    const match = pattern.exec(expression);
    if (!match?.[1]) throw new Error(`metric math: cannot read ${JSON.stringify(expression.slice(at))} in ${JSON.stringify(expression)}`);
    tokens.push(match[1]);
    at = pattern.lastIndex;
  }
  return tokens;
}

/** A recursive-descent parser of the expression grammar the user guide lists (operators, IF, FILL). */
function parse(expression: string): Node {
  const tokens = tokenize(expression);
  let at = 0;
  const peek = (): string | undefined => tokens[at];
  const expect = (token: string): void => {
    if (tokens[at] !== token) throw new Error(`metric math: expected ${token} at token ${at} of ${JSON.stringify(expression)}`);
    at++;
  };
  const level = (n: number): Node => {
    if (n === BINARY_LEVELS.length) return unary();
    let left = level(n + 1);
    for (let op = peek(); op !== undefined && BINARY_LEVELS[n]?.includes(op); op = peek()) {
      at++;
      left = { type: 'binary', op, left, right: level(n + 1) };
    }
    return left;
  };
  const unary = (): Node => {
    if (peek() === '-') {
      at++;
      return { type: 'unary', operand: unary() };
    }
    return primary();
  };
  const primary = (): Node => {
    const token = tokens[at++];
    if (token === undefined) throw new Error(`metric math: unexpected end of ${JSON.stringify(expression)}`);
    if (token === '(') {
      const inner = level(0);
      expect(')');
      return inner;
    }
    if (/^\d/.test(token)) return { type: 'number', value: Number(token) };
    if (token === 'REPEAT') return { type: 'repeat' };
    if (/^[A-Z][A-Z0-9_]*$/.test(token) && peek() === '(') {
      at++;
      const args: Node[] = [];
      if (peek() !== ')') {
        args.push(level(0));
        while (peek() === ',') {
          at++;
          args.push(level(0));
        }
      }
      expect(')');
      return { type: 'call', name: token, args };
    }
    // "the Id field for all metrics and math expressions must start with a lowercase letter"
    if (/^[a-z][A-Za-z0-9_]*$/.test(token)) return { type: 'id', name: token };
    throw new Error(`metric math: unexpected ${JSON.stringify(token)} in ${JSON.stringify(expression)}`);
  };
  const tree = level(0);
  if (at !== tokens.length) throw new Error(`metric math: unexpected ${JSON.stringify(tokens[at])} in ${JSON.stringify(expression)}`);
  return tree;
}

function applyOperator(op: string, a: number, b: number): number | undefined {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    // "If the value of a data point causes a function to attempt to divide by zero, the data point is dropped."
    case '/':
      return b === 0 ? undefined : a / b;
    case '^':
      return a ** b;
    case '==':
      return Number(a === b);
    case '!=':
      return Number(a !== b);
    case '<':
      return Number(a < b);
    case '>':
      return Number(a > b);
    case '<=':
      return Number(a <= b);
    case '>=':
      return Number(a >= b);
    case 'AND':
    case '&&':
      return Number(a !== 0 && b !== 0);
    case 'OR':
    case '||':
      return Number(a !== 0 || b !== 0);
    default:
      throw new Error(`metric math: unknown operator ${op}`);
  }
}

function binary(op: string, left: Value, right: Value, length: number): Value {
  if (left.kind === 'scalar' && right.kind === 'scalar') {
    const value = applyOperator(op, left.value, right.value);
    if (value === undefined) throw new Error(`metric math: division by zero between scalars`);
    return { kind: 'scalar', value };
  }
  const points: (number | undefined)[] = [];
  for (let t = 0; t < length; t++) {
    const a = left.kind === 'scalar' ? left.value : left.points[t];
    const b = right.kind === 'scalar' ? right.value : right.points[t];
    if (a === undefined && b === undefined) {
      points.push(undefined);
    } else if (a === undefined || b === undefined) {
      // Between two time series, arithmetic treats a missing value as 0 ("Missing values in a
      // time series are treated as 0"), and so do comparison operators ("the function treats the
      // missing value in the other time series as 0"); logical operators follow the comparisons
      // (the guide's table: metric1 > 15 AND metric2 > 15 is 0 where metric2 has no value).
      // A time series against a scalar has a datapoint only where the series has one: UNCONFIRMED
      // (the guide's examples have no gap there).
      const oneSeriesMissing = left.kind === 'series' && right.kind === 'series';
      points.push(oneSeriesMissing ? applyOperator(op, a ?? 0, b ?? 0) : undefined);
    } else {
      points.push(applyOperator(op, a, b));
    }
  }
  return { kind: 'series', points };
}

/**
 * IF(condition, trueValue, falseValue), per timestamp of the condition, as the guide's tables
 * give it: no condition datapoint, no output; TRUE takes the true value, 0 where a true-value
 * series has no datapoint; FALSE takes the false value, and no output where a false-value series
 * has no datapoint or the false value is omitted. With a scalar condition, the whole true or false
 * value (an omitted false value gives an empty series).
 */
function ifExpression(args: readonly Value[], length: number): Value {
  const [condition, whenTrue, whenFalse] = args;
  if (!condition || !whenTrue) throw new Error('metric math: IF needs a condition and a true value');
  const asSeries = (v: Value | undefined): Series =>
    v === undefined
      ? new Array<undefined>(length).fill(undefined)
      : v.kind === 'series'
        ? v.points
        : new Array<number>(length).fill(v.value);
  if (condition.kind === 'scalar') return { kind: 'series', points: asSeries(condition.value !== 0 ? whenTrue : whenFalse) };
  const points = condition.points.map((c, t) => {
    if (c === undefined) return undefined;
    if (c !== 0) return whenTrue.kind === 'scalar' ? whenTrue.value : (whenTrue.points[t] ?? 0);
    if (whenFalse === undefined) return undefined;
    return whenFalse.kind === 'scalar' ? whenFalse.value : whenFalse.points[t];
  });
  return { kind: 'series', points };
}

/**
 * FILL(series, value | REPEAT): every period of the query range gets a value, the latest
 * included (the guide's caveat for alarms: "FILL replaces that missing data point with the
 * requested value"). REPEAT uses the most recent real value before the gap; before the first real
 * value of the range there is nothing to repeat and the period stays empty (UNCONFIRMED).
 * A series with no datapoint at all in the range is filled like any other (UNCONFIRMED).
 */
function fill(args: readonly Node[], evaluate: (node: Node) => Value): Value {
  const [target, filler] = args;
  if (!target || !filler || args.length !== 2) throw new Error('metric math: FILL needs a series and a value or REPEAT');
  const series = evaluate(target);
  if (series.kind !== 'series') throw new Error('metric math: FILL needs a series');
  if (filler.type === 'repeat') {
    let last: number | undefined;
    return { kind: 'series', points: series.points.map((p) => (p === undefined ? last : (last = p))) };
  }
  const value = evaluate(filler);
  return { kind: 'series', points: series.points.map((p, t) => p ?? (value.kind === 'scalar' ? value.value : value.points[t])) };
}

/**
 * Evaluates one metric math expression over a query range of `length` periods. `inputs` holds
 * every id the expression may use (metrics and other expressions' results), each `length` long.
 * Supported: numbers, ids, + - * / ^, unary -, the comparison and logical operators, IF and FILL
 * (constant or REPEAT); anything else is an error, not a guess.
 */
export function evaluateExpression(expression: string, inputs: Readonly<Record<string, Series>>, length: number): Series {
  const evaluate = (node: Node): Value => {
    switch (node.type) {
      case 'number':
        return { kind: 'scalar', value: node.value };
      case 'id': {
        const points = inputs[node.name];
        if (!points) throw new Error(`metric math: no input named ${node.name}`);
        if (points.length !== length)
          throw new Error(`metric math: input ${node.name} has ${points.length} periods, the range has ${length}`);
        return { kind: 'series', points };
      }
      case 'repeat':
        throw new Error('metric math: REPEAT outside FILL');
      case 'unary':
        return binary('*', { kind: 'scalar', value: -1 }, evaluate(node.operand), length);
      case 'binary':
        if (LOGICAL.has(node.op) || COMPARISONS.has(node.op) || ['+', '-', '*', '/', '^'].includes(node.op))
          return binary(node.op, evaluate(node.left), evaluate(node.right), length);
        throw new Error(`metric math: unknown operator ${node.op}`);
      case 'call':
        if (node.name === 'IF') return ifExpression(node.args.map(evaluate), length);
        if (node.name === 'FILL') return fill(node.args, evaluate);
        throw new Error(`metric math: function ${node.name} is not modelled`);
    }
  };
  const result = evaluate(parse(expression));
  if (result.kind !== 'series') throw new Error(`metric math: ${JSON.stringify(expression)} gives a scalar; an alarm needs a time series`);
  return result.points;
}

/** One entry of an alarm's `Metrics`: a metric's data (already one value per period) or an expression. */
export type MetricQuery = { readonly id: string; readonly points: Series } | { readonly id: string; readonly expression: string };

/**
 * Evaluates the expressions of an alarm's `Metrics` list in dependency order (an expression may
 * use another's id) and returns every query's series by id.
 */
export function evaluateQueries(queries: readonly MetricQuery[], length: number): Record<string, Series> {
  const results: Record<string, Series> = {};
  for (const q of queries) if ('points' in q) results[q.id] = q.points;
  let pending = queries.filter((q): q is { id: string; expression: string } => 'expression' in q);
  while (pending.length > 0) {
    const ready = pending.filter((q) => (q.expression.match(/\b[a-z][A-Za-z0-9_]*\b/g) ?? []).every((id) => id in results));
    if (ready.length === 0)
      throw new Error(
        `metric math: cannot order ${pending.map((q) => q.id).join(', ')}: an id is missing or the expressions refer to each other`,
      );
    for (const q of ready) results[q.id] = evaluateExpression(q.expression, results, length);
    pending = pending.filter((q) => !ready.includes(q));
  }
  return results;
}

// ---------------------------------------------------------------------------------------------
// Alarm evaluation
// ---------------------------------------------------------------------------------------------

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
