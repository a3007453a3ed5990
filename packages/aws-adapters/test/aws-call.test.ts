import {
  isNotReady,
  isOperationRejected,
  isRegionUnreachable,
  isResourceNotFound,
  isRetryable,
  isThrottled,
  mayHaveLanded,
} from '@dr/failover-core/errors';
import { describe, expect, it } from 'vitest';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { allPages, callAws } from '../src/index.js';
import { unreachableReason } from '../src/aws-call.js';
import { awsError } from '@dr/aws-fakes';
import { fastPolicy } from './fixtures.js';

const ctx = {
  region: 'us-east-1',
  resource: 'RDS instance lamp-replica',
  notFound: ['DBInstanceNotFoundFault'],
  rejected: ['InvalidDBInstanceStateFault'],
};

describe('callAws', () => {
  it('retries a throttled call with growing, jittered backoff and returns its answer', async () => {
    const waits: number[] = [];
    let calls = 0;
    const send = async () => {
      calls++;
      if (calls < 3) throw awsError('ThrottlingException', 'Rate exceeded');
      return 'ok';
    };

    const result = await callAws(ctx, send, fastPolicy({ backoffMs: 100, random: () => 0.5, sleep: async (ms) => void waits.push(ms) }));

    expect(result).toBe('ok');
    expect(waits).toEqual([50, 100]);
  });

  it('gives up on a call still throttled after its retries, as ThrottledError', async () => {
    const error = await callAws(ctx, async () => Promise.reject(awsError('Throttling')), fastPolicy()).catch((e: unknown) => e);

    expect(isThrottled(error)).toBe(true);
    expect((error as Error).message).toBe('RDS instance lamp-replica in us-east-1: still throttled after 4 attempts');
  });

  it('abandons a call that does not answer in time as RegionUnreachable, aborting the request', async () => {
    let signal: AbortSignal | undefined;
    const started = Date.now();

    const error = await callAws(ctx, (s) => ((signal = s), new Promise<never>(() => undefined)), fastPolicy({ timeoutMs: 100 })).catch(
      (e: unknown) => e,
    );

    expect(isRegionUnreachable(error)).toBe(true);
    expect((error as Error).message).toBe('RDS instance lamp-replica: us-east-1 did not answer within 0.1s');
    expect(signal?.aborted).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('treats a network failure as an unreachable region', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

    expect(isRegionUnreachable(await callAws(ctx, () => Promise.reject(refused), fastPolicy()).catch((e: unknown) => e))).toBe(true);
  });

  it('says a refused connection was refused, at once, naming the address (not "did not answer within 10s")', async () => {
    const port = await closedPort();
    const started = Date.now();

    const error = await callAws(ctx, () => httpGet(`http://127.0.0.1:${port}/`), fastPolicy({ timeoutMs: 10_000 })).catch(
      (e: unknown) => e,
    );

    expect(isRegionUnreachable(error)).toBe(true);
    expect(error).toMatchObject({ reason: 'refused', region: 'us-east-1' });
    expect((error as Error).message).toBe(`RDS instance lamp-replica in us-east-1: connection to 127.0.0.1:${port} refused`);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('says a name that does not resolve is a DNS failure, naming the host', async () => {
    // `.invalid` never resolves (RFC 2606); offline, the resolver says EAI_AGAIN instead of ENOTFOUND: DNS either way.
    const error = await callAws(ctx, () => httpGet('http://nothing.invalid/'), fastPolicy()).catch((e: unknown) => e);

    expect(error).toMatchObject({ reason: 'dns' });
    expect((error as Error).message).toBe('RDS instance lamp-replica in us-east-1: nothing.invalid could not be resolved (DNS)');
  });

  it('says a dropped connection was dropped, though the SDK renames it TimeoutError', async () => {
    const reset = Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET' });

    const error = await callAws(ctx, () => Promise.reject(reset), fastPolicy()).catch((e: unknown) => e);

    expect(error).toMatchObject({ reason: 'reset' });
    expect((error as Error).message).toBe('RDS instance lamp-replica in us-east-1: the connection was dropped before an answer came');
    expect(isRetryable(error) && mayHaveLanded(error)).toBe(true);
  });

  it('keeps "did not answer within" and the reason timeout for a call that outlives its deadline', async () => {
    const error = await callAws(ctx, () => new Promise<never>(() => undefined), fastPolicy({ timeoutMs: 50 })).catch((e: unknown) => e);

    expect(error).toMatchObject({ reason: 'timeout' });
  });

  it('rethrows an AWS refusal of the caller untouched: AWS answered, the region is reachable', async () => {
    const denied = awsError(
      'AccessDenied',
      'User: arn:aws:sts::123456789012:assumed-role/x/y is not authorized to perform: rds:DescribeDBInstances',
      403,
    );

    const error = await callAws(ctx, () => Promise.reject(denied), fastPolicy()).catch((e: unknown) => e);

    expect(error).toBe(denied);
  });

  it('names the missing resource and its region, keeping the SDK error as cause', async () => {
    const sdk = awsError('DBInstanceNotFoundFault');

    const error = await callAws(ctx, () => Promise.reject(sdk), fastPolicy()).catch((e: unknown) => e);

    expect(isResourceNotFound(error)).toBe(true);
    expect((error as Error).message).toBe('RDS instance lamp-replica was not found in us-east-1');
    expect((error as Error).cause).toBe(sdk);
  });

  it("takes the SDK's own throttling flag as throttling", async () => {
    let calls = 0;
    const flagged = Object.assign(new Error('slow down'), { name: 'SomeNewThrottle', $retryable: { throttling: true } });

    await callAws(ctx, async () => (++calls < 2 ? Promise.reject(flagged) : 'ok'), fastPolicy());

    expect(calls).toBe(2);
  });

  it('turns a server error into "not ready": retryable, and the call may have landed', async () => {
    const error = await callAws(
      ctx,
      () => Promise.reject(awsError('InternalFailure', 'We encountered an internal error', 500)),
      fastPolicy(),
    ).catch((e: unknown) => e);

    expect(isNotReady(error)).toBe(true);
    expect(isRetryable(error) && mayHaveLanded(error)).toBe(true);
  });

  it('maps a refusal to OperationRejected and rethrows anything unexpected untouched', async () => {
    const odd = awsError('AccessDenied');

    expect(
      isOperationRejected(
        await callAws(ctx, () => Promise.reject(awsError('InvalidDBInstanceStateFault')), fastPolicy()).catch((e: unknown) => e),
      ),
    ).toBe(true);
    expect(await callAws(ctx, () => Promise.reject(odd), fastPolicy()).catch((e: unknown) => e)).toBe(odd);
  });

  it('maps a "not now" error to NotReady: retryable, the call may have landed, the SDK error kept as cause', async () => {
    const busy = awsError('InvalidDBParameterGroupStateFault');
    const e = await callAws({ ...ctx, notReady: ['InvalidDBParameterGroupStateFault'] }, () => Promise.reject(busy), fastPolicy()).catch(
      (x: unknown) => x,
    );

    expect(isNotReady(e) && isRetryable(e) && mayHaveLanded(e)).toBe(true);
    expect((e as Error).message).toMatch(/^RDS instance lamp-replica in us-east-1: not yet \(InvalidDBParameterGroupStateFault\)/);
    expect((e as Error).cause).toBe(busy);
  });
});

describe('allPages', () => {
  it('reads every page to the end', async () => {
    const pages: Record<string, { items: number[]; next?: string }> = {
      start: { items: [1, 2], next: 'b' },
      b: { items: [3], next: 'c' },
      c: { items: [4, 5] },
    };
    const asked: (string | undefined)[] = [];

    const all = await allPages(async (token) => (asked.push(token), pages[token ?? 'start']!));

    expect(all).toEqual([1, 2, 3, 4, 5]);
    expect(asked).toEqual([undefined, 'b', 'c']);
  });
});

describe('unreachableReason', () => {
  it.each([
    [{ code: 'ECONNREFUSED' }, 'refused'],
    [{ code: 'ENOTFOUND' }, 'dns'],
    [{ code: 'EAI_AGAIN' }, 'dns'],
    [{ code: 'ECONNRESET' }, 'reset'],
    [{ code: 'EPIPE' }, 'reset'],
    [{ code: 'ETIMEDOUT' }, 'timeout'],
    [{ code: 'EHOSTUNREACH' }, 'no-route'],
    [{ code: 'ENETUNREACH' }, 'no-route'],
    [{ name: 'TimeoutError' }, 'timeout'],
    [{ name: 'AbortError' }, 'timeout'],
    [{ name: 'TimeoutError', code: 'ECONNRESET' }, 'reset'],
    [{ name: 'Error', cause: { code: 'ECONNREFUSED' } }, 'refused'],
    [{ name: 'NetworkingError' }, 'reset'],
  ])('classifies %j as %s', (error, reason) => {
    expect(unreachableReason(Object.assign(new Error('x'), error))).toBe(reason);
  });

  it.each(['AccessDenied', 'AccessDeniedException', 'ThrottlingException', 'DBInstanceNotFoundFault'])(
    'finds an answer from AWS (%s) reachable',
    (name) => {
      expect(unreachableReason(awsError(name))).toBeUndefined();
    },
  );
});

/** A local port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A plain GET whose failure is Node's own network error, as the SDK's HTTP handler passes it on. */
function httpGet(url: string): Promise<never> {
  return new Promise((_, reject) => {
    const req = get(url, () => reject(new Error(`${url} answered`)));
    req.on('error', reject);
  });
}
