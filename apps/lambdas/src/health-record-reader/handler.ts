import {
  HttpProbe,
  lookupHealthRecord,
  type HealthRecordLookup,
  type HealthRecordReaderEvent,
  type HttpCheckEvent,
} from '@dr/aws-adapters';
import type { ProbeResult } from '@dr/failover-core/ports';
import type { Context } from 'aws-lambda';
import * as v from 'valibot';
import { InvalidInputError, readSettings } from '../shared/invalid-input.js';

export type { HealthRecordLookup, HealthRecordReaderEvent, HttpCheckEvent } from '@dr/aws-adapters';

/** The DNS deadline when the event gives none: the adapter's default reading deadline (2 s) less its invoke overhead (0.5 s). */
export const DEFAULT_READER_TIMEOUT_MS = 1_500;

/**
 * Time kept back from the function's own timeout: the answer must be returned before Lambda
 * ends the invocation, or the caller gets a function error instead of `unreachable`.
 */
export const RETURN_MARGIN_MS = 200;

const EventSchema = v.object({
  // RFC 1035: at most 253 characters in text form; letters, digits, hyphens and dots (and the
  // underscores some private names use), an optional final dot.
  name: v.pipe(
    v.string('must be a DNS name'),
    v.maxLength(253, 'must be at most 253 characters'),
    v.regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?$/, 'must be a DNS name such as lamp-primary.health.dr.internal'),
  ),
  timeoutMs: v.optional(
    v.pipe(
      v.number('must be a number of milliseconds'),
      v.integer('must be a whole number of milliseconds'),
      v.minValue(1, 'must be at least 1'),
      v.maxValue(60_000, 'must be at most 60000'),
    ),
  ),
});

const HttpEventSchema = v.object({
  kind: v.literal('http'),
  url: v.pipe(v.string('must be an http(s) URL'), v.url('must be an http(s) URL'), v.regex(/^https?:\/\//, 'must be an http(s) URL')),
  timeoutMs: v.pipe(
    v.number('must be a number of milliseconds'),
    v.integer('must be a whole number of milliseconds'),
    v.minValue(1, 'must be at least 1'),
    v.maxValue(60_000, 'must be at most 60000'),
  ),
  expectBody: v.optional(v.string('must be text')),
});

/** The issues of a failed parse, each naming its field. */
const problems = (issues: readonly v.BaseIssue<unknown>[]): InvalidInputError =>
  // valibot words a missing key as "Invalid key: Expected ..."; say it plainly.
  new InvalidInputError(
    issues.map(
      (i) =>
        `event.${v.getDotPath(i) ?? '(root)'} ${i.kind === 'schema' && i.input === undefined ? 'is required' : i.message}; got ${JSON.stringify(i.input)}`,
    ),
  );

/**
 * Checks the event: `{ name, timeoutMs? }` (a DNS lookup) or `{ kind: 'http', url, timeoutMs, expectBody? }`.
 * @throws InvalidInputError naming every wrong field.
 */
function parseEvent(event: unknown): HealthRecordReaderEvent | HttpCheckEvent {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new InvalidInputError([
      `event must be { name, timeoutMs? } or { kind: 'http', url, timeoutMs, expectBody? } (an object); got ${event === null ? 'null' : Array.isArray(event) ? 'an array' : typeof event}`,
    ]);
  }
  if ('kind' in event) {
    const http = v.safeParse(HttpEventSchema, event);
    if (http.success) return http.output;
    throw problems(http.issues);
  }
  const result = v.safeParse(EventSchema, event);
  if (result.success) return result.output;
  throw problems(result.issues);
}

/**
 * One HTTP check from inside the VPC, of a host in `DR_PROBE_HOSTS` only: anyone who may invoke
 * the reader could otherwise make it fetch any address the VPC reaches. A refused or failed
 * check is a result (`ok: false`), never an error.
 */
async function checkHttp(event: HttpCheckEvent, deadlineMs: number): Promise<ProbeResult> {
  const { DR_PROBE_HOSTS } = readSettings({ DR_PROBE_HOSTS: { required: false } }, process.env);
  const allowed = new Set(
    (DR_PROBE_HOSTS ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter((h) => h.length > 0),
  );
  const host = new URL(event.url).hostname.toLowerCase();
  if (!allowed.has(host)) {
    const hosts =
      allowed.size === 0
        ? 'DR_PROBE_HOSTS is not set, so this reader checks no URL'
        : `it checks only ${[...allowed].join(', ')} (DR_PROBE_HOSTS)`;
    return { ok: false, latencyMs: 0, error: `refused to check ${event.url}: ${host} is not a host this reader may check; ${hosts}` };
  }
  return new HttpProbe().check({ url: event.url, timeoutMs: deadlineMs, expectBody: event.expectBody });
}

/**
 * The health record reader: invoked synchronously by the failover controller (which runs
 * outside any VPC) for each reading of the Route 53 `route53` signal, it runs in the DR VPC,
 * whose resolver alone answers the private hosted zone of the failover record pair, and makes
 * one A query for `event.name` on a fresh resolver channel (`/etc/resolv.conf`: the VPC
 * resolver; `DR_DNS_SERVERS`, comma-separated, overrides it for tests) within `event.timeoutMs`,
 * cut short before the invocation's own deadline. Returns the addresses with their TTLs, or
 * `{ error: 'not-found' | 'unreachable', message }`; it needs no internet and no AWS API, so it
 * sits in isolated subnets with nothing but its logs. Bad input throws (a function error the
 * caller reads as no answer). It logs nothing of its own: it runs every few seconds, and Lambda's
 * own lines already record each invocation.
 *
 * Its second request, `{ kind: 'http', url, timeoutMs, expectBody? }`, makes one HTTP check (a GET
 * judged as `HttpProbe` judges it) from inside the VPC for callers outside it (a region's
 * `healthCheckVia`: the DR region's load balancer is internal, its DNS name resolves to private
 * addresses), within `timeoutMs` cut short before the invocation's deadline, and answers a
 * `ProbeResult`. Only hosts named in `DR_PROBE_HOSTS` (comma-separated) are checked.
 */
export async function handler(event: unknown, context: Context): Promise<HealthRecordLookup | ProbeResult> {
  const parsed = parseEvent(event);
  if ('kind' in parsed)
    return checkHttp(parsed, Math.max(1, Math.min(parsed.timeoutMs, context.getRemainingTimeInMillis() - RETURN_MARGIN_MS)));
  const { name, timeoutMs } = parsed;
  const settings = readSettings({ DR_DNS_SERVERS: { required: false } }, process.env);
  const servers = settings.DR_DNS_SERVERS?.split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const deadline = Math.max(1, Math.min(timeoutMs ?? DEFAULT_READER_TIMEOUT_MS, context.getRemainingTimeInMillis() - RETURN_MARGIN_MS));
  const lookup = await lookupHealthRecord(name, { servers, timeoutMs: deadline });
  // Only plain JSON goes back: the DNS error kept as `cause` is for callers in this process.
  return 'error' in lookup
    ? { error: lookup.error, message: lookup.message }
    : { addresses: lookup.addresses.map(({ address, ttl }) => ({ address, ttl })) };
}
