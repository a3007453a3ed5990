import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BUNDLES, LambdaWorld, scheduledEvent, type Invocation } from '../harness.js';

/** A failed invocation's one structured error line. */
function failure(run: Invocation): { failure: string; problems: string[] } {
  const errors = run.logs.filter((l) => l.level === 'ERROR');
  expect(errors).toHaveLength(1);
  return errors[0] as unknown as { failure: string; problems: string[] };
}

describe.each([
  ['failover-controller', BUNDLES.controller],
  ['snapshot', BUNDLES.snapshot],
])('%s bundle: bad input is named, counted, and changes nothing', (_name, bundle) => {
  let world: LambdaWorld;
  beforeAll(async () => {
    world = await LambdaWorld.start();
    world.fake.parameters.set(
      'us-east-1:/dr/broken/config',
      JSON.stringify({ ...world.config, app: 'Not An App', objectives: { rtoSeconds: 5 } }),
    );
  });
  afterAll(() => world.stop());
  let mark = 0;
  beforeEach(() => {
    mark = world.server.calls.length;
  });

  const expectNoAwsCallBut = (run: Invocation, ...allowed: string[]) => {
    expect(world.server.calls.slice(mark).filter((c) => !allowed.includes(c))).toEqual([]);
    expect(world.fake.mutations()).toBe(0);
    expect(run.metrics.InvocationFailed).toEqual([1]);
    expect(run.code).toBe(1);
  };

  it('an event of the wrong shape', async () => {
    const run = await world.start(bundle, {
      event: { source: 'aws.s3', 'detail-type': 'Object Created', time: 'yesterday' },
      timeoutMs: 10_000,
    });

    const { failure: kind, problems } = failure(run);
    expect(kind).toBe('InvalidInput');
    expect(problems).toEqual([
      'event.source must be "aws.events" (an EventBridge schedule); got "aws.s3"',
      'event.detail-type must be "Scheduled Event"; got "Object Created"',
      'event.time must be an ISO 8601 time; got "yesterday"',
    ]);
    expect(run.error).toMatch(/^InvalidInput: event.source/);
    expectNoAwsCallBut(run);
  });

  it('no event at all', async () => {
    const run = await world.start(bundle, { event: null, timeoutMs: 10_000 });

    expect(failure(run).problems).toEqual(['event must be an EventBridge scheduled event (an object); got null']);
    expectNoAwsCallBut(run);
  });

  it('missing environment variables, all named at once', async () => {
    const run = await world.start(bundle, { env: { DR_CONFIG_PARAMETER: undefined, DR_APP: '' }, timeoutMs: 10_000 });

    const { failure: kind, problems } = failure(run);
    expect(kind).toBe('InvalidInput');
    expect(problems).toEqual(['environment variable DR_APP is not set', 'environment variable DR_CONFIG_PARAMETER is not set']);
    expectNoAwsCallBut(run);
  });

  it('a config parameter that does not exist', async () => {
    // Another parameter than the one the role may read: run unchecked, so the answer is SSM's, not IAM's.
    const run = await world.start(bundle, { env: { DR_CONFIG_PARAMETER: '/dr/missing/config' }, timeoutMs: 10_000, enforceIam: false });

    const { failure: kind, problems } = failure(run);
    expect(kind).toBe('InvalidConfig');
    expect(problems[0]).toMatch(/SSM parameter \/dr\/missing\/config in us-east-1: \(root\) does not exist/);
    expectNoAwsCallBut(run, 'ssm:GetParameter');
  });

  it('a config parameter that is invalid, every bad field named', async () => {
    const run = await world.start(bundle, {
      env: { DR_CONFIG_PARAMETER: '/dr/broken/config' },
      event: scheduledEvent(),
      timeoutMs: 10_000,
      enforceIam: false,
    });

    const { problems } = failure(run);
    expect(problems.some((p) => p.includes('app '))).toBe(true);
    expect(problems.some((p) => p.includes('objectives.rtoSeconds must be at least 60'))).toBe(true);
    expectNoAwsCallBut(run, 'ssm:GetParameter');
  });
});

describe('failover-controller bundle: a lease too short to act under', () => {
  it('is refused before any AWS call, naming the least it accepts', async () => {
    const world = await LambdaWorld.start();
    try {
      // The engine acts only with 15 s of lease left beyond its 5 s skew bound: 15 s could never act.
      const run = await world.start(BUNDLES.controller, { env: { DR_LEASE_SECONDS: '15' }, timeoutMs: 10_000 });

      expect(failure(run).problems).toEqual(['environment variable DR_LEASE_SECONDS must be a whole number from 30 to 600; got "15"']);
      expect(world.server.calls).toEqual([]);
      expect(run.metrics.InvocationFailed).toEqual([1]);
    } finally {
      await world.stop();
    }
  });
});
