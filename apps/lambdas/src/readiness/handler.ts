import { createAwsPorts, loadConfigFromSsm } from '@dr/aws-adapters';
import {
  evaluateReadiness,
  READINESS_NAMESPACE,
  readinessMetricData,
  storeReadiness,
  summarizeReadiness,
  type ReadinessReport,
} from '@dr/failover-core';
import type { Context } from 'aws-lambda';
import { parseScheduledEvent, readSettings } from '../shared/invalid-input.js';
import { createObservability, observed } from '../shared/observability.js';

const obs = createObservability(process.env.POWERTOOLS_SERVICE_NAME ?? 'dr-readiness');
const { logger, metrics } = obs;

/** What one readiness invocation did. */
export interface ReadinessResult {
  readonly report: ReadinessReport;
  /** Datapoints published in `DR/Readiness` (one per check that passed or failed; none for an unknown). */
  readonly published: number;
  /** The state store version the report was written at. */
  readonly version: number;
  /** The one-line summary it logged. */
  readonly summary: string;
}

/**
 * Continuous readiness: invoked by EventBridge every `READINESS_INTERVAL_MINUTES` in the DR
 * region. Evaluates everything a failover would need (`evaluateReadiness` in
 * `@dr/failover-core`), publishes one metric per check in `DR/Readiness` (dimension `App`; 1
 * passes, 0 fails, nothing for a check that could not be evaluated) in one PutMetricData call,
 * stores the report in the state table for `dr status`, and logs a one-line summary. It changes
 * nothing in AWS.
 */
export async function handler(event: unknown, context: Context): Promise<ReadinessResult> {
  return observed(obs, context, async () => {
    parseScheduledEvent(event);
    const settings = readSettings(
      {
        AWS_REGION: { required: true },
        DR_APP: { required: true },
        DR_CONFIG_PARAMETER: { required: true },
        DR_STATE_TABLE: { required: true },
      },
      process.env,
    );
    const region = settings.AWS_REGION!;
    const config = await loadConfigFromSsm(settings.DR_APP!, region, { parameterName: settings.DR_CONFIG_PARAMETER });
    metrics.setDefaultDimensions({ app: config.app });
    const ports = createAwsPorts(config, { stateTableName: settings.DR_STATE_TABLE, stateRegion: region });

    const report = await evaluateReadiness(ports, config, { configParameterName: settings.DR_CONFIG_PARAMETER });
    const data = readinessMetricData(report);
    await ports.metrics.publish(region, READINESS_NAMESPACE, data);
    const version = await storeReadiness(ports.stateStore, report);

    const s = summarizeReadiness(report, report.at);
    const name = (ids: readonly string[]) => (ids.length > 0 ? `: ${ids.join(', ')}` : '');
    const summary = `readiness ${s.pass}/${s.total} pass, ${s.fail} fail${name(s.failing)}, ${s.unknown} unknown${name(s.unknowns)} (standby ${report.standbyRegion})`;
    logger.info(summary, { checks: report.checks });
    return { report, published: data.length, version, summary };
  });
}
