import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AwsWorld } from '../aws-world.js';
import { dr } from '../run-cli.js';
import { expectValidDocument } from '../json-schema.js';

describe('dr: config sources, credentials, help and completion', () => {
  let world: AwsWorld;
  beforeEach(async () => {
    world = await AwsWorld.start();
  });
  afterEach(() => world.stop());

  it('with no credentials anywhere, says so and exits 2', async () => {
    const r = await world.dr(['status', '--config', world.configFile], {
      env: { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_SESSION_TOKEN: undefined },
    });

    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no AWS credentials found: set AWS_PROFILE/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('names the config it cannot use: a missing SSM parameter, a malformed file, no source at all', async () => {
    // Another app's parameter: the lamp operator's policy would refuse it before SSM could say it is missing.
    const missing = await world.dr(['status', '--app', 'shop'], { env: world.uncheckedKeys });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/SSM parameter \/dr\/shop\/config in us-east-1 is invalid:\n\s+- \(root\): does not exist/);

    const file = join(world.dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ ...world.config, primary: { ...world.config.primary, region: 'mars-1' }, extra: 1 }));
    const bad = await world.dr(['failover', '--config', file, '--dry-run']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/primary\.region/);
    expect(bad.stderr).toMatch(/extra: is not a known field/);

    // Every operation fences through each database's own parameter group: the schema requires it.
    const unfenceable = join(world.dir, 'no-parameter-group.json');
    writeFileSync(
      unfenceable,
      JSON.stringify({ ...world.config, secondary: { ...world.config.secondary, dbParameterGroupName: undefined } }),
    );
    const failback = await world.dr(['failback', '--config', unfenceable, '--yes']);
    expect(failback.code).toBe(2);
    expect(failback.stderr).toMatch(/secondary\.dbParameterGroupName: is required/);
    expect(world.fake.mutations()).toBe(0);

    const none = await world.dr(['status']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/name the application \(--app NAME/);

    const endpoint = await world.dr(['status', '--app', 'lamp', '--endpoint-url', 'rds']);
    expect(endpoint.code).toBe(2);
    expect(endpoint.stderr).toMatch(/--endpoint-url must be <service>=<url>/);
  });

  it('refuses a failback or a rebuild the config cannot support before anything starts, naming each missing field', async () => {
    // A config written before the constructs carried what a failback recreates databases with.
    const strip = (r: typeof world.config.primary) => ({
      ...r,
      retiredDbParameterGroupName: undefined,
      dbSubnetGroupName: undefined,
      dbSettings: { ...r.dbSettings, instanceClass: undefined },
    });
    const file = join(world.dir, 'failover-only.json');
    writeFileSync(
      file,
      JSON.stringify({ ...world.config, primary: strip(world.config.primary), secondary: strip(world.config.secondary) }),
    );

    const failback = await world.dr(['failback', '--config', file, '--yes']);
    const rebuild = await world.dr(['rebuild', '--config', file, '--yes', '--json']);
    const failover = await world.dr(['failover', '--config', file, '--dry-run']);

    expect(failback.code).toBe(2);
    for (const field of [
      'primary.retiredDbParameterGroupName',
      'primary.dbSubnetGroupName',
      'primary.dbSettings.instanceClass',
      'secondary.retiredDbParameterGroupName',
      'secondary.dbSubnetGroupName',
      'secondary.dbSettings.instanceClass',
    ]) {
      expect(failback.stderr).toContain(`${field}: is required for a failback`);
    }
    expect(failback.stdout).toBe('');
    expect(rebuild.code).toBe(2);
    expect(rebuild.stderr).toMatch(/secondary\.retiredDbParameterGroupName: is required for a rebuild/);
    expect(rebuild.stderr).not.toMatch(/primary\.retiredDbParameterGroupName/);
    expect(rebuild.stdout).toBe('');
    // A failover recreates nothing: the same config serves it.
    expect(failover.code).toBe(0);
    expect(world.fake.mutations()).toBe(0);
  });

  it('reaches every service through --endpoint-url alone', async () => {
    const none = Object.fromEntries(
      Object.keys(world.server.env)
        .filter((k) => k.startsWith('AWS_ENDPOINT_URL_'))
        .map((k) => [k, undefined]),
    );
    const e = world.server.endpoint;
    const flags = ['rds', 'autoscaling', 'elbv2', 'cloudwatch', 'globalaccelerator', 'sns', 'ssm'].flatMap((s) => [
      '--endpoint-url',
      `${s}=${e}`,
    ]);

    const r = await world.dr(
      ['status', '--app', 'lamp', '--region', 'us-east-1', ...flags, '--endpoint-url', `dynamodb=${world.dynamo.endpoint}`, '--json'],
      { env: { ...none, AWS_ENDPOINT_URL_DYNAMODB: undefined } },
    );

    expect(r.stderr).toBe('');
    expect(expectValidDocument(r.stdout)).toMatchObject({ stateStore: 'ok', readiness: { ready: true } });
  });

  it('every command has help with an example', () => {
    for (const command of [
      [],
      ['status'],
      ['plan'],
      ['failover'],
      ['switchover'],
      ['failback'],
      ['rebuild'],
      ['drill'],
      ['snapshot'],
      ['snapshot', 'list'],
      ['snapshot', 'prune'],
      ['snapshot', 'create'],
      ['completion'],
    ]) {
      const r = dr(...command, '--help');
      expect(r.code, command.join(' ')).toBe(0);
      expect(r.stdout, command.join(' ')).toMatch(/Example/);
    }
  });

  it('prints a completion script that knows every command and its options', () => {
    const r = dr('completion', 'bash');

    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/complete -o default -F _dr_complete dr/);
    expect(r.stdout).toMatch(/"snapshot prune"\) words="[^"]*--dry-run/);
    expect(r.stdout).toMatch(/"failover"\) words="[^"]*--force/);
    expect(dr('completion', 'tcsh').code).toBe(2);
  });
});
