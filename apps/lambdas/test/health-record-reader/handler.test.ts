import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeAws, FakeDns, invokeLambda } from '@dr/aws-fakes';
import { HEALTH_RECORD_ANSWERS, HEALTH_RECORD_TTL_SECONDS } from '@dr/failover-core/ports';
import { parseConfig, referenceConfig } from '@dr/failover-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BUNDLES } from '../harness.js';

const config = parseConfig(referenceConfig);
const RECORD = config.primary.route53HealthCheck!.recordName;

let fake: FakeAws;
let dns: FakeDns;
beforeEach(async () => {
  fake = new FakeAws(config, 'steady', { mockSdk: false });
  dns = await FakeDns.start(fake, { failureDelayMs: 0 });
});
afterEach(() => dns.stop());

/** One invocation of the shipped reader bundle, its DNS pointed at `servers` (the VPC resolver). */
const read = (event: unknown, options: { servers?: string; timeoutMs?: number; probeHosts?: string } = {}) =>
  invokeLambda(BUNDLES.healthRecordReader, {
    event,
    timeoutMs: options.timeoutMs ?? 5_000,
    env: {
      PATH: process.env.PATH,
      AWS_REGION: 'us-east-1',
      DR_DNS_SERVERS: options.servers ?? dns.server,
      DR_PROBE_HOSTS: options.probeHosts,
    },
  });

describe('health-record-reader bundle', () => {
  it('answers the A record with its TTL when the record is there', async () => {
    const run = await read({ name: RECORD, timeoutMs: 1_000 });

    expect(run.error).toBeUndefined();
    expect(run.result).toEqual({ addresses: [{ address: HEALTH_RECORD_ANSWERS.healthy, ttl: HEALTH_RECORD_TTL_SECONDS }] });
    expect(dns.queries).toEqual([`A ${RECORD}`]);
  });

  it("answers the unhealthy address once Route 53's check fails", async () => {
    fake.outages.add(config.primary.region);

    const run = await read({ name: RECORD });

    expect(run.result).toEqual({ addresses: [{ address: HEALTH_RECORD_ANSWERS.unhealthy, ttl: HEALTH_RECORD_TTL_SECONDS }] });
  });

  it('answers not-found for a name the resolver does not know (NXDOMAIN)', async () => {
    const run = await read({ name: 'nothing.health.dr.internal', timeoutMs: 1_000 });

    expect(run.code).toBe(0);
    expect(run.result).toEqual({ error: 'not-found', message: `NXDOMAIN from ${dns.server}` });
  });

  it('answers unreachable when the resolver fails (SERVFAIL)', async () => {
    dns.failure = 'servfail';

    const run = await read({ name: RECORD, timeoutMs: 1_000 });

    expect(run.result).toEqual({ error: 'unreachable', message: `${dns.server} failed (ESERVFAIL)` });
  });

  it('answers unreachable at its deadline when the resolver says nothing', async () => {
    dns.failure = 'silent';

    const run = await read({ name: RECORD, timeoutMs: 400 });

    expect(run.result).toEqual({ error: 'unreachable', message: `${dns.server} did not answer within 400 ms` });
    expect(dns.queries.length).toBeGreaterThanOrEqual(1);
  });

  it("cuts its deadline short to answer before the invocation's own timeout", async () => {
    dns.failure = 'silent';

    // The event allows 10 s; the function has 1 s, less the margin to return in.
    const run = await read({ name: RECORD, timeoutMs: 10_000 }, { timeoutMs: 1_000 });

    expect(run.code).toBe(0);
    expect(run.result).toMatchObject({ error: 'unreachable' });
    expect(String(run.result?.message)).toMatch(/did not answer within (7|8)\d\d ms$/);
    expect(run.elapsedMs).toBeLessThan(2_000);
  });

  it('throws, naming every bad field, for an event of the wrong shape', async () => {
    const run = await read({ name: 'not a name!', timeoutMs: 0 });
    const notObject = await read('lamp-primary.health.dr.internal');

    expect(run.code).toBe(1);
    expect(run.error).toBe(
      'event.name must be a DNS name such as lamp-primary.health.dr.internal; got "not a name!"; event.timeoutMs must be at least 1; got 0',
    );
    expect(notObject.error).toBe(
      "event must be { name, timeoutMs? } or { kind: 'http', url, timeoutMs, expectBody? } (an object); got string",
    );
    expect(dns.queries).toEqual([]);
  });
});

