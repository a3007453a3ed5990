import { LambdaClient } from '@aws-sdk/client-lambda';
import { isRegionUnreachable, isResourceNotFound } from '@dr/failover-core/errors';
import { HEALTH_RECORD_ANSWERS, type HealthCheckRef } from '@dr/failover-core/ports';
import { FakeAws, FakeDns, startFakeAwsServer, type FakeAwsServer, type FakeLambdaFunction } from '@dr/aws-fakes';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DnsHealthChecks,
  HealthRecordReaderTransport,
  lookupHealthRecord,
  READER_INVOKE_OVERHEAD_MS,
  ROUTE53_CHECKER_INTERVAL_MS,
  type HealthRecordReaderEvent,
} from '../../src/index.js';
import { config } from '../fixtures.js';

const REF: HealthCheckRef = config.primary.route53HealthCheck!;
const DR = config.secondary.region;
const READER = 'lamp-health-record-reader';

let fake: FakeAws;
let dns: FakeDns;
let server: FakeAwsServer;
/** The events the reader was invoked with. */
let events: HealthRecordReaderEvent[];

/** The reader as it runs in the VPC, in this process: one lookup on the VPC resolver (FakeDns). */
const reader: FakeLambdaFunction = async (event) => {
  const { name, timeoutMs } = event as HealthRecordReaderEvent;
  events.push(event as HealthRecordReaderEvent);
  const lookup = await lookupHealthRecord(name, { servers: [dns.server], timeoutMs: timeoutMs ?? 1_500 });
  return { result: 'error' in lookup ? { error: lookup.error, message: lookup.message } : lookup };
};

beforeEach(async () => {
  events = [];
  fake = new FakeAws(config, 'steady', { mockSdk: false });
  dns = await FakeDns.start(fake, { failureDelayMs: 0 });
  server = await startFakeAwsServer(fake, { functions: { [READER]: reader } });
});
afterEach(async () => {
  await Promise.all([server.stop(), dns.stop()]);
});

const client = () =>
  new LambdaClient({
    region: DR,
    endpoint: server.endpoint,
    credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' },
    maxAttempts: 1,
  });
const healthChecks = (timeoutMs = 1_500, functionName = READER) =>
  new DnsHealthChecks({ transport: new HealthRecordReaderTransport({ functionName, awsSdkV3Client: client() }), timeoutMs, region: DR });

/** What `status` threw. */
async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => expect.fail('status answered'),
    (e: unknown) => e as Error,
  );
}

