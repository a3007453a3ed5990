import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { parseConfig, referenceConfig } from '@dr/failover-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bundledFunction, FakeAws, startFakeAwsServer, type FakeAwsServer } from '../src/index.js';

// A real SDK client over HTTP: Lambda's REST-JSON Invoke is what is under test.
const config = parseConfig(referenceConfig);

let fake: FakeAws;
let server: FakeAwsServer;
beforeEach(async () => {
  fake = new FakeAws(config, 'steady', { mockSdk: false });
  server = await startFakeAwsServer(fake, {
    functions: {
      echo: async (event, { functionName, region }) => ({ result: { event, functionName, region } }),
      broken: async () => ({ functionError: 'Unhandled', errorType: 'TypeError', errorMessage: 'x is not a function' }),
    },
  });
});
afterEach(async () => server.stop());

const lambda = (region = 'us-east-1') =>
  new LambdaClient({ region, endpoint: server.endpoint, credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' }, maxAttempts: 1 });
const invoke = (functionName: string, event: unknown, region?: string) =>
  lambda(region).send(new InvokeCommand({ FunctionName: functionName, Payload: JSON.stringify(event) }));
const payload = (out: { Payload?: { transformToString(): string } }) => JSON.parse(out.Payload?.transformToString() ?? 'null') as unknown;

describe('startFakeAwsServer: Lambda Invoke over REST-JSON', () => {
  it('gives the function the request payload and answers its result, by name or by ARN', async () => {
    const byName = await invoke('echo', { name: 'a.example' });
    const byArn = await invoke('arn:aws:lambda:us-east-1:123456789012:function:echo', { n: 1 });

    expect(byName.StatusCode).toBe(200);
    expect(byName.FunctionError).toBeUndefined();
    expect(payload(byName)).toEqual({ event: { name: 'a.example' }, functionName: 'echo', region: 'us-east-1' });
    expect(payload(byArn)).toMatchObject({ event: { n: 1 }, functionName: 'echo' });
    expect(server.calls).toEqual(['lambda:Invoke', 'lambda:Invoke']);
  });

  it('reports a function error as Lambda does: FunctionError and the error object as the payload', async () => {
    const out = await invoke('broken', {});

    expect(out.FunctionError).toBe('Unhandled');
    expect(payload(out)).toEqual({ errorType: 'TypeError', errorMessage: 'x is not a function' });
  });

  it('answers ResourceNotFoundException for a function it does not have', async () => {
    const error = await invoke('nothing', {}).then(
      () => expect.fail('invoked'),
      (e: Error & { $metadata?: { httpStatusCode?: number } }) => e,
    );

    expect(error.name).toBe('ResourceNotFoundException');
    expect(error.$metadata?.httpStatusCode).toBe(404);
    expect(error.message).toContain('function:nothing');
  });

  it('authorizes an invocation as IAM would: lambda:InvokeFunction on exactly the function named', async () => {
    const account = '123456789012';
    const allowed = `arn:aws:lambda:us-east-1:${account}:function:echo`;
    const keys = fake.iam.addPrincipal({
      arn: `arn:aws:sts::${account}:assumed-role/ctl/fn`,
      principalArn: `arn:aws:iam::${account}:role/ctl`,
      account,
      policies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: allowed }] }],
    });
    const asRole = new LambdaClient({ region: 'us-east-1', endpoint: server.endpoint, credentials: keys, maxAttempts: 1 });

    const ok = await asRole.send(new InvokeCommand({ FunctionName: 'echo', Payload: JSON.stringify({}) }));
    const denied = await asRole.send(new InvokeCommand({ FunctionName: 'broken', Payload: '{}' })).then(
      () => expect.fail('invoked'),
      (e: Error) => e,
    );

    expect(payload(ok)).toMatchObject({ functionName: 'echo' });
    expect(denied.name).toBe('AccessDeniedException');
    expect(fake.iam.denials().map((d) => `${d.action} ${d.resource}`)).toEqual([
      `lambda:InvokeFunction arn:aws:lambda:us-east-1:${account}:function:broken`,
    ]);
  });

  it('drops an invocation in a region in an outage', async () => {
    fake.outages.add('us-east-1');

    await expect(invoke('echo', {})).rejects.toThrow();
    expect(payload(await invoke('echo', {}, 'eu-west-1'))).toMatchObject({ region: 'eu-west-1' });
  });
});

describe('bundledFunction', () => {
  // Tiny bundles in the shape of the shipped ones: ESM exporting `handler`.
  let dir: string;
  const bundle = (name: string, body: string) => {
    const file = join(dir, `${name}.mjs`);
    writeFileSync(file, `export async function handler(event, context) { ${body} }\n`);
    return file;
  };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fake-lambda-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the bundle with its own environment and answers what the handler returns', async () => {
    server.functions.set(
      'env',
      bundledFunction(bundle('env', 'return { event, setting: process.env.SETTING ?? null, name: context.functionName };'), {
        env: { SETTING: 'on' },
        timeoutMs: 5_000,
      }),
    );

    expect(payload(await invoke('env', { a: 1 }))).toEqual({ event: { a: 1 }, setting: 'on', name: 'env' });
  });

  it('reports a handler that throws as an Unhandled function error with its message', async () => {
    server.functions.set('throws', bundledFunction(bundle('throws', "throw new Error('bad input: name');"), { env: {}, timeoutMs: 5_000 }));

    const out = await invoke('throws', {});

    expect(out.FunctionError).toBe('Unhandled');
    expect(payload(out)).toEqual({ errorType: 'Error', errorMessage: 'bad input: name' });
  });

  it('kills a handler still running at its timeout, as Lambda does, and reports Sandbox.Timedout', async () => {
    server.functions.set(
      'hangs',
      bundledFunction(bundle('hangs', 'await new Promise(() => setInterval(() => {}, 1000));'), { env: {}, timeoutMs: 800 }),
    );
    const started = performance.now();

    const out = await invoke('hangs', {});

    expect(performance.now() - started).toBeLessThan(3_000);
    expect(out.FunctionError).toBe('Unhandled');
    expect(payload(out)).toEqual({ errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 0.80 seconds' });
  });
});
