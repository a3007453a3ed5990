import { describe, expect, it } from 'vitest';
import { buildPlan, type Operation, type Plan } from '../../src/index.js';
import { config } from '../fixtures.js';

const kinds = (plan: Plan) => plan.steps.map((s) => s.blocks.map((b) => b.action.kind));

describe('buildPlan', () => {
  it('fails over by fencing, promoting and scaling together, then waiting, then shifting traffic', () => {
    const plan = buildPlan(config, 'failover');

    expect(plan).toMatchObject({ from: 'primary', to: 'secondary', fromRegion: 'eu-west-1', toRegion: 'us-east-1' });
    expect(kinds(plan)).toEqual([
      ['set-endpoint-weight', 'set-traffic-dial', 'promote-replica', 'set-capacity'],
      ['await-writable', 'await-healthy'],
      ['set-endpoint-weight', 'set-traffic-dial'],
      ['verify-serving'],
    ]);
  });

  it('scales the DR region to its active capacity and fences the old one with weight 0', () => {
    const [first] = buildPlan(config, 'failover').steps;
    const actions = first?.blocks.map((b) => b.action);

    expect(actions).toContainEqual(expect.objectContaining({ kind: 'set-capacity', capacity: { min: 2, desired: 2, max: 4 } }));
    expect(actions).toContainEqual(expect.objectContaining({ kind: 'set-endpoint-weight', weight: 0, group: expect.objectContaining({ region: 'eu-west-1' }) }));
  });

  it('switches over with capacity ready first and no data loss: fence writes, wait for zero lag, then promote', () => {
    const plan = buildPlan(config, 'switchover');

    expect(kinds(plan)).toEqual([
      ['set-capacity'],
      ['await-healthy'],
      ['set-endpoint-weight', 'set-traffic-dial', 'set-write-fence'],
      ['await-replica-sync'],
      ['promote-replica'],
      ['await-writable'],
      ['set-endpoint-weight', 'set-traffic-dial'],
      ['verify-serving'],
    ]);
    const sync = plan.steps[3]?.blocks[0]?.action;
    expect(sync).toMatchObject({ kind: 'await-replica-sync', maxLagSeconds: 0 });
  });

  it('fails back by retiring the stale database, replicating home, switching over, and rebuilding the pilot light', () => {
    const plan = buildPlan(config, 'failback', { runTag: 'run-42' });

    expect(plan).toMatchObject({ from: 'secondary', to: 'primary', fromRegion: 'us-east-1', toRegion: 'eu-west-1' });
    expect(kinds(plan)[0]).toEqual(['rename-instance']);
    expect(kinds(plan).at(-1)).toEqual(['create-replica']);
    expect(plan.steps[0]?.blocks[0]?.action).toMatchObject({ newIdentifier: 'lamp-primary-retired-run42' });
    expect(plan.steps.at(-2)?.blocks.map((b) => b.action)).toContainEqual(
      expect.objectContaining({ kind: 'set-capacity', capacity: { min: 0, desired: 0, max: 4 } }),
    );
  });

  it('keeps retired identifiers within the 63 characters RDS allows', () => {
    const long = { ...config, primary: { ...config.primary, dbInstanceIdentifier: `a${'b'.repeat(61)}` } };

    const rename = buildPlan(long, 'failback', { runTag: 'x'.repeat(40) }).steps[0]?.blocks[0]?.action;

    expect(rename?.kind === 'rename-instance' && rename.newIdentifier.length).toBeLessThanOrEqual(63);
  });

  it.each<Operation>(['failover', 'switchover', 'failback'])('gives every block of a %s a unique id', (operation) => {
    const ids = buildPlan(config, operation).steps.flatMap((s) => s.blocks.map((b) => b.id));

    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('buildPlan refuses a planned handover it could not finish', () => {
  it('names the missing parameter group of the region whose writes it must fence', () => {
    const bare = { ...config, secondary: { ...config.secondary, dbParameterGroupName: undefined } };

    expect(() => buildPlan(bare, 'failback')).toThrow(/secondary\.dbParameterGroupName: is required for a failback/);
    expect(() => buildPlan(bare, 'switchover')).not.toThrow();
    expect(() => buildPlan({ ...config, primary: { ...config.primary, dbParameterGroupName: undefined } }, 'switchover')).toThrow(/primary\.dbParameterGroupName/);
    expect(() => buildPlan(bare, 'failover')).not.toThrow();
  });
});
