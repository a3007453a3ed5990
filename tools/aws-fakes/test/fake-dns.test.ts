import { Resolver } from 'node:dns/promises';
import { HEALTH_RECORD_ANSWERS } from '@dr/failover-core/ports';
import { referenceConfig, parseConfig } from '@dr/failover-core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeAws, FakeDns } from '../src/index.js';

const config = parseConfig(referenceConfig);
const RECORD = config.primary.route53HealthCheck!.recordName;
const PRIMARY = config.primary.region;

let fake: FakeAws;
let dns: FakeDns;
afterEach(async () => {
  vi.useRealTimers();
  await dns.stop();
});

/** A resolver asking only the fake, once, quickly. */
function resolver(): Resolver {
  const r = new Resolver({ timeout: 300, tries: 1 });
  r.setServers([dns.server]);
  return r;
}

describe('FakeDns', () => {
  beforeEach(async () => {
    fake = new FakeAws(config, 'steady', { mockSdk: false });
    dns = await FakeDns.start(fake, { failureDelayMs: 0 });
  });

  it('answers the healthy address for the primary health record, with the record TTL', async () => {
    const answers = await resolver().resolve4(RECORD, { ttl: true });

    expect(answers).toEqual([{ address: HEALTH_RECORD_ANSWERS.healthy, ttl: 5 }]);
    expect(dns.queries).toEqual([`A ${RECORD}`]);
  });

  it('counts the TTL down like a caching resolver, then fetches the truth again', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_000_000);
    await resolver().resolve4(RECORD);
    fake.outages.add(PRIMARY);

    vi.setSystemTime(1_003_200);
    const cached = await resolver().resolve4(RECORD, { ttl: true });
    vi.setSystemTime(1_005_000);
    const refetched = await resolver().resolve4(RECORD, { ttl: true });

    expect(cached).toEqual([{ address: HEALTH_RECORD_ANSWERS.healthy, ttl: 2 }]);
    expect(refetched).toEqual([{ address: HEALTH_RECORD_ANSWERS.unhealthy, ttl: 5 }]);
  });

  it('answers NXDOMAIN for a name that is no health record', async () => {
    await expect(resolver().resolve4('nothing.health.dr.internal')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('answers a foreign address when a test overrides a record', async () => {
    dns.overrides.set(RECORD, '203.0.113.9');

    expect(await resolver().resolve4(RECORD)).toEqual(['203.0.113.9']);
  });

  it('fails every query as it is told: SERVFAIL, REFUSED, or no answer at all', async () => {
    dns.failure = 'servfail';
    await expect(resolver().resolve4(RECORD)).rejects.toMatchObject({ code: 'ESERVFAIL' });
    dns.failure = 'refused';
    await expect(resolver().resolve4(RECORD)).rejects.toMatchObject({ code: 'EREFUSED' });
    dns.failure = 'silent';
    await expect(resolver().resolve4(RECORD)).rejects.toMatchObject({ code: 'ETIMEOUT' });
  });
});

describe('FakeDns: Route 53 checkers', () => {
  it('answers unhealthy only once the primary has been down for the failure delay, and healthy once it is back', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(2_000_000);
    fake = new FakeAws(config, 'steady', { mockSdk: false });
    dns = await FakeDns.start(fake, { ttlSeconds: 1 });
    fake.outages.add(PRIMARY);

    vi.setSystemTime(2_019_000);
    const early = await resolver().resolve4(RECORD);
    vi.setSystemTime(2_020_000);
    const late = await resolver().resolve4(RECORD);
    fake.outages.delete(PRIMARY);
    vi.setSystemTime(2_021_000);
    const back = await resolver().resolve4(RECORD);

    expect([early, late, back]).toEqual([
      [HEALTH_RECORD_ANSWERS.healthy],
      [HEALTH_RECORD_ANSWERS.unhealthy],
      [HEALTH_RECORD_ANSWERS.healthy],
    ]);
  });
});
