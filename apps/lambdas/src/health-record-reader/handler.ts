import { lookupHealthRecord, type HealthRecordLookup, type HealthRecordReaderEvent } from '@dr/aws-adapters';
import type { Context } from 'aws-lambda';
import * as v from 'valibot';
import { InvalidInputError, readSettings } from '../shared/invalid-input.js';

export type { HealthRecordLookup, HealthRecordReaderEvent } from '@dr/aws-adapters';

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
  name: v.pipe(v.string('must be a DNS name'), v.maxLength(253, 'must be at most 253 characters'), v.regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?$/, 'must be a DNS name such as lamp-primary.health.dr.internal')),
  timeoutMs: v.optional(v.pipe(v.number('must be a number of milliseconds'), v.integer('must be a whole number of milliseconds'), v.minValue(1, 'must be at least 1'), v.maxValue(60_000, 'must be at most 60000'))),
});

/**
 * Checks the event: `{ name, timeoutMs? }`.
 * @throws InvalidInputError naming every wrong field.
 */
function parseEvent(event: unknown): HealthRecordReaderEvent {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new InvalidInputError([`event must be { name, timeoutMs? } (an object); got ${event === null ? 'null' : Array.isArray(event) ? 'an array' : typeof event}`]);
  }
  const result = v.safeParse(EventSchema, event);
  if (result.success) return result.output;
  throw new InvalidInputError(result.issues.map((i) => `event.${v.getDotPath(i) ?? '(root)'} ${i.message}; got ${JSON.stringify(i.input)}`));
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
 */
export async function handler(event: unknown, context: Context): Promise<HealthRecordLookup> {
  const { name, timeoutMs } = parseEvent(event);
  const settings = readSettings({ DR_DNS_SERVERS: { required: false } }, process.env);
  const servers = settings.DR_DNS_SERVERS?.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const deadline = Math.max(1, Math.min(timeoutMs ?? DEFAULT_READER_TIMEOUT_MS, context.getRemainingTimeInMillis() - RETURN_MARGIN_MS));
  const lookup = await lookupHealthRecord(name, { servers, timeoutMs: deadline });
  // Only plain JSON goes back: the DNS error kept as `cause` is for callers in this process.
  return 'error' in lookup ? { error: lookup.error, message: lookup.message } : { addresses: lookup.addresses.map(({ address, ttl }) => ({ address, ttl })) };
}
