import type { RegionRole } from '../config/schema.js';
import type { PreconditionProblem } from '../machine/types.js';
import type { Headline } from './headline.js';
import type { Observation } from './observation.js';

/** What could be done next from the serving region: a failover from the primary, a failback once the secondary serves. */
export type NextOperation = 'failover' | 'failback';

/** The operation whose readiness `dr status` reports, given the region that serves. Pure. */
export const nextOperation = (active: RegionRole): NextOperation => (active === 'primary' ? 'failover' : 'failback');

/** Whether the next operation would start, from its preconditions as evaluated (or why they could not be). */
export interface NextReadiness {
  /** True only when the preconditions were evaluated and none failed. */
  readonly ready: boolean;
  /** The target replica's lag, when it could be read. */
  readonly replicaLagSeconds: number | null;
  /** What stands in the way; an evaluation that failed is itself one problem, with its error as the message. */
  readonly problems: readonly PreconditionProblem[];
}

/**
 * The readiness of the next operation from its evaluated preconditions. Pure. An evaluation that
 * could not be made (a region down, a config that cannot support the operation) is never ready:
 * not knowing is not a pass.
 */
export function judgeNextReadiness(
  preconditions: Observation<{ readonly problems: readonly PreconditionProblem[]; readonly replicaLagSeconds?: number | undefined }>,
): NextReadiness {
  if (!preconditions.ok)
    return { ready: false, replicaLagSeconds: null, problems: [{ kind: 'precondition', message: preconditions.error }] };
  const { problems, replicaLagSeconds } = preconditions.value;
  return { ready: problems.length === 0, replicaLagSeconds: replicaLagSeconds ?? null, problems };
}

/**
 * The one word a script branches on: `not-observed` when nothing of the service could be seen
 * from here, `healthy` only when the serving side is observed healthy and the next operation is
 * ready, `degraded` for anything else. `dr status` exits 0 only on `healthy`.
 */
export type StatusOutcome = 'healthy' | 'degraded' | 'not-observed';

/** Judges a status from its headline and the readiness of the next operation. Pure. */
export function judgeStatusOutcome(headline: Pick<Headline, 'observed' | 'reason'>, nextReady: boolean): StatusOutcome {
  if (!headline.observed) return 'not-observed';
  return headline.reason === 'healthy' && nextReady ? 'healthy' : 'degraded';
}
