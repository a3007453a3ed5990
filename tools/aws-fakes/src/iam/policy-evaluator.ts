/**
 * IAM identity-policy evaluation, as AWS documents it for a request within one account with no
 * resource policy, permissions boundary, session policy or SCP in play:
 *
 * 1. Every request starts denied (implicit deny).
 * 2. A matching `Deny` statement in any policy decides: explicit deny.
 * 3. Otherwise a matching `Allow` statement allows; with none, the implicit deny stands.
 *
 * A statement matches when its `Action` (or `NotAction`), its `Resource` (or `NotResource`) and
 * every condition in its `Condition` block match the request.
 *
 * What a policy under test uses and this evaluator does not model (a condition operator, a
 * condition key, a policy variable, an unknown element) throws {@link PolicyNotUnderstoodError}:
 * a test must never pass because a condition was silently skipped.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
 */

/** A value in a policy's `Condition` block as JSON carries it. */
export type PolicyConditionValue = string | boolean | number | readonly (string | boolean | number)[];

/** One statement of an identity-based policy (JSON as IAM stores it). */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, PolicyConditionValue>>>>;
}

/** An identity-based policy document. */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: PolicyStatement | readonly PolicyStatement[];
}

/** A value in the request context: a string, a boolean, or a list for multivalued keys. */
export type ContextValue = string | boolean | readonly string[];

/** One authorization: one action on one resource, with the request context AWS builds for it. */
export interface AuthorizationRequest {
  /** `service:Action`, as the Service Authorization Reference names it (`rds:ModifyDBInstance`). */
  readonly action: string;
  /** The resource's ARN, or `*` for an action without resource-level permissions. */
  readonly resource: string;
  /** Condition keys present in the request, by name (names are matched case-insensitively). */
  readonly context: Readonly<Record<string, ContextValue>>;
}

/** The outcome of {@link evaluatePolicies}, with the deciding statement's Sid where there is one. */
export type PolicyDecision =
  | { readonly decision: 'Allow'; readonly sid: string | undefined }
  | { readonly decision: 'ExplicitDeny'; readonly sid: string | undefined }
  | { readonly decision: 'ImplicitDeny' };

/** A policy uses something this evaluator does not model: the test must fail, not pass by accident. */
export class PolicyNotUnderstoodError extends Error {
  override readonly name = 'PolicyNotUnderstoodError';
}

/**
 * Condition keys this evaluator knows, lower-cased (AWS matches key names case-insensitively).
 * Each is a key the synthesized DR templates use, or a global key every request carries; a
 * policy naming another key is refused. Single-valued, all of them.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html
 */
export const KNOWN_CONDITION_KEYS: ReadonlySet<string> = new Set([
  'aws:requestedregion',
  'aws:principalarn',
  'aws:principalaccount',
  'aws:securetransport',
  'cloudwatch:namespace',
  'kms:viaservice',
  'kms:calleraccount',
  // In the S3 bucket policies CDK writes; an identity policy the fakes enforce may name it too.
  's3:x-amz-acl',
]);

const STRING_OPERATORS = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
] as const;
const ARN_OPERATORS = ['ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike'] as const;
type BaseOperator = (typeof STRING_OPERATORS)[number] | (typeof ARN_OPERATORS)[number] | 'Bool' | 'Null';
const BASE_OPERATORS: ReadonlySet<string> = new Set<string>([...STRING_OPERATORS, ...ARN_OPERATORS, 'Bool', 'Null']);
/** Operators whose match is a non-match of the values: true when the key is absent. */
const NEGATED: ReadonlySet<string> = new Set([
  'StringNotEquals',
  'StringNotEqualsIgnoreCase',
  'StringNotLike',
  'ArnNotEquals',
  'ArnNotLike',
]);

const STATEMENT_ELEMENTS = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);

const list = <T>(value: T | readonly T[] | undefined): readonly T[] =>
  value === undefined ? [] : Array.isArray(value) ? (value as readonly T[]) : [value as T];

const escapeRegExp = (s: string) => s.replace(/[.+^${}()|[\]\\]/g, '\\$&');

/** `*` any run of characters, `?` any one character, anything else literally, over the whole string. */
function wildcardRegExp(pattern: string, flags = ''): RegExp {
  return new RegExp(`^${[...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : escapeRegExp(c))).join('')}$`, flags);
}

