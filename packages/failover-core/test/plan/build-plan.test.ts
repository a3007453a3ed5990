import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { buildPlan, operationConfigIssues, retiredIdentifier, retiredPrefix } from '../../src/plan/build-plan.js';
import type { Operation, Plan, PlanBlock } from '../../src/plan/types.js';
import { config } from '../fixtures.js';

const kinds = (plan: Plan) => plan.steps.map((s) => s.blocks.map((b) => b.action.kind));
const blocks = (plan: Plan): PlanBlock[] => plan.steps.flatMap((s) => s.blocks);
const byId = (plan: Plan, id: string) => blocks(plan).find((b) => b.id === id);

describe('buildPlan: failover', () => {
  const plan = buildPlan(config, 'failover');

  it('fences traffic, scales and lifts any leftover fence first (all reversible), then promotes alone, then waits, shifts, verifies and contains', () => {
    expect(plan).toMatchObject({ from: 'primary', to: 'secondary', fromRegion: 'eu-west-1', toRegion: 'us-east-1' });
    expect(kinds(plan)).toEqual([
      ['set-endpoint-weight', 'set-traffic-dial', 'set-capacity', 'set-write-fence'],
      ['promote-replica', 'set-write-fence'],
      ['await-writable', 'await-healthy'],
      ['set-endpoint-weight', 'set-traffic-dial'],
      ['verify-serving'],
      ['set-capacity'],
    ]);
  });

  it('makes the promotion the point of no return, and every earlier change undoable', () => {
    expect(
      blocks(plan)
        .filter((b) => b.commits)
        .map((b) => b.id),
    ).toEqual(['promote-replica']);
    expect(plan.steps[0]?.blocks.map((b) => b.undo)).toEqual(['restore', 'restore', 'restore', 'restore']);
  });

  it("lifts the target database's own fence before the promotion (a replica stays read-only either way)", () => {
    expect(byId(plan, 'lift-fence')?.action).toEqual({
      kind: 'set-write-fence',
      db: { region: 'us-east-1', dbInstanceIdentifier: 'lamp-replica' },
      fenced: false,
    });
  });

  it('contains the old region best effort: its writes fenced once the promotion is accepted and the drain time passed, its capacity to 0 at the end', () => {
    expect(byId(plan, 'contain-writes')).toMatchObject({
      bestEffort: true,
      afterCommit: true,
      delaySeconds: 60,
      action: { kind: 'set-write-fence', fenced: true, db: { region: 'eu-west-1' } },
    });
    expect(byId(plan, 'contain-capacity')).toMatchObject({
      bestEffort: true,
      action: { kind: 'set-capacity', capacity: { min: 0, desired: 0, max: 4 } },
    });
  });

  it('promotes with the backups the config asks for', () => {
    expect(byId(plan, 'promote-replica')?.action).toMatchObject({ backupRetentionDays: 7 });
  });

  it('marks the verify step as the moment the new region serves', () => {
    expect(plan.steps.find((s) => s.milestone === 'serving')?.id).toBe('verify');
  });
});

describe('buildPlan: switchover', () => {
  const plan = buildPlan(config, 'switchover');

  it("drains traffic, waits, then fences writes on both sides, waits for zero lag, promotes, and commits by lifting the target's fence", () => {
    expect(kinds(plan)).toEqual([
      ['set-capacity'],
      ['await-healthy'],
      ['set-endpoint-weight', 'set-traffic-dial'],
      ['await-drain'],
      ['set-write-fence', 'set-write-fence'],
      ['await-replica-sync'],
      ['promote-replica'],
      ['set-write-fence'],
      ['await-writable'],
      ['set-endpoint-weight', 'set-traffic-dial'],
      ['verify-serving'],
      ['set-capacity'],
    ]);
    expect(byId(plan, 'lift-fence')).toMatchObject({ commits: true, action: { fenced: false, db: { region: 'us-east-1' } } });
    expect(byId(plan, 'await-sync')?.action).toMatchObject({ maxLagSeconds: 0 });
    expect(plan.steps.find((s) => s.milestone === 'outage-start')?.id).toBe('drain');
  });

  it('keeps the promoted target fenced if the run rolls back, and restores the source', () => {
    expect(byId(plan, 'fence-target')?.undo).toMatchObject({ keep: expect.stringContaining('must stay fenced') });
    expect(byId(plan, 'promote-replica')?.undo).toMatchObject({ keep: expect.stringContaining('dr rebuild') });
    expect(byId(plan, 'fence-writes')?.undo).toBe('restore');
  });
});

