import type { ReachAttempt, ReadFailureReason } from './observation.js';

/** Reasons that, seen everywhere at once, point at this side of the network (or its credentials) rather than at AWS. */
const LOCAL_REASONS: ReadonlySet<ReadFailureReason> = new Set(['refused', 'dns', 'access-denied']);
/** Reasons that mean no answer came from a region's API. */
const SILENT_REASONS: ReadonlySet<ReadFailureReason> = new Set(['timeout', 'refused', 'dns', 'reset', 'no-route']);

/** What the reads say about where the trouble is: on this side, or in a region. */
export interface Reach {
  /** AWS could not be reached from here: nothing answered, or every region failed only for local-looking reasons. */
  readonly fromHere: boolean;
  /** The distinct reasons of every failed read, most frequent first. */
  readonly reasons: readonly ReadFailureReason[];
  /** Regions whose every read got no answer, each with its reasons, while some other region answered. */
  readonly silent: ReadonlyMap<string, readonly ReadFailureReason[]>;
}

/** The distinct reasons of the failed reads, most frequent first (ties in the order first seen). */
function reasonsByFrequency(failures: readonly ReachAttempt[]): ReadFailureReason[] {
  const counts = new Map<ReadFailureReason, number>();
  for (const f of failures) counts.set(f.reason!, (counts.get(f.reason!) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([r]) => r);
}

/**
 * Tells "cannot reach AWS from here" from "a region does not answer" by comparing regions, not by
 * error code alone. Pure. A refused connection or an unresolved name usually means this side (a
 * VPN down, a proxy, a broken resolver), but a real regional outage can look the same from
 * everywhere: in the us-east-1 DynamoDB event of October 2025 the regional endpoint's name stopped
 * resolving (https://aws.amazon.com/message/101925/). So an error code alone never decides:
 * when another region (Global Accelerator's us-west-2, the state table, the other workload
 * region) answers, the network path works and the silent region is the problem; only when nothing
 * answers at all, or every region called failed and every failure is refused, DNS or access
 * denied, is it said to be this side.
 */
export function judgeReach(attempts: readonly ReachAttempt[]): Reach {
  const failures = attempts.filter((a) => a.reason !== null);
  const regions = [...new Set(attempts.map((a) => a.region))];
  const answered = new Set(attempts.filter((a) => a.reason === null).map((a) => a.region));
  const failedEverywhere = regions.every((r) => failures.some((f) => f.region === r));
  const fromHere =
    attempts.length > 0 && (answered.size === 0 || (failedEverywhere && failures.every((f) => LOCAL_REASONS.has(f.reason!))));
  const silent = new Map<string, ReadFailureReason[]>();
  if (!fromHere) {
    for (const region of regions) {
      const mine = attempts.filter((a) => a.region === region);
      if (!answered.has(region) && mine.every((a) => SILENT_REASONS.has(a.reason!)))
        silent.set(region, [...new Set(mine.map((a) => a.reason!))]);
    }
  }
  return { fromHere, reasons: reasonsByFrequency(failures), silent };
}
