/**
 * CloudWatch metric math as the constructs' alarms use it, for `cloudwatch-alarm-model.ts`:
 * arithmetic, comparison and logical operators, `IF`, `FILL` and `REPEAT`, on scalars and series.
 * Where the guide is silent the rule is marked UNCONFIRMED and chosen as the least surprising reading.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html
 */
import type { Series } from './cloudwatch-alarm-model.js';

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
