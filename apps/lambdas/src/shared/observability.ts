import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { describeError, isConfigError, METRICS_NAMESPACE, type ConfigError } from '@dr/failover-core';
import { isResourceNotFound } from '@dr/failover-core/errors';
import type { Context } from 'aws-lambda';
import { InvalidInputError } from './invalid-input.js';

/** A handler's structured logger and EMF metrics. */
export interface Observability {
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** Logger and metrics for one handler, created once per Lambda execution environment. */
export function createObservability(serviceName: string): Observability {
  return {
    logger: new Logger({ serviceName }),
    metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName }),
  };
}

/** Why an invocation failed, as its metric names it. */
export type FailureKind = 'InvalidInput' | 'InvalidConfig' | 'MissingResource' | 'Failed';

function classify(error: unknown): FailureKind {
  if (error instanceof InvalidInputError) return 'InvalidInput';
  if (isConfigError(error)) return 'InvalidConfig';
  if (isResourceNotFound(error)) return 'MissingResource';
  return 'Failed';
}

function problemsOf(error: unknown): readonly string[] {
  if (error instanceof InvalidInputError) return error.problems;
  if (isConfigError(error)) {
    const { source, issues } = error as ConfigError;
    return issues.map((i) => `${source}: ${i.path} ${i.message}`);
  }
  return [describeError(error)];
}

/**
 * Runs a handler's body with its context on every log line and its metrics flushed at the end.
 * A failure is logged once as a structured error naming what is wrong (`problems`), counted as
 * the metric `InvocationFailed` with its kind as a dimension, and rethrown as a short error so
 * the invocation counts as failed (which the constructs' error alarm watches).
 */
export async function observed<T>(obs: Observability, context: Context, body: () => Promise<T>): Promise<T> {
  const { logger, metrics } = obs;
  logger.resetKeys();
  logger.addContext(context);
  try {
    return await body();
  } catch (error) {
    const kind = classify(error);
    const problems = problemsOf(error);
    logger.error('invocation failed', { failure: kind, problems, ...(kind === 'Failed' ? { error: error as Error } : {}) });
    metrics.singleMetric().addDimension('failure', kind).addMetric('InvocationFailed', MetricUnit.Count, 1);
    throw new Error(`${kind}: ${problems.join('; ')}`);
  } finally {
    metrics.publishStoredMetrics();
  }
}

export { MetricUnit };
