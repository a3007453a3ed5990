import type { DetectionSettings, DrConfig, SignalName } from '../config/schema.js';
import { GLOBAL_ACCELERATOR_CONTROL_REGION } from '../names.js';

/** What one signal said in one round. `unknown` (no answer, no data) never counts as down. */
export type SignalState = 'up' | 'down' | 'unknown';

/** One signal's reading: what it said, and how old the evidence behind it may be. */
export interface SignalReading {
  readonly state: SignalState;
  /** How old the newest evidence the reading reflects may be, in ms (0 for a probe made now). */
  readonly ageMs: number;
}

/** The detector's verdict on the primary region. */
export type Verdict = 'healthy' | 'suspect' | 'down';

/** One round of readings, taken together every `intervalSeconds`. */
export interface DetectorRound {
  readonly at: number;
  readonly readings: Partial<Record<SignalName, SignalReading>>;
  /** The primary's database reported maintenance (a reboot, an upgrade) in this round; undefined when it could not be read. */
  readonly maintenance?: boolean | undefined;
}

/** The detector's memory between rounds; plain JSON. */
export interface DetectorState {
  readonly verdict: Verdict;
  /**
   * True once a round has seen the primary healthy (a fresh up from an independent vantage point,
   * nothing down): a primary never seen healthy (day one, a broken deploy) is never failed over.
   */
  readonly armed?: boolean | undefined;
  /** Rounds in a row that failed (a quorum of counted downs). */
  readonly downRounds: number;
  /** Rounds in a row with nothing counted down. */
  readonly upRounds: number;
  /** The last round with nothing counted down: the impairment began after it. */
  readonly lastCleanAt?: number | undefined;
  /** The estimated start of the impairment: the first round since `lastCleanAt` with a counted down, less that reading's age. */
  readonly firstDownAt?: number | undefined;
  /** The first round of the run of failing rounds that reached (or is reaching) the verdict. */
  readonly suspectSince?: number | undefined;
  /** When the verdict became `down`. */
  readonly downSince?: number | undefined;
  /** The first round of this impairment in which the primary's database reported maintenance. */
  readonly maintenanceSince?: number | undefined;
  /** The last round in which it did. */
  readonly maintenanceSeenAt?: number | undefined;
  /** No new `down` verdict before this time (after a recovery). */
  readonly cooldownUntil?: number | undefined;
}

/** A detector with nothing seen yet (not armed). */
export const initialDetectorState: DetectorState = { verdict: 'healthy', armed: false, downRounds: 0, upRounds: 0 };

/** Settings the detector uses; a subset of the config's `detection`. */
export type DetectorSettings = Pick<
  DetectionSettings,
  'failureThreshold' | 'recoveryThreshold' | 'quorum' | 'cooldownSeconds' | 'signals' | 'staleAfterSeconds'
>;

/**
 * Signals that look at the primary from outside it: the probe from the DR region and Route 53's
 * checkers around the world. A fresh up from one of them vetoes older downs. Global Accelerator's
 * health and the ALB alarm follow the region's own load balancer.
 */
export const INDEPENDENT_SIGNALS: ReadonlySet<SignalName> = new Set<SignalName>(['probe', 'route53']);

/**
 * The configured signals that can still be read while the primary region is out: not its
 * CloudWatch alarm (its API is in that region), nor Global Accelerator's health when the
 * primary is us-west-2 (Global Accelerator's control plane). The probe runs from the DR region,
 * and Route 53 is read through DNS, its data plane.
 */
export function signalsSurvivingOutage(config: Pick<DrConfig, 'primary' | 'detection'>): SignalName[] {
  return config.detection.signals.filter(
    (s) => s !== 'alarm' && !(s === 'endpoint-health' && config.primary.region === GLOBAL_ACCELERATOR_CONTROL_REGION),
  );
}

const isFresh = (settings: Pick<DetectorSettings, 'staleAfterSeconds'>, r: SignalReading | undefined): r is SignalReading =>
  r !== undefined && r.state !== 'unknown' && r.ageMs <= settings.staleAfterSeconds * 1000;

/**
 * The downs of a round that count (see the package README, "Detection"):
 * 1. a reading older than `staleAfterSeconds` does not vote, nor does `unknown`;
 * 2. a fresh up from an independent vantage point vetoes every down at least as old as it:
 *    only downs strictly newer than the newest such up count.
 * Pure.
 */
export function countedDowns(settings: Pick<DetectorSettings, 'signals' | 'staleAfterSeconds'>, round: DetectorRound): SignalName[] {
  const fresh = settings.signals.flatMap((s) => {
    const r = round.readings[s];
    return isFresh(settings, r) ? [{ signal: s, reading: r }] : [];
  });
  const newestUp = Math.min(
    ...fresh.filter((f) => f.reading.state === 'up' && INDEPENDENT_SIGNALS.has(f.signal)).map((f) => f.reading.ageMs),
  );
  return fresh.filter((f) => f.reading.state === 'down' && f.reading.ageMs < newestUp).map((f) => f.signal);
}

