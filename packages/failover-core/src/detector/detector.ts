import type { DetectionSettings, SignalName } from '../config/schema.js';

/** One signal's reading in one round. `unknown` (no answer, no data) never counts as down. */
export type SignalReading = 'up' | 'down' | 'unknown';

/** The detector's verdict on the primary region. */
export type Verdict = 'healthy' | 'suspect' | 'down';

/** One round of readings, taken together every `intervalSeconds`. */
export interface DetectorRound {
  readonly at: number;
  readonly readings: Partial<Record<SignalName, SignalReading>>;
}

/** The detector's memory between rounds; plain JSON. */
export interface DetectorState {
  readonly verdict: Verdict;
  /** Rounds in a row in which a quorum of signals said down. */
  readonly downRounds: number;
  /** Rounds in a row in which no signal said down. */
  readonly upRounds: number;
  /** First round of the current run of failing rounds: the impairment's estimated start. */
  readonly suspectSince?: number | undefined;
  readonly downSince?: number | undefined;
  /** No new `down` verdict before this time (after a recovery). */
  readonly cooldownUntil?: number | undefined;
}

/** A detector with nothing seen yet. */
export const initialDetectorState: DetectorState = { verdict: 'healthy', downRounds: 0, upRounds: 0 };

/** Settings the detector uses; a subset of the config's `detection`. */
export type DetectorSettings = Pick<DetectionSettings, 'failureThreshold' | 'recoveryThreshold' | 'quorum' | 'cooldownSeconds' | 'signals'>;

const downVotes = (settings: Pick<DetectorSettings, 'signals'>, round: DetectorRound): number => settings.signals.filter((s) => round.readings[s] === 'down').length;

/** True when a round fails: at least `quorum` of the configured signals read `down`. Pure. */
export const roundFails = (settings: Pick<DetectorSettings, 'quorum' | 'signals'>, round: DetectorRound): boolean => downVotes(settings, round) >= settings.quorum;

/**
 * Feeds one round to the detector. Pure.
 *
 * A round *fails* when at least `quorum` of the configured signals read `down` (independent
 * signals: a probe from the DR region, Global Accelerator's endpoint health, the ALB alarm). The
 * verdict becomes `down` after `failureThreshold` failing rounds in a row, and `healthy` again
 * after `recoveryThreshold` rounds in a row with no signal down (hysteresis). Anything between is
 * `suspect`. After a `down` recovers, no new `down` is declared until `cooldownSeconds` pass.
 * A lone flapping or lossy signal cannot reach a quorum of two, so it never fails a region over.
 */
export function observeRound(state: DetectorState, settings: DetectorSettings, round: DetectorRound): DetectorState {
  const failing = roundFails(settings, round);
  const clean = downVotes(settings, round) === 0;

  const downRounds = failing ? state.downRounds + 1 : 0;
  const upRounds = clean ? state.upRounds + 1 : 0;
  const suspectSince = clean ? undefined : (state.suspectSince ?? round.at);
  const coolingDown = state.cooldownUntil !== undefined && round.at < state.cooldownUntil;

  if (state.verdict === 'down') {
    if (upRounds >= settings.recoveryThreshold) {
      return { verdict: 'healthy', downRounds, upRounds, cooldownUntil: round.at + settings.cooldownSeconds * 1000 };
    }
    return { ...state, downRounds, upRounds };
  }
  if (downRounds >= settings.failureThreshold && !coolingDown) {
    return { verdict: 'down', downRounds, upRounds, suspectSince, downSince: round.at, cooldownUntil: state.cooldownUntil };
  }
  if (upRounds >= settings.recoveryThreshold || (clean && state.verdict === 'healthy')) {
    return { verdict: 'healthy', downRounds, upRounds, cooldownUntil: state.cooldownUntil };
  }
  return { verdict: 'suspect', downRounds, upRounds, suspectSince, cooldownUntil: state.cooldownUntil };
}
