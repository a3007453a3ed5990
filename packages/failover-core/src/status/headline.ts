import type { RegionRole } from '../config/schema.js';
import type { EndpointGroupStatus } from '../ports.js';
import type { Observation, ReadFailureReason, RegionObservation } from './observation.js';
import type { Reach } from './reach.js';

/** A failure reason as a few words, for the headline. */
const REASON_WORDS: Readonly<Record<ReadFailureReason, string>> = {
  timeout: 'timed out',
  refused: 'connection refused',
  dns: 'DNS',
  reset: 'connection dropped',
  'no-route': 'no route',
  'access-denied': 'access denied',
  'not-found': 'not found',
  throttled: 'throttled',
  'aws-error': 'AWS error',
  error: 'error',
};

/** Why the headline says what it says: the word a script branches on. */
export type HeadlineReason = 'healthy' | 'not-reachable-from-here' | 'record-unread' | 'region-silent' | 'not-serving' | 'partly-observed';

/**
 * The one line that says what serves users now. `reason` is for scripts: `healthy`, `not-reachable-from-here`,
 * `record-unread`, `region-silent`, `not-serving` (something observed is wrong) or `partly-observed`.
 */
export interface Headline {
  /** The line, without colour. */
  readonly text: string;
  /** The region the state record names active; null when the record could not be read. */
  readonly serving: { readonly role: RegionRole; readonly region: string } | null;
  /** Whether anything of the service could be observed from here. */
  readonly observed: boolean;
  readonly reason: HeadlineReason;
}

/** What {@link judgeHeadline} judges. */
export interface HeadlineInput {
  readonly app: string;
  /** The read of the state record (its value does not matter here, only whether it answered). */
  readonly record: Observation<unknown>;
  /** The role the state record names active (no record: the primary); null when the record could not be read. */
  readonly recorded: RegionRole | null;
  /** What was observed of each region. */
  readonly regions: readonly RegionObservation[];
  /** Where the trouble is, from every read's outcome ({@link judgeReach}). */
  readonly reach: Reach;
}

/** Whether Global Accelerator sends users to the group: a dial above 0, a weight above 0, the endpoint healthy. */
const takesTraffic = (g: EndpointGroupStatus): boolean => g.trafficDialPercent > 0 && g.endpointWeight > 0 && g.healthy;

/** What is wrong with a region as the serving side (`bad`), and what of it could not be seen (`unseen`), from what was observed. */
function assessServing(r: Pick<RegionObservation, 'database' | 'compute' | 'traffic'>): {
  bad: string[];
  unseen: string[];
  noTraffic: boolean;
} {
  const bad: string[] = [];
  const unseen: string[] = [];
  const cannot = (what: string, x: { readonly ok: false; readonly reason: ReadFailureReason }) =>
    unseen.push(`its ${what} could not be read (${REASON_WORDS[x.reason]})`);
  if (r.database.ok) {
    const db = r.database.value;
    if (!db.exists) bad.push('its database is missing');
    else if (!db.writable) bad.push(`its database is not writable (${db.role}, ${db.status}${db.writeFenced ? ', write-fenced' : ''})`);
  } else cannot('database', r.database);
  const noTraffic = r.traffic.ok && !takesTraffic(r.traffic.value);
  if (r.traffic.ok) {
    const g = r.traffic.value;
    if (g.trafficDialPercent === 0) bad.push('its accelerator traffic dial is 0%');
    if (g.endpointWeight === 0) bad.push('its accelerator endpoint weight is 0');
    if (!g.healthy) bad.push('its accelerator endpoint is unhealthy');
  } else cannot('accelerator endpoint', r.traffic);
  if (r.compute.ok) {
    if (r.compute.value.healthyTargets === 0) bad.push('it has no healthy targets');
  } else cannot('compute', r.compute);
  return { bad, unseen, noTraffic: noTraffic || (r.compute.ok && r.compute.value.healthyTargets === 0) };
}

const words = (reasons: readonly ReadFailureReason[]): string => reasons.map((r) => REASON_WORDS[r]).join(' / ');