describe('buildPlan: failback', () => {
  const plan = buildPlan(config, 'failback', { runTag: 'run-42' });

  it('fences and retires the stale database at home, replicates home, switches over back, and rebuilds the pilot light', () => {
    expect(plan).toMatchObject({ from: 'secondary', to: 'primary', fromRegion: 'us-east-1', toRegion: 'eu-west-1' });
    expect(plan.steps.map((s) => s.id)).toEqual([
      'fence-stale',
      'retire-stale',
      'replicate-home',
      'await-capacity',
      'drain',
      'await-drain',
      'fence-writes',
      'sync',
      'promote',
      'commit',
      'await-writable',
      'shift-traffic',
      'verify',
      'retire-promoted',
      'restore-pilot-light',
      'configure-pilot-light',
      'lift-dr-fence',
    ]);
    expect(byId(plan, 'retire-stale-db')?.action).toMatchObject({ kind: 'retire-instance', newIdentifier: 'lamp-primary-retired-run42' });
    expect(byId(plan, 'reboot-stale-db')?.action).toMatchObject({
      kind: 'reboot-instance',
      db: { dbInstanceIdentifier: 'lamp-primary-retired-run42' },
      parameterGroupName: 'lamp-primary-retired',
    });
  });

  it('ends with the DR replica backed up, its capacity 0, and its fence lifted only after the retired database left its group', () => {
    const order = plan.steps.map((s) => s.blocks.map((b) => b.id));
    const at = (id: string) => order.findIndex((ids) => ids.includes(id));

    expect(byId(plan, 'scale-down')?.action).toMatchObject({ kind: 'set-capacity', capacity: { min: 0, desired: 0, max: 4 } });
    expect(byId(plan, 'dr-backups')?.action).toMatchObject({ kind: 'set-backup-retention', days: 7 });
    expect(at('lift-dr-fence')).toBeGreaterThan(at('reboot-promoted-db'));
    expect(byId(plan, 'lift-dr-fence')?.action).toMatchObject({ kind: 'set-write-fence', fenced: false, db: { region: 'us-east-1' } });
  });

  it('keeps retired identifiers within the 63 characters RDS allows', () => {
    const long = { ...config, primary: { ...config.primary, dbInstanceIdentifier: `a${'b'.repeat(61)}` } };

    const retire = byId(buildPlan(long, 'failback', { runTag: 'x'.repeat(40) }), 'retire-stale-db')?.action;

    expect(retire?.kind === 'retire-instance' && retire.newIdentifier.length).toBeLessThanOrEqual(63);
  });
});

describe('buildPlan: rebuild', () => {
  it('retires the DR database and replicates it anew from the active one, moving no traffic', () => {
    const plan = buildPlan(config, 'rebuild', { from: 'primary', runTag: 'r1' });

    expect(plan).toMatchObject({ from: 'primary', to: 'primary', fromRegion: 'eu-west-1', toRegion: 'eu-west-1' });
    expect(plan.steps.map((s) => s.id)).toEqual([
      'fence-stale',
      'retire-stale',
      'restore-pilot-light',
      'configure-pilot-light',
      'lift-dr-fence',
    ]);
    expect(blocks(plan).some((b) => b.action.kind === 'set-endpoint-weight' || b.action.kind === 'promote-replica')).toBe(false);
  });
});

describe('buildPlan: every operation', () => {
  it.each<Operation>(['failover', 'switchover', 'failback', 'rebuild'])(
    'gives every block of a %s a unique id and an undo',
    (operation) => {
      const plan = buildPlan(config, operation);
      const ids = blocks(plan).map((b) => b.id);

      expect(new Set(ids).size).toBe(ids.length);
      expect(blocks(plan).every((b) => b.undo === 'restore' || typeof b.undo.keep === 'string')).toBe(true);
    },
  );
});

