import { isTerminal, measureRun, summarizeRun, type RunState, type SupervisionResult } from '@dr/failover-core';
import { MetricUnit, type Observability } from '../shared/observability.js';

/** What one containment attempt came to, as {@link ControllerResult} names it. */
export type ContainmentStatus = NonNullable<SupervisionResult['containment']>['status'];

/** What one invocation did, returned to the caller (and logged). */
export interface ControllerResult {
  readonly action: SupervisionResult['action'];
  readonly verdict: SupervisionResult['detector']['verdict'];
  readonly rounds: number;
  readonly failoverId?: string | undefined;
  readonly operation?: RunState['operation'] | undefined;
  readonly phase?: RunState['phase'] | undefined;
  /** The last attempt of this invocation at containing the region a failover left, if one was pending. */
  readonly containment?: ContainmentStatus | undefined;
}

/**
 * One metric per action (a watch that found nothing to do counts only its rounds). The names
 * the controller published before issue 12 are kept, so existing alarms and dashboards still read them.
 */
const ACTION_METRICS: Readonly<Record<SupervisionResult['action'], string | undefined>> = {
  watched: undefined,
  started: 'FailoverStarted',
  resumed: 'FailoverResumed',
  busy: 'ControllerBusy',
  held: 'OperatorRunHeld',
  'took-over': 'ControllerTookOver',
  'awaiting-approval': 'AwaitingApproval',
  expired: 'ApprovalExpired',
  maintenance: 'PrimaryMaintenance',
  'stale-tick': 'StaleTickIgnored',
};

const capitalized = (s: string) => `${s[0]!.toUpperCase()}${s.slice(1)}`;

/** `FailoverCompleted`, `SwitchoverRolledBack`, ...: a run's operation and how it ended (a taken-over run may be any operation). */
const outcomeMetric = (run: RunState) => `${capitalized(run.operation)}${run.phase.split('-').map(capitalized).join('')}`;

const minutes = (ms: number) => Math.round(ms / 60_000);

/**
 * Logs and counts what an invocation did: its action, the containment of the region a failover
 * left, and how a run it drove ended (a completed one with its RTO and RPO; any other end with
 * what changed, the state now and the next command, so the log alone tells the operator what to do).
 */
export function reportInvocation(result: SupervisionResult, now: number, { logger, metrics }: Observability): ControllerResult {
  const { action, detector, rounds, run, containment, hold } = result;
  metrics.addMetric('DetectorRounds', MetricUnit.Count, rounds);
  metrics.addMetric('PrimaryHealthy', MetricUnit.Count, detector.verdict === 'healthy' ? 1 : 0);
  const actionMetric = ACTION_METRICS[action];
  if (actionMetric) metrics.addMetric(actionMetric, MetricUnit.Count, 1);

  if (action === 'held' && run && hold) {
    // A warning, not an error: the operator may be working on it; the notification reminds them.
    logger.warn("holding for an operator's unfinished run: no failover is started while it is unfinished", {
      failoverId: run.runId,
      operation: run.operation,
      phase: run.phase,
      idleMinutes: minutes(now - hold.idleSince),
      takeOverAt: new Date(hold.endsAt).toISOString(),
    });
  }
  if (action === 'took-over')
    logger.warn("took over an operator's run after the hold ended", {
      failoverId: run?.runId,
      operation: run?.operation,
      phase: run?.phase,
    });
  if (action === 'expired') logger.warn('the approval expired: the run was refused, changing nothing', { failoverId: run?.runId });

  if (containment && containment.status !== 'none') {
    metrics.addMetric(containment.status === 'contained' ? 'Contained' : 'ContainmentPending', MetricUnit.Count, 1);
    const detail =
      'containment' in containment
        ? {
            role: containment.containment.role,
            writes: containment.containment.writes,
            capacity: containment.containment.capacity,
            since: new Date(containment.containment.since).toISOString(),
          }
        : {};
    const error = containment.status === 'unreachable' ? { error: containment.error } : {};
    logger.info(
      containment.status === 'contained' ? 'the region a failover left is contained' : 'the region a failover left is not contained yet',
      { status: containment.status, ...detail, ...error },
    );
  }

  // Report only runs this invocation drove to an end; a held or parked run is the operator's.
  const drove = action === 'started' || action === 'resumed' || action === 'took-over' || action === 'expired';
  if (drove && run && isTerminal(run.phase)) {
    metrics.addMetric(outcomeMetric(run), MetricUnit.Count, 1);
    const summary = summarizeRun(run);
    if (run.phase === 'completed') {
      const { rtoSeconds, rpoSeconds } = measureRun(run);
      if (rtoSeconds !== null) metrics.addMetric('RtoSeconds', MetricUnit.Seconds, rtoSeconds);
      if (rpoSeconds !== null) metrics.addMetric('RpoSeconds', MetricUnit.Seconds, rpoSeconds);
      logger.info(`${run.operation} completed`, { rtoSeconds, rpoSeconds, to: run.plan.toRegion, now: summary.now, next: summary.next });
    } else {
      logger.error(`${run.operation} ${run.phase}`, {
        reason: run.failure?.message ?? run.timeline.at(-1)?.message,
        changes: summary.changes,
        now: summary.now,
        next: summary.next,
      });
    }
  }

  const out: ControllerResult = {
    action,
    verdict: detector.verdict,
    rounds,
    failoverId: run?.runId,
    operation: run?.operation,
    phase: run?.phase,
    containment: containment?.status,
  };
  logger.info('controller invocation done', { ...out });
  return out;
}