/**
 * Whether `action` (`rds:ModifyDBInstance`) matches a policy's action pattern: case-insensitive,
 * with `*` and `?` wildcards (`rds:Describe*`, `*`).
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
 */
export function actionMatches(pattern: string, action: string): boolean {
  return pattern === '*' || wildcardRegExp(pattern, 'i').test(action);
}

/**
 * Whether `arn` matches an ARN pattern as the Resource element and the Arn condition operators
 * match it: `*` alone matches any resource; otherwise `*` and `?` are wildcards within a
 * colon-separated segment, and a `*` that ends a segment may match beyond the colon (so
 * `arn:aws:rds:*:123456789012:db:lamp-*` matches any region's `db:lamp-primary`). Case-sensitive.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards
 */
export function arnMatches(pattern: string, arn: string): boolean {
  if (pattern === '*') return true;
  if (pattern.includes('${')) throw new PolicyNotUnderstoodError(`policy variables are not modelled: ${pattern}`);
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    const next = pattern[i + 1];
    if (c === '*') source += next === ':' || next === undefined ? '.*' : '[^:]*';
    else if (c === '?') source += '[^:]';
    else source += escapeRegExp(c);
  }
  return new RegExp(`^${source}$`).test(arn);
}

function stringMatches(operator: BaseOperator, expected: string, actual: string): boolean {
  switch (operator) {
    case 'StringEquals':
    case 'StringNotEquals':
      return expected === actual;
    case 'StringEqualsIgnoreCase':
    case 'StringNotEqualsIgnoreCase':
      return expected.toLowerCase() === actual.toLowerCase();
    case 'StringLike':
    case 'StringNotLike':
      return wildcardRegExp(expected).test(actual);
    case 'ArnEquals':
    case 'ArnLike':
    case 'ArnNotEquals':
    case 'ArnNotLike':
      return arnMatches(expected, actual);
    case 'Bool':
      return expected.toLowerCase() === actual.toLowerCase();
    case 'Null':
      throw new PolicyNotUnderstoodError('Null is decided on presence, not on values');
  }
}

/** Parses `ForAnyValue:StringLikeIfExists` into its set qualifier, base operator and IfExists. */
function parseOperator(name: string): { set: 'ForAnyValue' | 'ForAllValues' | undefined; base: BaseOperator; ifExists: boolean } {
  const [qualifier, rest] = name.includes(':') ? (name.split(':', 2) as [string, string]) : [undefined, name];
  if (qualifier !== undefined && qualifier !== 'ForAnyValue' && qualifier !== 'ForAllValues')
    throw new PolicyNotUnderstoodError(`unknown set operator ${qualifier} in ${name}`);
  const ifExists = rest.endsWith('IfExists') && rest !== 'IfExists';
  const base = ifExists ? rest.slice(0, -'IfExists'.length) : rest;
  if (!BASE_OPERATORS.has(base) || (base === 'Null' && (ifExists || qualifier))) {
    throw new PolicyNotUnderstoodError(
      `condition operator ${name} is not modelled (known: ${[...BASE_OPERATORS].join(', ')}, with IfExists and ForAnyValue:/ForAllValues:)`,
    );
  }
  return { set: qualifier, base: base as BaseOperator, ifExists };
}

function lookup(context: Readonly<Record<string, ContextValue>>, key: string): ContextValue | undefined {
  const lower = key.toLowerCase();
  const found = Object.entries(context).find(([k]) => k.toLowerCase() === lower);
  return found?.[1];
}

/**
 * One operator on one key. Several values in the policy are ORed (for a negated operator, the
 * value must match none of them); a key absent from the request makes a positive operator
 * false and a negated one true, except `...IfExists` (true when absent) and `Null`.
 * `ForAnyValue` needs some request value to match (false when the key is absent or empty);
 * `ForAllValues` needs every request value to match (true when absent or empty).
 */
