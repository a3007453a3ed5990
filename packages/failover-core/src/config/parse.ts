import * as v from 'valibot';
import { ConfigError, type ConfigIssue } from '../errors.js';
import { signalsSurvivingOutage } from '../detector/detector.js';
import { DrConfigSchema, type DrConfig } from './schema.js';
import { dataTierIssues } from './data-tier.js';

/** The result of validating a configuration without throwing. */
export type ConfigValidation =
  { readonly ok: true; readonly config: DrConfig } | { readonly ok: false; readonly issues: readonly ConfigIssue[] };

function issuePath(issue: v.BaseIssue<unknown>): string {
  return v.getDotPath(issue) ?? '(root)';
}

function issueMessage(issue: v.BaseIssue<unknown>): string {
  if (issue.kind === 'schema' && issue.input === undefined) return 'is required';
  if (issue.kind === 'schema' && issue.type === 'strict_object') {
    // valibot reports an unknown key as "expected never"; anything else is a wrong type.
    return issue.expected === 'never' ? 'is not a known field' : 'must be an object';
  }
  return issue.message;
}

/** Checks that span fields, run once the shape is right. */
function crossFieldIssues(config: DrConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (config.primary.region === config.secondary.region) {
    issues.push({ path: 'secondary.region', message: `must differ from primary.region (${config.primary.region})` });
  }
  for (const role of ['primary', 'secondary'] as const) {
    const c = config[role].capacity;
    if (c.min > c.desired) issues.push({ path: `${role}.capacity.min`, message: `must not exceed capacity.desired (${c.desired})` });
    if (c.desired > c.max) issues.push({ path: `${role}.capacity.desired`, message: `must not exceed capacity.max (${c.max})` });
    // Lambda invokes a function in one region: a reader elsewhere would not be in this region's VPC.
    const viaRegion = config[role].healthCheckVia?.split(':')[3];
    if (viaRegion !== undefined && viaRegion !== config[role].region) {
      issues.push({
        path: `${role}.healthCheckVia`,
        message: `must be a function in ${role}.region (${config[role].region}), the region whose VPC holds the load balancer; got one in ${viaRegion}`,
      });
    }
  }
  const d = config.detection;
  if (new Set(d.signals).size !== d.signals.length) issues.push({ path: 'detection.signals', message: 'must not name a signal twice' });
  const surviving = signalsSurvivingOutage(config);
  if (d.quorum > d.signals.length) {
    issues.push({ path: 'detection.quorum', message: `must not exceed the number of signals (${d.signals.length})` });
  } else if (d.quorum > surviving.length - 1) {
    // In an outage of the primary region its alarm cannot be read (nor Global Accelerator's
    // health when its control plane, us-west-2, is that region); and any one more signal's API
    // may not answer. The quorum must still be reachable then.
    issues.push({
      path: 'detection.quorum',
      message:
        surviving.length < 2
          ? `cannot be reached in an outage of ${config.primary.region}: detection.signals needs at least two signals that survive it (${surviving.join(', ') || 'none'} do)`
          : `must be at most ${surviving.length - 1}: in an outage of ${config.primary.region} only ${surviving.join(', ')} can answer, and detection must still work with one of them unreachable`,
    });
  }
  if (d.signals.includes('route53') && config.primary.route53HealthCheck === undefined) {
    issues.push({ path: 'primary.route53HealthCheck', message: 'is required when detection.signals names route53' });
  }
  if (d.confirmSeconds < d.intervalSeconds * d.failureThreshold) {
    issues.push({
      path: 'detection.confirmSeconds',
      message: `must be at least detection.intervalSeconds × detection.failureThreshold (${d.intervalSeconds * d.failureThreshold})`,
    });
  }
  if (d.probeTimeoutSeconds >= d.intervalSeconds) {
    issues.push({ path: 'detection.probeTimeoutSeconds', message: `must be less than detection.intervalSeconds (${d.intervalSeconds})` });
  }
  issues.push(...dataTierIssues(config));
  return issues;
}

/** Validates a configuration and returns every problem by path, without throwing. */
export function validateConfig(input: unknown): ConfigValidation {
  const result = v.safeParse(DrConfigSchema, input, { abortEarly: false, abortPipeEarly: true });
  if (!result.success) {
    return { ok: false, issues: result.issues.map((i) => ({ path: issuePath(i), message: issueMessage(i) })) };
  }
  const issues = crossFieldIssues(result.output);
  return issues.length > 0 ? { ok: false, issues } : { ok: true, config: result.output };
}

/**
 * Validates a configuration and fills in defaults.
 * @param source - names the document in the error message, such as a file path or SSM parameter.
 * @throws {@link ConfigError} naming every bad field by path.
 */
export function parseConfig(input: unknown, source = 'config'): DrConfig {
  const result = validateConfig(input);
  if (!result.ok) throw new ConfigError(result.issues, source);
  return result.config;
}

/**
 * Parses a configuration from JSON text.
 * @throws {@link ConfigError} when the text is not JSON or the document is invalid.
 */
export function parseConfigJson(text: string, source = 'config'): DrConfig {
  let input: unknown;
  try {
    // Editors on Windows save JSON with a byte-order mark; it is not part of the document.
    input = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new ConfigError([{ path: '(root)', message: `is not valid JSON (${(e as Error).message})` }], source, { cause: e });
  }
  return parseConfig(input, source);
}