describe('health-record-reader bundle: several silent servers', () => {
  // The resolver would try each server twice; the deadline cuts it short.
  let sockets: Socket[];
  beforeAll(async () => {
    sockets = await Promise.all(
      [0, 1].map(async () => {
        const s = createSocket('udp4');
        await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', () => resolve()));
        return s;
      }),
    );
  });
  afterAll(() => sockets.forEach((s) => s.close()));

  it('gives up at its deadline whatever the resolver has left to try', async () => {
    const servers = sockets.map((s) => `127.0.0.1:${(s.address() as AddressInfo).port}`).join(',');

    const run = await read({ name: RECORD, timeoutMs: 300 }, { servers });

    expect(run.result).toEqual({ error: 'unreachable', message: `${servers.replace(',', ', ')} did not answer within 300 ms` });
  });
});

describe('health-record-reader bundle: HTTP checks', () => {
  let site: Server;
  let base: string;
  /** The paths the site was asked for. */
  let asked: string[];
  beforeAll(async () => {
    site = createServer((req, res) => {
      asked.push(req.url ?? '');
      if (req.url === '/slow') return void setTimeout(() => res.writeHead(200).end('late'), 3_000);
      res.writeHead(req.url === '/ref' ? 200 : 503).end(req.url === '/ref' ? 'lamp ref ok' : 'down');
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => site.close(() => resolve())));
  beforeEach(() => {
    asked = [];
  });

  it('checks a URL on an allowed host from where it runs, answering a probe result', async () => {
    const run = await read(
      { kind: 'http', url: `${base}/ref`, timeoutMs: 2_000, expectBody: 'ref ok' },
      { probeHosts: 'internal-lamp-dr-123.us-east-1.elb.amazonaws.com, 127.0.0.1' },
    );
    const failing = await read({ kind: 'http', url: `${base}/down`, timeoutMs: 2_000 }, { probeHosts: '127.0.0.1' });

    expect(run.result).toMatchObject({ ok: true, status: 200 });
    expect(failing.result).toMatchObject({ ok: false, status: 503, error: 'HTTP 503' });
    expect(asked).toEqual(['/ref', '/down']);
  });

  it('refuses a host not in DR_PROBE_HOSTS, and any host without it, without fetching', async () => {
    const other = await read(
      { kind: 'http', url: `${base}/ref`, timeoutMs: 1_000 },
      { probeHosts: 'internal-lamp-dr-123.us-east-1.elb.amazonaws.com' },
    );
    const unset = await read({ kind: 'http', url: `${base}/ref`, timeoutMs: 1_000 });

    expect(other.result).toEqual({
      ok: false,
      latencyMs: 0,
      error: `refused to check ${base}/ref: 127.0.0.1 is not a host this reader may check; it checks only internal-lamp-dr-123.us-east-1.elb.amazonaws.com (DR_PROBE_HOSTS)`,
    });
    expect(unset.result).toMatchObject({
      ok: false,
      error: expect.stringContaining('DR_PROBE_HOSTS is not set, so this reader checks no URL'),
    });
    expect(asked).toEqual([]);
  });

  it("answers not ok at its deadline, cut short before the invocation's own timeout", async () => {
    const run = await read({ kind: 'http', url: `${base}/slow`, timeoutMs: 10_000 }, { probeHosts: '127.0.0.1', timeoutMs: 1_000 });

    expect(run.code).toBe(0);
    expect(run.result).toMatchObject({ ok: false, error: expect.stringMatching(/^timed out after (7|8)\d\dms$/) });
  });

  it('throws, naming every bad field, for an HTTP request of the wrong shape', async () => {
    const run = await read({ kind: 'http', url: 'ftp://127.0.0.1/ref' }, { probeHosts: '127.0.0.1' });

    expect(run.code).toBe(1);
    expect(run.error).toBe('event.url must be an http(s) URL; got "ftp://127.0.0.1/ref"; event.timeoutMs is required; got undefined');
  });
});