function conditionHolds(
  operatorName: string,
  key: string,
  policyValue: PolicyConditionValue,
  context: Readonly<Record<string, ContextValue>>,
): boolean {
  const { set, base, ifExists } = parseOperator(operatorName);
  if (!KNOWN_CONDITION_KEYS.has(key.toLowerCase())) {
    throw new PolicyNotUnderstoodError(
      `condition key ${key} is not modelled (known: ${[...KNOWN_CONDITION_KEYS].join(', ')}): teach the evaluator and the fake's request contexts about it`,
    );
  }
  const expected = list(policyValue).map(String);
  const actual = lookup(context, key);
  if (base === 'Null') return expected.some((e) => (e.toLowerCase() === 'true') === (actual === undefined));
  const negated = NEGATED.has(base);
  const matchesOne = (value: string) => {
    const any = expected.some((e) => stringMatches(base, e, value));
    return negated ? !any : any;
  };
  if (set === 'ForAnyValue') return actual !== undefined && list(actual).map(String).some(matchesOne);
  if (set === 'ForAllValues') return actual === undefined || list(actual).map(String).every(matchesOne);
  if (actual === undefined) return ifExists || negated;
  if (Array.isArray(actual))
    throw new PolicyNotUnderstoodError(
      `${key} is multivalued in the request: the policy must qualify ${operatorName} with ForAnyValue: or ForAllValues:`,
    );
  return matchesOne(String(actual));
}

function checkStatement(s: PolicyStatement): void {
  const unknown = Object.keys(s).filter((k) => !STATEMENT_ELEMENTS.has(k));
  if (unknown.length > 0)
    throw new PolicyNotUnderstoodError(
      `statement ${s.Sid ?? ''} has elements an identity policy does not take or this evaluator does not model: ${unknown.join(', ')}`,
    );
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny')
    throw new PolicyNotUnderstoodError(`statement ${s.Sid ?? ''} has Effect ${String(s.Effect)}`);
  if ((s.Action === undefined) === (s.NotAction === undefined))
    throw new PolicyNotUnderstoodError(`statement ${s.Sid ?? ''} needs exactly one of Action and NotAction`);
  if ((s.Resource === undefined) === (s.NotResource === undefined))
    throw new PolicyNotUnderstoodError(`statement ${s.Sid ?? ''} needs exactly one of Resource and NotResource`);
}

function statementApplies(s: PolicyStatement, request: AuthorizationRequest): boolean {
  checkStatement(s);
  const actionHit =
    s.Action !== undefined
      ? list(s.Action).some((p) => actionMatches(p, request.action))
      : !list(s.NotAction).some((p) => actionMatches(p, request.action));
  if (!actionHit) return false;
  const resourceHit =
    s.Resource !== undefined
      ? list(s.Resource).some((p) => arnMatches(p, request.resource))
      : !list(s.NotResource).some((p) => arnMatches(p, request.resource));
  if (!resourceHit) return false;
  return Object.entries(s.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, value]) => conditionHolds(operator, key, value, request.context)),
  );
}

/**
 * Decides one request against a principal's identity-based policies: explicit deny, then allow,
 * else implicit deny. Throws {@link PolicyNotUnderstoodError} for anything it does not model.
 */
export function evaluatePolicies(policies: readonly PolicyDocument[], request: AuthorizationRequest): PolicyDecision {
  if (!/^[a-z0-9-]+:[A-Za-z0-9]+$/.test(request.action))
    throw new PolicyNotUnderstoodError(`request action ${request.action} is not service:Action`);
  const statements = policies.flatMap((p) => {
    if (p.Version !== undefined && p.Version !== '2012-10-17')
      throw new PolicyNotUnderstoodError(`policy Version ${p.Version} is not modelled (2012-10-17 is)`);
    return list(p.Statement);
  });
  // Every statement is checked for what it uses, so an unmodelled condition in a statement the
  // request happens not to reach still fails the test.
  const applying = statements.filter((s) => {
    const applies = statementApplies(s, request);
    for (const [operator, keys] of Object.entries(s.Condition ?? {}))
      for (const [key, value] of Object.entries(keys)) conditionHolds(operator, key, value, {});
    return applies;
  });
  const deny = applying.find((s) => s.Effect === 'Deny');
  if (deny) return { decision: 'ExplicitDeny', sid: deny.Sid };
  const allow = applying.find((s) => s.Effect === 'Allow');
  return allow ? { decision: 'Allow', sid: allow.Sid } : { decision: 'ImplicitDeny' };
}
