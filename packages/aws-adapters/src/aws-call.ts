import {
  NotReadyError,
  OperationRejectedError,
  RegionUnreachableError,
  ResourceNotFoundError,
  ThrottledError,
  type UnreachableReason,
} from '@dr/failover-core/errors';

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

/** SDK error names that mean no answer came in time (the SDK's own socket timeout, our abort). */
const NO_ANSWER_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'AbortError']);

/**
 * Node's network error codes, by what they say happened. The SDK's HTTP handler renames
 * ECONNRESET, EPIPE and ETIMEDOUT errors `TimeoutError` but keeps their `code`, so the code is
 * read before the name.
 * @see https://nodejs.org/api/errors.html#common-system-errors
 * @see https://github.com/smithy-lang/smithy-typescript/blob/main/packages/node-http-handler/src/constants.ts (NODEJS_TIMEOUT_ERROR_CODES)
 */
const NETWORK_CODES: Readonly<Record<string, UnreachableReason>> = {
  ECONNREFUSED: 'refused',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  ETIMEDOUT: 'timeout',
  EHOSTUNREACH: 'no-route',
  ENETUNREACH: 'no-route',
};

/** A network error as Node and the SDK shape it: a `code`, perhaps on a wrapped `cause`, and the peer it concerns. */
interface NetworkErrorShape {
  readonly name?: string;
  readonly code?: string;
  readonly hostname?: string;
  readonly address?: string;
  readonly port?: number;
  readonly cause?: NetworkErrorShape;
}

/** The network error itself: the error, or the cause it wraps, that carries a known code. */
function networkError(e: unknown): NetworkErrorShape | undefined {
  const err = e as NetworkErrorShape | undefined;
  if (err?.code !== undefined && err.code in NETWORK_CODES) return err;
  if (err?.cause?.code !== undefined && err.cause.code in NETWORK_CODES) return err.cause;
  return undefined;
}

/**
 * Why a call got no answer, or undefined when it did get one (an AWS error is an answer).
 * A refused connection, an unresolved name or a reset fails at once, unlike a timeout: telling
 * them apart lets an operator see a broken path on their own side (VPN, proxy, DNS) rather than
 * "the region did not answer".
 */
export function unreachableReason(e: unknown): UnreachableReason | undefined {
  const err = networkError(e);
  if (err) return NETWORK_CODES[err.code!];
  const name = (e as { name?: string } | undefined)?.name ?? '';
  if (NO_ANSWER_NAMES.has(name)) return 'timeout';
  // The v2-style wrapper of any socket failure that lost its code: a connection that failed.
  if (name === 'NetworkingError') return 'reset';
  return undefined;
}

/** True for an error that means the region's endpoint did not answer. */
export function isUnreachableError(e: unknown): boolean {
  return unreachableReason(e) !== undefined;
}

/** The peer a network error names: the host name that did not resolve, or the address and port that refused or dropped. */
function peer(e: unknown): string | undefined {
  const err = networkError(e);
  if (!err) return undefined;
  if (err.hostname) return err.hostname;
  if (err.address) return err.port === undefined ? err.address : `${err.address}:${err.port}`;
  return undefined;
}

/**
 * What happened, in the words an operator needs: `RDS instance lamp-primary in eu-west-1:
 * connection to 10.0.0.1:443 refused`. The peer comes from the error (the SDK does not say which
 * endpoint it called), so it is named only when the network error names it.
 */
function unreachableMessage(context: CallContext, reason: UnreachableReason, e: unknown, timeoutMs: number): string {
  // Some resources name their region already (`DB snapshots in eu-west-1`).
  const where = context.resource.endsWith(` in ${context.region}`) ? context.resource : `${context.resource} in ${context.region}`;
  const to = peer(e);
  switch (reason) {
    case 'timeout':
      return `${context.resource}: ${context.region} did not answer within ${timeoutMs / 1000}s`;
    case 'refused':
      return `${where}: connection to ${to ?? `the ${context.region} endpoint`} refused`;
    case 'dns':
      return `${where}: ${to ?? `the ${context.region} endpoint`} could not be resolved (DNS)`;
    case 'reset':
      return `${where}: the connection${to ? ` to ${to}` : ''} was dropped before an answer came`;
    case 'no-route':
      return `${where}: no network route to ${to ?? `the ${context.region} endpoint`}`;
  }
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
 * Sends one SDK command (`send` calls `client.send(command, { abortSignal })`) with the adapters' policy: abandoned as
 * `RegionUnreachableError` after
 * `timeoutMs` (so a dead region never blocks a failover) or as soon as the network says no answer
 * can come (refused, unresolved, reset: the error's `reason` and message say which), retried with exponential backoff and
 * full jitter when throttled, and translated to the core's errors at this boundary with the SDK
 * error as `cause` (a 5xx becomes `NotReadyError`: retry, and assume the call may have landed).
 * Anything else is rethrown untouched.
 */
export async function callAws<Output>(
  context: CallContext,
  send: (abortSignal: AbortSignal) => Promise<Output>,
  policy: CallPolicy = DEFAULT_CALL_POLICY,
): Promise<Output> {
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
      const unreachable = e instanceof Deadline ? 'timeout' : unreachableReason(e);
      if (unreachable !== undefined) {
        throw new RegionUnreachableError(context.region, unreachableMessage(context, unreachable, e, policy.timeoutMs), {
          cause: e,
          reason: unreachable,
        });
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
        throw new NotReadyError(
          `${context.resource} in ${context.region}: AWS answered ${name || 'a server error'}; the outcome is unknown`,
          { cause: e },
        );
      }
      if (context.notFound?.includes(name)) throw new ResourceNotFoundError(context.resource, context.region, { cause: e });
      if (context.rejected?.includes(name))
        throw new OperationRejectedError(`${context.resource} in ${context.region}: ${(e as Error).message}`, { cause: e });
      if (context.notReady?.includes(name))
        throw new NotReadyError(`${context.resource} in ${context.region}: not yet (${name}): ${(e as Error).message}`, { cause: e });
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
export async function allPages<T>(
  fetch: (token: string | undefined) => Promise<{ items: readonly T[]; next?: string | undefined }>,
): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const page = await fetch(token);
    items.push(...page.items);
    token = page.next;
  } while (token);
  return items;
}
