import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { isRegionUnreachable, isResourceNotFound } from '@dr/failover-core/errors';
import { HEALTH_RECORD_ANSWERS, type HealthCheckRef } from '@dr/failover-core/ports';
import { FakeAws, FakeDns } from '@dr/aws-fakes';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  DirectDnsTransport,
  DnsHealthChecks,
  lookupHealthRecord,
  ROUTE53_CHECKER_INTERVAL_MS,
  type HealthRecordTransport,
} from '../../src/index.js';
import { config } from '../fixtures.js';

const REF: HealthCheckRef = config.primary.route53HealthCheck!;
const PRIMARY = config.primary.region;

let fake: FakeAws;
let dns: FakeDns;
beforeEach(async () => {
  fake = new FakeAws(config, 'steady', { mockSdk: false });
  dns = await FakeDns.start(fake, { failureDelayMs: 0 });
});
afterEach(async () => {
  vi.useRealTimers();
  await dns.stop();
});

const healthChecks = (timeoutMs = 1_000) => new DnsHealthChecks({ servers: [dns.server], timeoutMs, region: 'us-east-1' });

/** What `status` threw. */
async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => expect.fail('status answered'),
    (e: unknown) => e as Error,
  );
}

describe('DnsHealthChecks', () => {
  it('reads healthy when the record answers the healthy address, as old as one checker interval when just fetched', async () => {
    const reading = await healthChecks().status(REF);

    expect(reading).toEqual({ healthy: true, ageMs: ROUTE53_CHECKER_INTERVAL_MS });
    expect(dns.queries).toEqual([`A ${REF.recordName}`]);
  });

  it('reads not healthy when the record answers the unhealthy address', async () => {
    fake.outages.add(PRIMARY);

    const reading = await healthChecks().status(REF);

    expect(reading).toEqual({ healthy: false, ageMs: ROUTE53_CHECKER_INTERVAL_MS });
    expect(HEALTH_RECORD_ANSWERS.unhealthy).toBe('192.0.2.2');
  });

  it('ages a reading by the time the answer sat in the resolver cache (TTL minus TTL left), plus one checker interval', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_000_000);
    await healthChecks().status(REF);
    fake.outages.add(PRIMARY);

    vi.setSystemTime(1_003_500);
    const cached = await healthChecks().status(REF);
    vi.setSystemTime(1_005_000);
    const fresh = await healthChecks().status(REF);

    expect(cached).toEqual({ healthy: true, ageMs: 3_000 + ROUTE53_CHECKER_INTERVAL_MS });
    expect(fresh).toEqual({ healthy: false, ageMs: ROUTE53_CHECKER_INTERVAL_MS });
  });

  it('caches nothing itself: every status is a query', async () => {
    const checks = healthChecks();

    await checks.status(REF);
    await checks.status(REF);

    expect(dns.queries).toHaveLength(2);
  });

  it('fails with ResourceNotFoundError for a name with no record (NXDOMAIN)', async () => {
    const e = await failure(healthChecks().status({ ...REF, recordName: 'nothing.health.dr.internal' }));

    expect(isResourceNotFound(e)).toBe(true);
    expect(e.message).toContain('nothing.health.dr.internal');
    expect(e.message).toContain('NXDOMAIN');
    expect((e.cause as { code?: string }).code).toBe('ENOTFOUND');
  });

  it('fails with ResourceNotFoundError when the record answers neither address', async () => {
    dns.overrides.set(REF.recordName, '203.0.113.9');

    const e = await failure(healthChecks().status(REF));

    expect(isResourceNotFound(e)).toBe(true);
    expect(e.message).toContain('it answers 203.0.113.9, not 192.0.2.1 or 192.0.2.2');
  });

  it('fails with RegionUnreachableError on SERVFAIL and REFUSED', async () => {
    dns.failure = 'servfail';
    const servfail = await failure(healthChecks().status(REF));
    dns.failure = 'refused';
    const refused = await failure(healthChecks().status(REF));

    expect([isRegionUnreachable(servfail), isRegionUnreachable(refused)]).toEqual([true, true]);
    expect(servfail.message).toContain('failed (ESERVFAIL)');
    expect(refused).toMatchObject({ region: 'us-east-1' });
  });

  it('fails with RegionUnreachableError within its timeout when the server does not answer', async () => {
    dns.failure = 'silent';
    const started = performance.now();

    const e = await failure(healthChecks(400).status(REF));

    expect(performance.now() - started).toBeLessThan(1_000);
    expect(isRegionUnreachable(e)).toBe(true);
    expect(e.message).toContain(`${dns.server} did not answer within 400 ms`);
    expect(dns.queries.length).toBeGreaterThanOrEqual(1);
  });
});

describe('DnsHealthChecks: options', () => {
  it('refuses servers and a transport together', () => {
    expect(() => new DnsHealthChecks({ servers: ['127.0.0.1:53'], transport: new DirectDnsTransport() })).toThrow(
      'give either servers (a direct DNS query) or transport, not both',
    );
  });

  it('reads through the transport it is given, with its deadline', async () => {
    const asked: [string, number][] = [];
    const transport: HealthRecordTransport = {
      description: 'a test transport',
      lookup: async (name, timeoutMs) => {
        asked.push([name, timeoutMs]);
        return { addresses: [{ address: HEALTH_RECORD_ANSWERS.unhealthy, ttl: 4 }] };
      },
    };

    const reading = await new DnsHealthChecks({ transport, timeoutMs: 1_234 }).status(REF);

    expect(reading).toEqual({ healthy: false, ageMs: 1_000 + ROUTE53_CHECKER_INTERVAL_MS });
    expect(asked).toEqual([[REF.recordName, 1_234]]);
  });
});

describe('lookupHealthRecord', () => {
  it('answers the addresses with their TTLs, and why there are none as a result rather than an error', async () => {
    const found = await lookupHealthRecord(REF.recordName, { servers: [dns.server], timeoutMs: 1_000 });
    const missing = await lookupHealthRecord('nothing.health.dr.internal', { servers: [dns.server], timeoutMs: 1_000 });
    dns.failure = 'silent';
    const silent = await lookupHealthRecord(REF.recordName, { servers: [dns.server], timeoutMs: 300 });

    expect(found).toEqual({ addresses: [{ address: HEALTH_RECORD_ANSWERS.healthy, ttl: 5 }] });
    expect(missing).toMatchObject({ error: 'not-found', message: `NXDOMAIN from ${dns.server}` });
    expect(silent).toMatchObject({ error: 'unreachable', message: `${dns.server} did not answer within 300 ms` });
  });
});

describe('DnsHealthChecks: a server that never answers', () => {
  // Several servers, each silent: the resolver would try each of them, twice; the deadline cuts it short.
  let sockets: Socket[];
  beforeAll(async () => {
    sockets = await Promise.all(
      [0, 1, 2].map(async () => {
        const s = createSocket('udp4');
        await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', () => resolve()));
        return s;
      }),
    );
  });
  afterAll(() => sockets.forEach((s) => s.close()));

  it('gives up at its deadline whatever the resolver has left to try', async () => {
    const servers = sockets.map((s) => `127.0.0.1:${(s.address() as AddressInfo).port}`);
    const started = performance.now();

    const e = await failure(new DnsHealthChecks({ servers, timeoutMs: 300 }).status(REF));

    expect(performance.now() - started).toBeLessThan(800);
    expect(e).toMatchObject({ name: 'RegionUnreachableError', region: 'global' });
  });
});