describe('DnsHealthChecks through HealthRecordReaderTransport', () => {
  it('reads the verdict through the reader, which gets the deadline less the invoke overhead', async () => {
    const healthy = await healthChecks().status(REF);
    fake.outages.add(config.primary.region);
    dns.flush();
    const unhealthy = await healthChecks().status(REF);

    expect(healthy).toEqual({ healthy: true, ageMs: ROUTE53_CHECKER_INTERVAL_MS });
    expect(unhealthy).toEqual({ healthy: false, ageMs: ROUTE53_CHECKER_INTERVAL_MS });
    expect(events).toEqual([
      { name: REF.recordName, timeoutMs: 1_500 - READER_INVOKE_OVERHEAD_MS },
      { name: REF.recordName, timeoutMs: 1_500 - READER_INVOKE_OVERHEAD_MS },
    ]);
    expect(server.calls).toEqual(['lambda:Invoke', 'lambda:Invoke']);
    expect(dns.queries).toEqual([`A ${REF.recordName}`, `A ${REF.recordName}`]);
  });

  it("fails with ResourceNotFoundError on the reader's not-found (NXDOMAIN in the VPC)", async () => {
    const e = await failure(healthChecks().status({ ...REF, recordName: 'nothing.health.dr.internal' }));

    expect(isResourceNotFound(e)).toBe(true);
    expect(e.message).toContain(`the health record reader ${READER}: NXDOMAIN from ${dns.server}`);
  });

  it("fails with RegionUnreachableError on the reader's unreachable (a silent VPC resolver), before the invocation's deadline", async () => {
    dns.failure = 'silent';
    const started = performance.now();

    const e = await failure(healthChecks(1_000).status(REF));

    expect(isRegionUnreachable(e)).toBe(true);
    expect(e.message).toContain(`${dns.server} did not answer within ${1_000 - READER_INVOKE_OVERHEAD_MS} ms`);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('fails with RegionUnreachableError when the invocation fails (Lambda unreachable), with the SDK error as cause', async () => {
    fake.outages.add(DR);

    const e = await failure(healthChecks().status(REF));

    expect(isRegionUnreachable(e)).toBe(true);
    expect(e.message).toContain(`the health record reader ${READER} could not be invoked`);
    expect(e.cause).toBeInstanceOf(Error);
    expect(e).toMatchObject({ region: DR });
  });

  it('fails with RegionUnreachableError at its deadline when the reader does not answer in time', async () => {
    server.functions.set(READER, () => new Promise((resolve) => setTimeout(() => resolve({ result: { addresses: [] } }), 3_000)));
    const started = performance.now();

    const e = await failure(healthChecks(600).status(REF));

    expect(performance.now() - started).toBeLessThan(1_500);
    expect(isRegionUnreachable(e)).toBe(true);
    expect(e.message).toContain(`the health record reader ${READER} did not answer within 600 ms`);
  });

  it("fails with RegionUnreachableError on a function error (the reader threw or timed out), naming Lambda's error", async () => {
    server.functions.set(READER, async () => ({
      functionError: 'Unhandled',
      errorType: 'Sandbox.Timedout',
      errorMessage: 'Task timed out after 5.00 seconds',
    }));

    const e = await failure(healthChecks().status(REF));

    expect(isRegionUnreachable(e)).toBe(true);
    expect(e.message).toContain(
      `the health record reader ${READER} failed (Unhandled function error, Sandbox.Timedout: Task timed out after 5.00 seconds)`,
    );
  });

  it('fails with RegionUnreachableError on an answer not in the shape of a lookup', async () => {
    server.functions.set(READER, async () => ({ result: { healthy: true } }));

    const e = await failure(healthChecks().status(REF));

    expect(isRegionUnreachable(e)).toBe(true);
    expect(e.message).toContain('answered {"healthy":true}, not addresses or an error');
  });

  it('fails with ResourceNotFoundError when the reader function does not exist', async () => {
    const e = await failure(healthChecks(1_500, 'arn:aws:lambda:us-east-1:123456789012:function:missing').status(REF));

    expect(isResourceNotFound(e)).toBe(true);
    expect(e.message).toContain('the health record reader arn:aws:lambda:us-east-1:123456789012:function:missing does not exist');
    expect((e.cause as Error).name).toBe('ResourceNotFoundException');
  });

  it('fails with ResourceNotFoundError when the reader answers an address that is neither verdict', async () => {
    dns.overrides.set(REF.recordName, '203.0.113.9');

    const e = await failure(healthChecks().status(REF));

    expect(isResourceNotFound(e)).toBe(true);
    expect(e.message).toContain(
      `it answers 203.0.113.9, not ${HEALTH_RECORD_ANSWERS.healthy} or ${HEALTH_RECORD_ANSWERS.unhealthy}, through the health record reader ${READER}`,
    );
  });
});

describe('HealthRecordReaderTransport', () => {
  it('refuses an empty function name', () => {
    expect(() => new HealthRecordReaderTransport({ functionName: ' ' })).toThrow(
      'functionName must name the health record reader function',
    );
  });

  it('calls the region of a function ARN unless told another', async () => {
    const transport = new HealthRecordReaderTransport({
      functionName: `arn:aws:lambda:eu-west-1:123456789012:function:${READER}`,
      clientConfig: { endpoint: server.endpoint, credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' } },
    });
    fake.outages.add(DR);

    const lookup = await transport.lookup(REF.recordName, 1_500);

    expect(lookup).toEqual({ addresses: [{ address: HEALTH_RECORD_ANSWERS.healthy, ttl: 5 }] });
  });
});
