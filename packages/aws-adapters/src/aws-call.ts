import { NotReadyError, OperationRejectedError, RegionUnreachableError, ResourceNotFoundError, ThrottledError } from '@dr/failover-core/errors';

/** How adapters call AWS: a deadline per call and retries of throttled calls. */
export interface CallPolicy {
  /** A call that has not answered by then is abandoned as `RegionUnreachable`. @default 10000 */
  readonly timeoutMs: number;
  /** Retries of a throttled call before it fails with `ThrottledError`. @default 4 */
  readonly throttleRetries: number;
  /** First backoff after a throttled call; doubles each time, with full jitter. @default 200 */
  readonly backoffMs: number;
  /** Waits between retries; tests replace it. @default setTimeout */
  readonly sleep: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1). @default Math.random */
  readonly random: () => number;
}

/** Default call policy. */
export const DEFAULT_CALL_POLICY: CallPolicy = {
  timeoutMs: 10_000,
  throttleRetries: 4,
  backoffMs: 200,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'ProvisionedThroughputExceededException',
  'SlowDown',
  'PriorRequestNotComplete',
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'TransactionInProgressException',
]);

const UNREACHABLE = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'AbortError', 'NetworkingError']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

/** True for an AWS throttling error. */
export function isThrottlingError(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number }; $retryable?: { throttling?: boolean } } | undefined;
  return THROTTLING.has(err?.name ?? '') || err?.$metadata?.httpStatusCode === 429 || err?.$retryable?.throttling === true;
}

/** True for a server-side failure (HTTP 5xx) that outlasted the SDK's own retry. */
export function isServerError(e: unknown): boolean {
  const status = (e as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  return (status !== undefined && status >= 500) || (e as { $fault?: string } | undefined)?.$fault === 'server';
}

/** True for an error that means the region's endpoint did not answer. */
export function isUnreachableError(e: unknown): boolean {
  const err = e as { name?: string; code?: string; cause?: { code?: string } } | undefined;
  return UNREACHABLE.has(err?.name ?? '') || NETWORK_CODES.has(err?.code ?? '') || NETWORK_CODES.has(err?.cause?.code ?? '');
}

/** What is being called, for error messages. */
export interface CallContext {
  readonly region: string;
  /** Such as `RDS instance lamp-replica`; named in not-found errors. */
  readonly resource: string;
  /** Error names that mean the resource does not exist. */
  readonly notFound?: readonly string[];
  /** Error names that mean AWS refused the request for a reason a retry will not fix. */
  readonly rejected?: readonly string[];
  /** Error names that mean "not now": something is busy (perhaps with our own earlier call), and a later try may work. */
  readonly notReady?: readonly string[];
}

class Deadline extends Error {}

/**
 * Sends one SDK command (`send` calls `client.send(command, { abortSignal })`) with the adapters' policy: abandoned as `RegionUnreachableError` after
 * `timeoutMs` (so a dead region never blocks a failover), retried with exponential backoff and
 * full jitter when throttled, and translated to the core's errors at this boundary with the SDK
 * error as `cause` (a 5xx becomes `NotReadyError`: retry, and assume the call may have landed).
 * Anything else is rethrown untouched.
 */
export async function callAws<Output>(context: CallContext, send: (abortSignal: AbortSignal) => Promise<Output>, policy: CallPolicy = DEFAULT_CALL_POLICY): Promise<Output> {
  for (let attempt = 0; ; attempt++) {
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abort.abort();
        reject(new Deadline());
      }, policy.timeoutMs);
    });
    try {
      return await Promise.race([send(abort.signal), deadline]);
    } catch (e) {
      const name = (e as { name?: string } | undefined)?.name ?? '';
      if (e instanceof Deadline || isUnreachableError(e)) {
        throw new RegionUnreachableError(context.region, `${context.resource}: ${context.region} did not answer within ${policy.timeoutMs / 1000}s`, { cause: e });
      }
      if (isThrottlingError(e)) {
        if (attempt < policy.throttleRetries) {
          await policy.sleep(Math.floor(policy.random() * policy.backoffMs * 2 ** attempt));
          continue;
        }
        throw new ThrottledError(`${context.resource} in ${context.region}: still throttled after ${attempt + 1} attempts`, { cause: e });
      }
      if (isServerError(e)) {
        // The service failed (InternalFailure, ServiceUnavailable): the call may or may not have
        // taken effect, and a later try may work.
        throw new NotReadyError(`${context.resource} in ${context.region}: AWS answered ${name || 'a server error'}; the outcome is unknown`, { cause: e });
      }
      if (context.notFound?.includes(name)) throw new ResourceNotFoundError(context.resource, context.region, { cause: e });
      if (context.rejected?.includes(name)) throw new OperationRejectedError(`${context.resource} in ${context.region}: ${(e as Error).message}`, { cause: e });
      if (context.notReady?.includes(name)) throw new NotReadyError(`${context.resource} in ${context.region}: not yet (${name}): ${(e as Error).message}`, { cause: e });
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Reads every page of a paged API: `fetch` takes the token of the page to read (undefined for
 * the first) and returns the page's items and the next token.
 */
export async function allPages<T>(fetch: (token: string | undefined) => Promise<{ items: readonly T[]; next?: string | undefined }>): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const page = await fetch(token);
    items.push(...page.items);
    token = page.next;
  } while (token);
  return items;
}