describe('buildPlan refuses an operation the config cannot carry out faithfully', () => {
  it('names each field a failback needs to recreate the databases as deployed', () => {
    const bare = {
      ...config,
      primary: { ...config.primary, dbSettings: undefined, retiredDbParameterGroupName: undefined },
      secondary: { ...config.secondary, dbSubnetGroupName: undefined },
    };

    expect(operationConfigIssues(bare, 'failback').map((i) => i.path)).toEqual([
      'primary.retiredDbParameterGroupName',
      'primary.dbSettings.instanceClass',
      'primary.dbSettings.backupRetentionDays',
      'primary.dbSettings.deletionProtection',
      'primary.dbSettings.iamAuthentication',
      'primary.dbSettings.cloudwatchLogsExports',
      'secondary.dbSubnetGroupName',
    ]);
    expect(() => buildPlan(bare, 'failback')).toThrow(/primary\.dbSettings\.instanceClass: is required for a failback/);
    expect(() => buildPlan(bare, 'failover')).not.toThrow();
    expect(() => buildPlan(bare, 'switchover')).not.toThrow();
  });

  it('asks a rebuild only for what the DR region needs', () => {
    const bare = { ...config, primary: { ...config.primary, dbSettings: undefined } };

    expect(operationConfigIssues(bare, 'rebuild', 'primary')).toEqual([]);
    expect(operationConfigIssues(bare, 'rebuild', 'secondary').length).toBe(5);
  });

  it("needs the key of an encrypted database's region", () => {
    const noKey = { ...config, secondary: { ...config.secondary, dbKmsKeyArn: undefined } };
    const plain = { ...noKey, secondary: { ...noKey.secondary, dbSettings: { ...noKey.secondary.dbSettings!, storageEncrypted: false } } };

    expect(operationConfigIssues(noKey, 'failback').map((i) => i.path)).toEqual(['secondary.dbKmsKeyArn']);
    expect(operationConfigIssues(plain, 'failback')).toEqual([]);
  });
});

describe('retiredPrefix', () => {
  const startsWith = (name: string, prefix: string) => expect(name.slice(0, prefix.length)).toBe(prefix);
  const tags = [
    '',
    'r',
    'run',
    'r1',
    'drill-7-2',
    'failover-2026-11-25T10-00-00-000Z-abcdef12',
    'x'.repeat(40),
    '---',
    '123456789012',
    '1234567890123',
  ];

  it('is <id>-retired- for an identifier short enough never to be cut', () => {
    expect(retiredPrefix('lamp-primary')).toBe('lamp-primary-retired-');
    expect(retiredPrefix('a'.repeat(42))).toBe(`${'a'.repeat(42)}-retired-`);
    for (const tag of tags) startsWith(retiredIdentifier('lamp-primary', tag), 'lamp-primary-retired-');
  });

  it.each([
    ['43 characters', 'a'.repeat(43)],
    ['a hyphen where a long tag cuts it', `${'a'.repeat(42)}-b`],
    ['53 characters', 'a'.repeat(53)],
    ['54 characters', 'a'.repeat(54)],
    ['60 characters', `db-${'x'.repeat(57)}`],
    ['62 characters', `a${'b'.repeat(61)}`],
    ['63 characters, with hyphens', `${'a'.repeat(41)}-${'b'.repeat(10)}-${'c'.repeat(10)}`],
  ])('starts every retired name of an identifier of %s, whatever the tag', (_, id) => {
    const prefix = retiredPrefix(id);
    for (const tag of tags) startsWith(retiredIdentifier(id, tag), prefix);
    expect(prefix.length).toBeGreaterThanOrEqual(42);
  });

  it('cuts a long identifier to its first 42 characters, whatever the tag, and never leaves two hyphens in a row', () => {
    const id = `a${'b'.repeat(61)}`;

    expect(retiredPrefix(id)).toBe(`${id.slice(0, 42)}-retired-`);
    expect(retiredIdentifier(id, 'abcdefghijkl')).toBe(`${id.slice(0, 42)}-retired-abcdefghijkl`);
    expect(retiredIdentifier(id, 'r1')).toBe(`${id.slice(0, 42)}-retired-r1`);
    expect(retiredIdentifier(`${'a'.repeat(41)}-b`, 'r1')).toBe(`${'a'.repeat(41)}-retired-r1`);
  });

  test.prop([fc.stringMatching(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/).filter((id) => id.length <= 63), fc.string({ maxLength: 40 })])(
    'gives a valid RDS identifier: at most 63 characters, no double hyphen, no trailing hyphen',
    (id, tag) => {
      const name = retiredIdentifier(id, tag);
      expect(name.length).toBeLessThanOrEqual(63);
      expect(name).not.toMatch(/--|-$/);
    },
  );

  test.prop([fc.stringMatching(/^[a-z][a-z0-9-]{0,62}$/), fc.string({ maxLength: 40 })])(
    'starts every retired name, for any identifier and tag',
    (id, tag) => {
      startsWith(retiredIdentifier(id, tag), retiredPrefix(id));
    },
  );
});
