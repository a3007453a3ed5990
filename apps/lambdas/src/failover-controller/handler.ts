import { createAwsPorts, loadConfigFromSsm } from '@dr/aws-adapters';
import { measureRun, supervise, type RunState, type SupervisionResult } from '@dr/failover-core';
import type { Context } from 'aws-lambda';
import { parseScheduledEvent, readSettings } from '../shared/invalid-input.js';
import { createObservability, MetricUnit, observed } from '../shared/observability.js';

const obs = createObservability(process.env.POWERTOOLS_SERVICE_NAME ?? 'dr-failover-controller');
const { logger, metrics } = obs;

/**
 * Time kept back from the Lambda deadline. Probing stops this long before it, so the last
 * round and the detector's state are saved in time; a failover stops taking steps this long
 * before it, waits for its calls in flight (each has a 10 s deadline), then hands over.
 */
export const PROBE_MARGIN_MS = 5_000;
export const HANDOVER_MARGIN_MS = 20_000;

/** What one invocation did, returned to the caller (and logged). */
export interface ControllerResult {
  readonly action: SupervisionResult['action'];
  readonly verdict: SupervisionResult['detector']['verdict'];
  readonly rounds: number;
  readonly failoverId?: string | undefined;
  readonly phase?: RunState['phase'] | undefined;
}

/**
 * The failover controller: invoked every minute by EventBridge in the DR region. Resumes an
 * unfinished failover if there is one; otherwise probes the primary region every
 * `detection.intervalSeconds` for the probe window (by default 50 s, never past the deadline),
 * and starts a failover when the detector's verdict turns `down`. Every run goes through the
 * DynamoDB state store's lease, so duplicate, retried and concurrent invocations never act twice.
 */
export async function handler(event: unknown, context: Context): Promise<ControllerResult> {
  return observed(obs, context, async () => {
    const startedAt = Date.now();
    const deadline = startedAt + context.getRemainingTimeInMillis();
    parseScheduledEvent(event);
    const settings = readSettings(
      {
        AWS_REGION: { required: true },
        DR_APP: { required: true },
        DR_CONFIG_PARAMETER: { required: true },
        DR_STATE_TABLE: { required: true },
        DR_TOPIC_ARN: { required: false },
        DR_PROBE_WINDOW_SECONDS: { required: false, integer: { min: 5, max: 840 } },
        DR_LEASE_SECONDS: { required: false, integer: { min: 15, max: 600 } },
      },
      process.env,
    );
    const region = settings.AWS_REGION!;
    const config = await loadConfigFromSsm(settings.DR_APP!, region, { parameterName: settings.DR_CONFIG_PARAMETER });
    metrics.setDefaultDimensions({ app: config.app });
    const ports = createAwsPorts(config, { stateTableName: settings.DR_STATE_TABLE, stateRegion: region, topicArn: settings.DR_TOPIC_ARN });
    const probeWindowMs = Number(settings.DR_PROBE_WINDOW_SECONDS ?? 50) * 1000;

    const result = await supervise({
      ports,
      config,
      owner: `lambda:${context.awsRequestId}`,
      // How long a controller that died mid-failover blocks the next one; renewed on every persisted step.
      leaseMs: Number(settings.DR_LEASE_SECONDS ?? 60) * 1000,
      probeUntil: Math.min(startedAt + probeWindowMs, deadline - PROBE_MARGIN_MS),
      deadline: deadline - HANDOVER_MARGIN_MS,
      runId: () => `failover-${new Date().toISOString().replace(/[:.]/g, '-')}-${context.awsRequestId.slice(0, 8)}`,
      onRound: (round, detector) => logger.info('probed the primary region', { readings: round.readings, verdict: detector.verdict, downRounds: detector.downRounds }),
      onTransition: (state, runEvent, epoch) => {
        logger.appendKeys({ failoverId: state.runId, epoch });
        logger.info('failover progressed', { phase: state.phase, step: state.plan.steps[state.stepIndex]?.id, event: runEvent?.kind });
      },
    });
    return report(result);
  });
}

/** Logs and counts what an invocation did; a completed failover's RTO and RPO become metrics. */
function report(result: SupervisionResult): ControllerResult {
  const { action, detector, rounds, run } = result;
  metrics.addMetric('DetectorRounds', MetricUnit.Count, rounds);
  metrics.addMetric('PrimaryHealthy', MetricUnit.Count, detector.verdict === 'healthy' ? 1 : 0);
  if (action === 'started') metrics.addMetric('FailoverStarted', MetricUnit.Count, 1);
  if (action === 'resumed') metrics.addMetric('FailoverResumed', MetricUnit.Count, 1);
  if (action === 'busy') metrics.addMetric('ControllerBusy', MetricUnit.Count, 1);
  if (action === 'held') metrics.addMetric('OperatorRunHeld', MetricUnit.Count, 1);
  if (action === 'awaiting-approval') metrics.addMetric('AwaitingApproval', MetricUnit.Count, 1);
  if (run?.phase === 'completed') {
    const { rtoSeconds, rpoSeconds } = measureRun(run);
    metrics.addMetric('FailoverCompleted', MetricUnit.Count, 1);
    if (rtoSeconds !== null) metrics.addMetric('RtoSeconds', MetricUnit.Seconds, rtoSeconds);
    if (rpoSeconds !== null) metrics.addMetric('RpoSeconds', MetricUnit.Seconds, rpoSeconds);
    logger.info('failover completed', { rtoSeconds, rpoSeconds, to: run.plan.toRegion });
  }
  if (run?.phase === 'failed' || run?.phase === 'refused') {
    metrics.addMetric(run.phase === 'failed' ? 'FailoverFailed' : 'FailoverRefused', MetricUnit.Count, 1);
    logger.error(`failover ${run.phase}`, { reason: run.failure?.message ?? run.timeline.at(-1)?.message });
  }
  const out: ControllerResult = { action, verdict: detector.verdict, rounds, failoverId: run?.runId, phase: run?.phase };
  logger.info('controller invocation done', { ...out });
  return out;
}
