import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dr } from '../run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'dr-options-'));
/** A config file that does not exist: had a command read its config, it would have said so instead. */
const NO_FILE = join(dir, 'absent.json');
/** Where nothing listens: had a command called AWS, it would have failed with a connection error instead. */
const NOWHERE = 'http://127.0.0.1:9';

describe('dr drill --tier', () => {
  it('refuses a tier it does not know, naming the tiers, exit 2', () => {
    const r = dr('drill', '--tier', 'dynamodb');

    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error --tier must be one of rds-replica, aurora-global; got "dynamodb"\n');
    expect(r.stdout).toBe('');
  });

  it('refuses --tier with --config, which names its own tier, exit 2, before the file is read', () => {
    const r = dr('drill', '--tier', 'aurora-global', '--config', NO_FILE);

    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error --tier cannot be used with --config: the config names its own data tier (database.tier); pass one\n');
  });

  it('refuses --live with --tier: a live drill reads its deployed tier', () => {
    const r = dr('drill', '--live', '--tier', 'aurora-global', '--app', 'lamp', '--url', 'http://a1b2c3.awsglobalaccelerator.com/ref');

    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error --live cannot be used with --tier/);
  });
});

describe('contradictory options of dr drill', () => {
  it.each([
    ['--url', ['--url', 'http://a1b2c3.awsglobalaccelerator.com/ref']],
    ['--timeout', ['--timeout', '600']],
    ['--yes', ['--yes']],
    ['--app', ['--app', 'lamp']],
    ['--region', ['--region', 'us-east-1']],
    ['--endpoint-url', ['--endpoint-url', `rds=${NOWHERE}`]],
  ])('refuses %s without --live, exit 2, before any drill runs', (option, args) => {
    const r = dr('drill', ...args);

    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `error ${option} needs --live: it is for a game day on a deployed stack, and a drill on the simulator would ignore it\n`,
    );
    expect(r.stdout).toBe('');
  });

  it.each([
    ['--scenario', ['--scenario', 'alb-5xx']],
    ['--seed', ['--seed', '7']],
    ['--report', ['--report', join(dir, 'live.html')]],
    ['--force', ['--force']],
    ['--outage-seconds', ['--outage-seconds', '60']],
    ['--sequence', ['--sequence', 'failover,failback']],
  ])('refuses --live with %s, exit 2, before anything is read', (option, args) => {
    const r = dr(
      'drill',
      '--live',
      '--config',
      NO_FILE,
      '--url',
      'http://a1b2c3.awsglobalaccelerator.com/ref',
      '--yes',
      '--endpoint-url',
      `autoscaling=${NOWHERE}`,
      ...args,
    );

    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `error --live cannot be used with ${option}: a live drill injects one fault (the primary scaled to zero) on a deployed stack; ${option} is for the simulator (drop --live)`,
    );
    expect(r.stdout).toBe('');
    expect(existsSync(join(dir, 'live.html'))).toBe(false);
  });

  it.each([['switchover'], ['failback'], ['lifecycle']])(
    'refuses --live with --operation %s: a live drill drills a failover',
    (operation) => {
      const r = dr('drill', '--live', '--config', NO_FILE, '--url', 'http://a1b2c3.awsglobalaccelerator.com/ref', '--operation', operation);

      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^error --live cannot be used with --operation ${operation}: a live drill drills one failover`));
      expect(r.stdout).toBe('');
    },
  );

  it('refuses --live with both --app and --config', () => {
    const r = dr(
      'drill',
      '--live',
      '--app',
      'lamp',
      '--config',
      NO_FILE,
      '--url',
      'http://a1b2c3.awsglobalaccelerator.com/ref',
      '--endpoint-url',
      `ssm=${NOWHERE}`,
    );

    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error --app cannot be used with --config: both name the DR config (--app reads it from SSM, --config from a file); pass one\n',
    );
    expect(r.stdout).toBe('');
  });

  it('takes --operation failover, --json and --config with --live (it gets as far as reading the config)', () => {
    const r = dr(
      'drill',
      '--live',
      '--operation',
      'failover',
      '--json',
      '--config',
      NO_FILE,
      '--url',
      'http://a1b2c3.awsglobalaccelerator.com/ref',
    );

    expect(r.code).toBe(2);
    expect(r.stderr).toContain(NO_FILE);
    expect(r.stderr).not.toContain('cannot be used with');
  });

  it('still runs a plain drill with the default seed', () => {
    expect(dr('drill', '--json').code).toBe(0);
  });
});

describe('--app with --config on the AWS commands', () => {
  it.each([
    'status',
    'plan failover',
    'failover',
    'switchover',
    'failback',
    'rebuild',
    'snapshot list',
    'snapshot create',
    'snapshot prune',
  ])('dr %s refuses both, exit 2, before reading any config', (command) => {
    const r = dr(
      ...command.split(' '),
      '--app',
      'lamp',
      '--config',
      NO_FILE,
      '--region',
      'us-east-1',
      '--endpoint-url',
      `ssm=${NOWHERE}`,
      '--endpoint-url',
      `rds=${NOWHERE}`,
    );

    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error option '--app <name>' cannot be used with option '--config <file>' (run dr --help for usage)\n");
    expect(r.stdout).toBe('');
  });
});