/** True when a round fails: at least `quorum` counted downs ({@link countedDowns}). Pure. */
export const roundFails = (settings: Pick<DetectorSettings, 'quorum' | 'signals' | 'staleAfterSeconds'>, round: DetectorRound): boolean =>
  countedDowns(settings, round).length >= settings.quorum;

/** True when a round shows the primary healthy: nothing counted down and a fresh up from an independent vantage point. Pure. */
export function roundSeesHealthy(settings: Pick<DetectorSettings, 'signals' | 'staleAfterSeconds'>, round: DetectorRound): boolean {
  if (countedDowns(settings, round).length > 0) return false;
  return settings.signals.some(
    (s) => INDEPENDENT_SIGNALS.has(s) && round.readings[s]?.state === 'up' && isFresh(settings, round.readings[s]),
  );
}

/** When the impairment began, as the detector can tell: an estimate, and the window it lies in. */
export interface ImpairmentEstimate {
  /** Epoch ms: the first counted down since the last clean round, less that reading's age. */
  readonly at: number;
  /** It began after this round (the last with nothing counted down), if one was seen. */
  readonly after?: number | undefined;
  /** ... and by this one (the first failing round of the run that reached the verdict). */
  readonly by: number;
}

/** The impairment's start as `state` estimates it, once a run of failing rounds has begun. */
export function impairmentEstimate(state: DetectorState): ImpairmentEstimate | undefined {
  if (state.suspectSince === undefined) return undefined;
  const at = Math.max(state.firstDownAt ?? state.suspectSince, state.lastCleanAt ?? Number.NEGATIVE_INFINITY);
  return { at: Math.min(at, state.suspectSince), after: state.lastCleanAt, by: state.suspectSince };
}

/**
 * Feeds one round to the detector. Pure.
 *
 * A round *fails* when at least `quorum` of the configured signals count as down
 * ({@link countedDowns}: fresh, and not vetoed by a newer up from an independent vantage point).
 * The verdict becomes `down` after `failureThreshold` failing rounds in a row, once the detector
 * is armed (it has seen the primary healthy), and `healthy` again after `recoveryThreshold` rounds
 * in a row with nothing counted down (hysteresis). Anything between is `suspect`. After a `down`
 * recovers, no new `down` is declared until `cooldownSeconds` pass. A lone flapping or lossy
 * signal cannot reach a quorum of two, so it never fails a region over.
 */
export function observeRound(state: DetectorState, settings: DetectorSettings, round: DetectorRound): DetectorState {
  const downs = countedDowns(settings, round);
  const failing = downs.length >= settings.quorum;
  const clean = downs.length === 0;
  const armed = state.armed === true || roundSeesHealthy(settings, round);

  const downRounds = failing ? state.downRounds + 1 : 0;
  const upRounds = clean ? state.upRounds + 1 : 0;
  const lastCleanAt = clean ? round.at : state.lastCleanAt;
  const newestDownAge = Math.min(...downs.map((s) => round.readings[s]?.ageMs ?? 0));
  const firstDownAt = clean ? undefined : (state.firstDownAt ?? round.at - newestDownAge);
  const suspectSince = failing ? (state.suspectSince ?? round.at) : state.verdict === 'down' ? state.suspectSince : undefined;
  // Kept until the verdict is healthy again: a maintenance that ended is still why the primary failed.
  const maintenanceSince = round.maintenance ? (state.maintenanceSince ?? round.at) : state.maintenanceSince;
  const maintenanceSeenAt = round.maintenance ? round.at : state.maintenanceSeenAt;
  const coolingDown = state.cooldownUntil !== undefined && round.at < state.cooldownUntil;
  const memory = {
    armed,
    downRounds,
    upRounds,
    lastCleanAt,
    firstDownAt,
    suspectSince,
    maintenanceSince,
    maintenanceSeenAt,
    cooldownUntil: state.cooldownUntil,
  };

  if (state.verdict === 'down') {
    if (upRounds >= settings.recoveryThreshold) {
      return { verdict: 'healthy', armed, downRounds, upRounds, lastCleanAt, cooldownUntil: round.at + settings.cooldownSeconds * 1000 };
    }
    // The estimate of when the impairment began is that of the run that reached the verdict.
    return { ...memory, verdict: 'down', downSince: state.downSince, lastCleanAt: state.lastCleanAt, firstDownAt: state.firstDownAt };
  }
  if (armed && downRounds >= settings.failureThreshold && !coolingDown) {
    return { ...memory, verdict: 'down', downSince: round.at };
  }
  if (upRounds >= settings.recoveryThreshold || (clean && state.verdict === 'healthy')) {
    return { ...memory, verdict: 'healthy', suspectSince: undefined, maintenanceSince: undefined, maintenanceSeenAt: undefined };
  }
  return { ...memory, verdict: 'suspect' };
}

/** A round's readings for people: `probe down (0s), route53 up (12s), ...`. */
export function describeReadings(round: DetectorRound): string {
  return Object.entries(round.readings)
    .map(([k, r]) => `${k} ${describeReading(r)}`)
    .join(', ');
}

/** One reading for people: `down (0s old)`, or `unknown`. */
export const describeReading = (r: SignalReading): string =>
  r.state === 'unknown' ? 'unknown' : `${r.state} (${Math.round(r.ageMs / 1000)}s old)`;
