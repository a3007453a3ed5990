import { InvokeCommand, LambdaClient, type LambdaClientConfig } from '@aws-sdk/client-lambda';
import type { HealthRecordLookup, HealthRecordTransport, LocalHealthRecordLookup } from '../route53/health-record-lookup.js';

/**
 * What the health record reader Lambda takes: the record's name, and the deadline of its DNS
 * query (the bundle `health-record-reader` of `@dr/lambdas`).
 */
export interface HealthRecordReaderEvent {
  readonly name: string;
  readonly timeoutMs?: number;
}

/**
 * Time kept back from the invocation's deadline for Lambda itself (the Invoke round trip, and
 * the start of an execution environment when none is warm): the reader's DNS query gets the
 * rest, so it answers `unreachable` before the invocation is abandoned. UNCONFIRMED: AWS
 * publishes no figure for Invoke overhead; a warm arm64 Node function answers in tens of ms.
 */
export const READER_INVOKE_OVERHEAD_MS = 500;

/** The shortest DNS deadline the reader is given, however short the invocation's. */
const MIN_READER_DNS_MS = 100;

/** Options of {@link HealthRecordReaderTransport}. */
export type HealthRecordReaderTransportOptions = {
  /** The reader function's name or ARN. */
  readonly functionName: string;
  /**
   * The region the reader runs in (the DR VPC's).
   * @default the region in `functionName` when it is an ARN, else the client's (`AWS_REGION`)
   */
  readonly region?: string;
} & (
  | { readonly awsSdkV3Client: LambdaClient; readonly clientConfig?: never }
  | { readonly clientConfig?: LambdaClientConfig; readonly awsSdkV3Client?: never }
);

/** The region field of a Lambda function ARN (`arn:aws:lambda:<region>:<account>:function:<name>`). */
function regionOfArn(functionName: string): string | undefined {
  const parts = functionName.split(':');
  return parts[0] === 'arn' && parts.length >= 7 && parts[3] ? parts[3] : undefined;
}

/** True for the reader's answer: plain JSON in the shape of a {@link HealthRecordLookup}. */
function isLookup(value: unknown): value is HealthRecordLookup {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  if (Array.isArray(v.addresses))
    return v.addresses.every(
      (a) =>
        typeof a === 'object' &&
        a !== null &&
        typeof (a as Record<string, unknown>).address === 'string' &&
        typeof (a as Record<string, unknown>).ttl === 'number',
    );
  return (v.error === 'not-found' || v.error === 'unreachable') && typeof v.message === 'string';
}

/**
 * The health record read through the health record reader Lambda, which runs in the VPC whose
 * resolver answers the private hosted zone: one synchronous `Invoke` (RequestResponse) per
 * lookup, abandoned at the deadline. The reader's DNS query gets the deadline less
 * {@link READER_INVOKE_OVERHEAD_MS}, so a silent resolver reads `unreachable` from the reader
 * rather than a timeout here. So the caller (the failover controller) needs no VPC, no NAT
 * gateway and no interface endpoint to read a private zone; it needs `lambda:InvokeFunction` on
 * the reader.
 *
 * The reader's `not-found` and `unreachable` answers pass through. An invocation that does not
 * give an answer is `unreachable` (the DNS data plane was not read, which says nothing about the
 * primary): no answer by the deadline, a network or throttling failure, a Lambda service error,
 * a function error (`FunctionError`: the reader threw, ran out of memory or timed out; the
 * payload is then Lambda's error object), or a payload not in the reader's shape. The one
 * exception is a reader that does not exist (`ResourceNotFoundException`): `not-found`, a
 * configuration problem a retry will not fix. The SDK error is the `cause`.
 * @see https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
 */
export class HealthRecordReaderTransport implements HealthRecordTransport {
  private readonly client: LambdaClient;
  private readonly functionName: string;

  constructor(options: HealthRecordReaderTransportOptions) {
    if (!options.functionName.trim())
      throw new Error(
        'HealthRecordReaderTransport: functionName must name the health record reader function (a name or an ARN); got an empty string',
      );
    this.functionName = options.functionName.trim();
    const region = options.region ?? regionOfArn(this.functionName);
    this.client = options.awsSdkV3Client ?? new LambdaClient({ ...options.clientConfig, ...(region ? { region } : {}) });
  }

  /** Where lookups go, for messages. */
  get description(): string {
    return `the health record reader ${this.functionName}`;
  }

  /**
   * Asks the reader for `name`'s A record; resolves to its answer, or to `unreachable`/`not-found` when the invocation gives none (see the
   * class).
   */
  async lookup(name: string, timeoutMs: number): Promise<LocalHealthRecordLookup> {
    const event: HealthRecordReaderEvent = { name, timeoutMs: Math.max(MIN_READER_DNS_MS, timeoutMs - READER_INVOKE_OVERHEAD_MS) };
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    const reader = this.description;
    try {
      const out = await this.client.send(
        new InvokeCommand({ FunctionName: this.functionName, InvocationType: 'RequestResponse', Payload: JSON.stringify(event) }),
        { abortSignal: abort.signal },
      );
      const text = out.Payload ? out.Payload.transformToString() : '';
      if (out.FunctionError) {
        const detail = (() => {
          try {
            const error = JSON.parse(text) as { errorType?: string; errorMessage?: string };
            return `${error.errorType ?? out.FunctionError}: ${error.errorMessage ?? text}`;
          } catch {
            return text || out.FunctionError;
          }
        })();
        return { error: 'unreachable', message: `${reader} failed (${out.FunctionError} function error, ${detail})` };
      }
      let answer: unknown;
      try {
        answer = JSON.parse(text);
      } catch (e) {
        return { error: 'unreachable', message: `${reader} answered something not JSON: ${JSON.stringify(text.slice(0, 200))}`, cause: e };
      }
      if (!isLookup(answer))
        return { error: 'unreachable', message: `${reader} answered ${text.slice(0, 200)}, not addresses or an error` };
      return 'addresses' in answer ? answer : { error: answer.error, message: `${reader}: ${answer.message}` };
    } catch (e) {
      if (abort.signal.aborted) return { error: 'unreachable', message: `${reader} did not answer within ${timeoutMs} ms`, cause: e };
      const errorName = (e as { name?: string } | undefined)?.name ?? 'an error';
      if (errorName === 'ResourceNotFoundException') return { error: 'not-found', message: `${reader} does not exist`, cause: e };
      return {
        error: 'unreachable',
        message: `${reader} could not be invoked (${errorName}: ${(e as Error | undefined)?.message ?? String(e)})`,
        cause: e,
      };
    } finally {
      clearTimeout(timer);
    }
  }
}
