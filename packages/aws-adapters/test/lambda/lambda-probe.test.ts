import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { FakeAws, startFakeAwsServer, type FakeAwsServer } from '@dr/aws-fakes';
import type { Probe, ProbeResult, ProbeTarget } from '@dr/failover-core/ports';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HttpProbe, LambdaProbe, PROBE_INVOKE_OVERHEAD_MS, RoutedProbe, type HttpCheckEvent } from '../../src/index.js';
import { config } from '../fixtures.js';

const DR = config.secondary.region;
const READER = 'lamp-health-record-reader';

let fake: FakeAws;
let server: FakeAwsServer;
let site: Server;
let url: string;
/** The events the function was invoked with, and the regions it was invoked in. */
let events: { event: HttpCheckEvent; region: string }[];

/** The function as it runs in the VPC, in this process: one HTTP check of the URL it is given. */
const inVpc = async (event: unknown, { region }: { region: string }) => {
  events.push({ event: event as HttpCheckEvent, region });
  return { result: await new HttpProbe().check(event as HttpCheckEvent) };
};

beforeEach(async () => {
  events = [];
  site = createServer((req, res) => {
    res.writeHead(req.url === '/ref' ? 200 : 503).end(req.url === '/ref' ? 'ref ok' : 'down');
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(site.address() as AddressInfo).port}/ref`;
  fake = new FakeAws(config, 'steady', { mockSdk: false });
  server = await startFakeAwsServer(fake, { functions: { [READER]: inVpc } });
});
afterEach(async () => {
  await server.stop();
  await new Promise<void>((resolve) => site.close(() => resolve()));
});

const client = () =>
  new LambdaClient({
    region: DR,
    endpoint: server.endpoint,
    credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' },
    maxAttempts: 1,
  });
const probe = (functionName = READER) => new LambdaProbe({ functionName, awsSdkV3Client: client() });

describe('LambdaProbe', () => {
  it("answers the function's check of the URL, sending it the whole target", async () => {
    const result = await probe().check({ url, timeoutMs: 2_000, expectBody: 'ref ok' });

    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(events).toEqual([{ event: { kind: 'http', url, timeoutMs: 2_000, expectBody: 'ref ok' }, region: DR }]);
    expect(server.calls).toEqual(['lambda:Invoke']);
  });

  it("passes the function's failed check through", async () => {
    const result = await probe().check({ url: url.replace('/ref', '/down'), timeoutMs: 2_000 });

    expect(result).toMatchObject({ ok: false, status: 503, error: 'HTTP 503' });
  });

  it('answers not ok, naming the URL and the function, when the invocation fails', async () => {
    fake.outages.add(DR);

    const result = await probe().check({ url, timeoutMs: 1_000 });

    expect(result.ok).toBe(false);
    expect(result.error).toMatch(new RegExp(`^could not reach ${url} through ${READER}: `));
  });

  it("answers not ok on a function error, with Lambda's error", async () => {
    server.functions.set(READER, async () => ({
      functionError: 'Unhandled',
      errorType: 'InvalidInputError',
      errorMessage: 'event.url must be an http URL',
    }));

    const result = await probe().check({ url, timeoutMs: 1_000 });

    expect(result).toMatchObject({
      ok: false,
      error: `could not reach ${url} through ${READER}: Unhandled function error, InvalidInputError: event.url must be an http URL`,
    });
  });

  it('answers not ok when the function does not exist', async () => {
    const result = await probe('missing').check({ url, timeoutMs: 1_000 });

    expect(result.ok).toBe(false);
    expect(result.error).toContain(`could not reach ${url} through missing: ResourceNotFoundException`);
  });

  it('answers not ok on an answer not in the shape of a probe result', async () => {
    server.functions.set(READER, async () => ({ result: { addresses: [] } }));

    const result = await probe().check({ url, timeoutMs: 1_000 });

    expect(result).toMatchObject({
      ok: false,
      error: `could not reach ${url} through ${READER}: it answered {"addresses":[]}, not a probe result`,
    });
  });

  it('gives up at the deadline plus the invoke overhead when the function does not answer', async () => {
    server.functions.set(READER, () => new Promise((resolve) => setTimeout(() => resolve({ result: { ok: true, latencyMs: 1 } }), 4_000)));
    const started = performance.now();

    const result = await probe().check({ url, timeoutMs: 300 });

    expect(performance.now() - started).toBeLessThan(300 + PROBE_INVOKE_OVERHEAD_MS + 1_000);
    expect(result).toMatchObject({
      ok: false,
      error: `could not reach ${url} through ${READER}: no answer within ${300 + PROBE_INVOKE_OVERHEAD_MS} ms`,
    });
  });

  it('refuses an empty function name', () => {
    expect(() => new LambdaProbe({ functionName: ' ' })).toThrow('functionName must name the function that makes the check');
  });
});

describe('RoutedProbe', () => {
  /** A probe that records what it was asked and answers `ok`. */
  const recording = (ok: boolean): Probe & { asked: string[] } => {
    const asked: string[] = [];
    return { asked, check: async (t: ProbeTarget): Promise<ProbeResult> => (asked.push(t.url), { ok, latencyMs: 1 }) };
  };

  it('sends a routed URL through its probe and any other URL directly', async () => {
    const [direct, viaVpc] = [recording(true), recording(false)];
    const routed = new RoutedProbe(direct, new Map([[config.secondary.healthCheckUrl, viaVpc]]));

    const [dr, primary] = [
      await routed.check({ url: config.secondary.healthCheckUrl, timeoutMs: 1 }),
      await routed.check({ url: config.primary.healthCheckUrl, timeoutMs: 1 }),
    ];

    expect([dr.ok, primary.ok]).toEqual([false, true]);
    expect(viaVpc.asked).toEqual([config.secondary.healthCheckUrl]);
    expect(direct.asked).toEqual([config.primary.healthCheckUrl]);
  });
});