/** Nothing answered from here: nothing about the service is claimed. */
function unreachableHeadline({ app, recorded, regions, reach }: HeadlineInput): Headline {
  const serving = recorded === null ? null : { role: recorded, region: regions.find((r) => r.role === recorded)!.region };
  return {
    text: `${app}: cannot reach AWS from here (${words(reach.reasons)}): nothing about the service could be observed; check this machine's network path (VPN, proxy, DNS) and credentials`,
    serving,
    observed: false,
    reason: 'not-reachable-from-here',
  };
}

/** The record could not be read: which region is meant to serve is unknown, so only what each region shows is said. */
function unreadRecordHeadline({ app, record, regions }: HeadlineInput): Headline {
  const unread = record.ok ? '' : ` (${REASON_WORDS[record.reason]})`;
  const seen = regions.filter((r) => {
    const { bad, unseen } = assessServing(r);
    return bad.length === 0 && unseen.length === 0;
  });
  const which =
    seen.length === 1
      ? `; ${seen[0]!.region} (${seen[0]!.role}) is observed serving, healthy`
      : seen.length === 0
        ? '; neither region is observed serving healthy'
        : '; both regions are observed taking traffic';
  return {
    text: `${app}: the state record could not be read${unread}, so which region is meant to serve is not known${which}`,
    serving: null,
    observed: true,
    reason: 'record-unread',
  };
}

/** The serving region does not answer: only its accelerator endpoint, read elsewhere, can say whether users are served. */
function silentRegionHeadline(app: string, r: RegionObservation, silent: readonly ReadFailureReason[]): Headline {
  const endpoint = r.traffic.ok
    ? takesTraffic(r.traffic.value)
      ? 'its accelerator endpoint is still healthy'
      : `its accelerator endpoint is ${r.traffic.value.healthy ? 'healthy but takes no traffic' : 'unhealthy'}`
    : `its accelerator endpoint could not be read either (${REASON_WORDS[r.traffic.reason]})`;
  const verdict = r.traffic.ok
    ? takesTraffic(r.traffic.value)
      ? 'users may still be served; its database and compute cannot be seen'
      : 'users are probably not served'
    : 'whether users are served cannot be seen';
  return {
    text: `${app}: ${r.region} (${r.role}) is meant to serve, but it does not answer (${words(silent)}) and ${endpoint}: ${verdict}`,
    serving: { role: r.role, region: r.region },
    observed: true,
    reason: 'region-silent',
  };
}

/**
 * What serves users now, judged from the record's active region and what was observed of it:
 * its traffic (dial, weight, health), its database (a writable primary), its compute (healthy
 * targets). Says only what was seen; what could not be seen is named as such, and the headline
 * is `healthy` only when every part of the serving region was read and found serving. Pure.
 */
export function judgeHeadline(input: HeadlineInput): Headline {
  const { app, record, recorded, regions, reach } = input;
  if (reach.fromHere) return unreachableHeadline(input);
  if (recorded === null || !record.ok) return unreadRecordHeadline(input);
  const r = regions.find((x) => x.role === recorded);
  if (!r) throw new RangeError(`judgeHeadline: regions has no observation of the ${recorded} region the record names active`);
  const silent = reach.silent.get(r.region);
  if (silent) return silentRegionHeadline(app, r, silent);
  const who = `${r.region} (${r.role})`;
  const serving = { role: r.role, region: r.region };
  const { bad, unseen, noTraffic } = assessServing(r);
  if (bad.length === 0 && unseen.length === 0)
    return { text: `${app}: ${who} serves, observed healthy`, serving, observed: true, reason: 'healthy' };
  const verdict =
    bad.length === 0
      ? 'not all of it could be seen'
      : noTraffic
        ? 'users are probably not served'
        : 'users are reached, but the serving side is not healthy';
  return {
    text: `${app}: ${who} is meant to serve, but ${[...bad, ...unseen].join(', ')}: ${verdict}`,
    serving,
    observed: true,
    reason: bad.length === 0 ? 'partly-observed' : 'not-serving',
  };
}
