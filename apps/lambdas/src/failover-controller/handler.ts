import { createAwsPorts, loadConfigFromSsm } from '@dr/aws-adapters';
import { activeSteps, MIN_LEASE_MS, supervise } from '@dr/failover-core';
import type { Context } from 'aws-lambda';
import { InvalidInputError, parseScheduledEvent, readSettings } from '../shared/invalid-input.js';
import { createObservability, observed } from '../shared/observability.js';
import { reportInvocation, type ControllerResult } from './report.js';

export type { ContainmentStatus, ControllerResult } from './report.js';

const obs = createObservability(process.env.POWERTOOLS_SERVICE_NAME ?? 'dr-failover-controller');
const { logger, metrics } = obs;

/**
 * Time kept back from the Lambda deadline. Probing stops this long before it, so the last
 * round and the detector's state are saved in time; a failover stops taking steps this long
 * before it, waits for its calls in flight (each has a 10 s deadline), then hands over.
 */
export const PROBE_MARGIN_MS = 5_000;
export const HANDOVER_MARGIN_MS = 20_000;

/**
 * The shortest lease the controller accepts: 30 s, its documented floor. The engine makes a
 * mutating call only while the lease has its act margin (15 s: the adapters' 10 s call deadline
 * and room) left beyond the clock-skew bound (5 s), as measured after the write that renewed it,
 * so a lease of `MIN_LEASE_MS` (20 s) or less could never act and every invocation would end
 * `busy`. Derived from it, so the floor stays above it should the engine's ever rise.
 */
export const MIN_LEASE_SECONDS = Math.max(30, Math.floor(MIN_LEASE_MS / 1000) + 1);

/**
 * The failover controller: invoked every minute by EventBridge in the DR region. Resumes an
 * unfinished failover if there is one (and retries one that failed past its point of no
 * return); holds for an operator's unfinished run, with reminders, until
 * `controller.operatorHoldSeconds`, then takes it over; refuses a run whose approval expired.
 * Otherwise probes the primary region every `detection.intervalSeconds` for the probe window
 * (by default 56 s: until 4 s before the next scheduled run; never past the deadline), starts a failover when the detector's verdict
 * turns `down`, and contains the region a failover left whenever it answers. Every run goes
 * through the DynamoDB state store's lease, so duplicate, retried and concurrent invocations
 * never act twice. All of it is `supervise` in `@dr/failover-core`; this shell reads settings,
 * builds the ports, and reports.
 */
export async function handler(event: unknown, context: Context): Promise<ControllerResult> {
  return observed(obs, context, async () => {
    const startedAt = Date.now();
    const deadline = startedAt + context.getRemainingTimeInMillis();
    const scheduled = parseScheduledEvent(event);
    const settings = readSettings(
      {
        AWS_REGION: { required: true },
        DR_APP: { required: true },
        DR_CONFIG_PARAMETER: { required: true },
        DR_STATE_TABLE: { required: true },
        DR_TOPIC_ARN: { required: false },
        DR_PROBE_WINDOW_SECONDS: { required: false, integer: { min: 5, max: 840 } },
        DR_LEASE_SECONDS: { required: false, integer: { min: MIN_LEASE_SECONDS, max: 600 } },
        DR_DNS_SERVERS: { required: false },
        DR_HEALTH_RECORD_READER: { required: false },
      },
      process.env,
    );
    if (settings.DR_HEALTH_RECORD_READER && settings.DR_DNS_SERVERS) {
      throw new InvalidInputError([
        'environment variables DR_HEALTH_RECORD_READER (read the Route 53 health record through the reader Lambda) and DR_DNS_SERVERS (resolve it here) exclude each other; set one',
      ]);
    }
    const region = settings.AWS_REGION!;
    const config = await loadConfigFromSsm(settings.DR_APP!, region, { parameterName: settings.DR_CONFIG_PARAMETER });
    metrics.setDefaultDimensions({ app: config.app });
    const ports = createAwsPorts(config, {
      stateTableName: settings.DR_STATE_TABLE,
      stateRegion: region,
      topicArn: settings.DR_TOPIC_ARN,
      // Outside the VPC (as the constructs deploy it) the controller reads the private health
      // record through the reader Lambda inside it; DR_DNS_SERVERS asks resolvers directly.
      healthRecordReader: settings.DR_HEALTH_RECORD_READER,
      dnsServers: settings.DR_DNS_SERVERS?.split(','),
    });
    const probeWindowMs = Number(settings.DR_PROBE_WINDOW_SECONDS ?? 56) * 1000;

    const result = await supervise({
      ports,
      config,
      owner: `lambda:${context.awsRequestId}`,
      // How long a controller that died mid-failover blocks the next one; renewed on every persisted step.
      leaseMs: Number(settings.DR_LEASE_SECONDS ?? 60) * 1000,
      probeUntil: Math.min(startedAt + probeWindowMs, deadline - PROBE_MARGIN_MS),
      deadline: deadline - HANDOVER_MARGIN_MS,
      // A delivery retried long after its schedule fired (throttling) is ignored.
      scheduledAt: Date.parse(scheduled.time),
      runId: () => `failover-${new Date().toISOString().replace(/[:.]/g, '-')}-${context.awsRequestId.slice(0, 8)}`,
      onRound: (round, detector) =>
        logger.info('probed the primary region', { readings: round.readings, verdict: detector.verdict, downRounds: detector.downRounds }),
      onTransition: (state, runEvent, epoch) => {
        logger.appendKeys({ failoverId: state.runId, epoch });
        logger.info('failover progressed', {
          operation: state.operation,
          phase: state.phase,
          step: activeSteps(state)[state.stepIndex]?.id,
          event: runEvent?.kind,
        });
      },
    });
    return reportInvocation(result, Date.now(), obs);
  });
}
