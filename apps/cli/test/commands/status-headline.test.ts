import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AwsWorld } from '../aws-world.js';
import { expectValidDocument } from '../json-schema.js';

/** The fields of `dr status --json` these tests read. */
interface StatusDocument {
  readonly schemaVersion: number;
  readonly command: string;
  readonly mode: string;
  readonly outcome: string;
  readonly measures: unknown;
  readonly summary: unknown;
  readonly headline: {
    readonly text: string;
    readonly serving: { role: string; region: string } | null;
    readonly observed: boolean;
    readonly reason: string;
  };
  readonly regions: readonly { readonly region: string; readonly database: { readonly ok: boolean; readonly reason?: string } }[];
  readonly readiness: { readonly operation: string; readonly ready: boolean };
}

/** A local port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('dr status: the headline says what serves users, from what was observed', () => {
  let world: AwsWorld;
  beforeEach(async () => {
    world = await AwsWorld.start();
  });
  afterEach(() => world.stop());

  /** Every AWS endpoint `dr` would call, pointed at `url`. */
  const everyEndpoint = (url: string): Record<string, string> =>
    Object.fromEntries(
      [...Object.keys(world.server.env).filter((k) => k.startsWith('AWS_ENDPOINT_URL')), 'AWS_ENDPOINT_URL_DYNAMODB'].map((k) => [k, url]),
    );

  it('says the primary serves, observed healthy, and exits 0 when it is and a failover is ready', async () => {
    const human = await world.dr(['status', '--config', world.configFile]);
    const doc = expectValidDocument((await world.dr(['status', '--config', world.configFile, '--json'])).stdout) as StatusDocument;

    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^lamp: eu-west-1 \(primary\) serves, observed healthy\n/);
    expect(doc).toMatchObject({ schemaVersion: 1, command: 'status', mode: 'live', outcome: 'healthy', measures: null, summary: null });
    expect(doc.headline).toEqual({
      text: 'lamp: eu-west-1 (primary) serves, observed healthy',
      serving: { role: 'primary', region: 'eu-west-1' },
      observed: true,
      reason: 'healthy',
    });
    expect(world.fake.mutations()).toBe(0);
  });

  it('does not say the primary serves when eu-west-1 does not answer: not served, short cells, exit 1', async () => {
    world.fake.outages.add('eu-west-1');

    const human = await world.dr(['status', '--config', world.configFile]);
    const doc = expectValidDocument((await world.dr(['status', '--config', world.configFile, '--json'])).stdout) as StatusDocument;

    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(
      /^lamp: eu-west-1 \(primary\) is meant to serve, but it does not answer \(connection dropped\) and its accelerator endpoint is unhealthy: users are probably not served\n/,
    );
    expect(human.stdout).not.toMatch(/serves, observed healthy/);
    // The cell carries the short reason and a note number; the message is printed once, below the table.
    expect(human.stdout).toMatch(/database\s+│ unreachable: dropped \[1\]/);
    expect(human.stdout).toMatch(/\n {2}\[1\] RDS instance lamp-primary in eu-west-1: the connection was dropped before an answer came\n/);
    expect(
      human.stdout
        .split('\n')
        .filter((line) => /^[│┌├└]/.test(line))
        .every((line) => line.length <= 80),
    ).toBe(true);
    expect(doc.outcome).toBe('degraded');
    expect(doc.headline).toMatchObject({ serving: { role: 'primary', region: 'eu-west-1' }, observed: true, reason: 'region-silent' });
    expect(doc.regions[0]?.database).toMatchObject({ ok: false, reason: 'reset' });
    expect(world.fake.mutations()).toBe(0);
  });

  it('says AWS cannot be reached from here when every endpoint refuses, and exits 1', async () => {
    const port = await closedPort();
    const human = await world.dr(['status', '--config', world.configFile], { env: everyEndpoint(`http://127.0.0.1:${port}`) });
    const doc = expectValidDocument(
      (await world.dr(['status', '--config', world.configFile, '--json'], { env: everyEndpoint(`http://127.0.0.1:${port}`) })).stdout,
    ) as StatusDocument;

    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/^lamp: cannot reach AWS from here \(connection refused\): nothing about the service could be observed/);
    expect(human.stdout).toMatch(/unreachable: refused \[1\]/);
    expect(human.stdout).toMatch(new RegExp(`connection to 127\\.0\\.0\\.1:${port} refused`));
    expect(human.stdout).not.toMatch(/did not answer within/);
    expect(doc).toMatchObject({ outcome: 'not-observed', headline: { serving: null, observed: false, reason: 'not-reachable-from-here' } });
    expect(doc.regions[1]?.database).toMatchObject({ ok: false, reason: 'refused' });
    expect(world.fake.mutations()).toBe(0);
  });

  it('says AWS cannot be reached from here when no endpoint name resolves (DNS)', async () => {
    const r = await world.dr(['status', '--config', world.configFile], { env: everyEndpoint('http://nothing.invalid') });

    expect(r.code).toBe(1);
    // Most reasons first; on a loaded machine a lookup may outlast its call's deadline, so a timeout may join DNS.
    expect(r.stdout).toMatch(/^lamp: cannot reach AWS from here \(DNS( \/ [a-z ]+)*\): nothing about the service could be observed/);
    expect(r.stdout).toMatch(/nothing\.invalid could not be resolved \(DNS\)/);
    expect(world.fake.mutations()).toBe(0);
  });

  it('says AWS cannot be reached from here when every call is refused to the caller (access denied)', async () => {
    world.deniesExpected = true;
    const stranger = world.fake.iam.addPrincipal({
      arn: 'arn:aws:sts::123456789012:assumed-role/readonly-nothing/oncall',
      principalArn: 'arn:aws:iam::123456789012:role/readonly-nothing',
      account: '123456789012',
      policies: [],
    });

    const r = await world.dr(['status', '--config', world.configFile], { env: stranger.env });
    const doc = expectValidDocument(
      (await world.dr(['status', '--config', world.configFile, '--json'], { env: stranger.env })).stdout,
    ) as StatusDocument;

    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^lamp: cannot reach AWS from here \(access denied\)/);
    expect(r.stdout).toMatch(/access denied \[\d+\]/);
    expect(r.stdout).toMatch(/is not authorized to perform: rds:DescribeDBInstances/);
    expect(doc.outcome).toBe('not-observed');
    expect(doc.regions[0]?.database).toMatchObject({ ok: false, reason: 'access-denied' });
    expect(world.fake.mutations()).toBe(0);
  });

  it('a failover that cannot reach AWS from here, or is refused by it, says so and changes nothing', async () => {
    world.deniesExpected = true;
    const port = await closedPort();
    const refused = await world.dr(['failover', '--config', world.configFile, '--dry-run'], {
      env: everyEndpoint(`http://127.0.0.1:${port}`),
    });
    const stranger = world.fake.iam.addPrincipal({
      arn: 'arn:aws:sts::123456789012:assumed-role/readonly-nothing/oncall',
      principalArn: 'arn:aws:iam::123456789012:role/readonly-nothing',
      account: '123456789012',
      policies: [],
    });
    const denied = await world.dr(['failover', '--config', world.configFile, '--yes'], { env: stranger.env });

    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      new RegExp(`connection to 127\\.0\\.0\\.1:${port} refused \\(if every AWS call fails this way, AWS cannot be reached from here`),
    );
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/^error access denied: .*not authorized.*the <app>-dr-operator policy/);
    for (const r of [refused, denied]) expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(world.fake.mutations()).toBe(0);
  });

  it('after a completed failover: the secondary serves, but status exits 1 while a failback is not ready', async () => {
    const failover = await world.dr(['failover', '--config', world.configFile, '--yes']);
    expect(failover.code).toBe(0);
    // The outage that caused the failover goes on: a failback has nowhere to create its replica.
    world.fake.outages.add('eu-west-1');
    const before = world.fake.mutations();

    const human = await world.dr(['status', '--config', world.configFile]);
    const doc = expectValidDocument((await world.dr(['status', '--config', world.configFile, '--json'])).stdout) as StatusDocument & {
      summary: { state: unknown } | null;
    };

    expect(human.stdout).toMatch(/^lamp: us-east-1 \(secondary\) serves, observed healthy\n/);
    expect(human.stdout).toMatch(/Readiness of a failback from us-east-1 to eu-west-1:\n\s+✗ /);
    expect(human.code).toBe(1);
    expect(doc).toMatchObject({
      outcome: 'degraded',
      readiness: { operation: 'failback', ready: false },
      headline: { reason: 'healthy', serving: { role: 'secondary', region: 'us-east-1' } },
    });
    expect(doc.summary).not.toBeNull();
    expect(world.fake.mutations()).toBe(before);
  });
});
