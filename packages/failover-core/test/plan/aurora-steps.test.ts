import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/parse.js';
import { referenceAuroraConfig } from '../../src/config/reference.js';
import { buildPlan, operationConfigIssues } from '../../src/plan/build-plan.js';
import { lostWritesSnapshotIdentifier } from '../../src/plan/aurora-steps.js';
import { isMutating, type Operation, type Plan, type PlanBlock } from '../../src/plan/types.js';

const aurora = parseConfig(referenceAuroraConfig);
const blocks = (plan: Plan): PlanBlock[] => plan.steps.flatMap((s) => s.blocks);
const ids = (plan: Plan) => plan.steps.map((s) => s.blocks.map((b) => b.id));
const committing = (plan: Plan) =>
  blocks(plan)
    .filter((b) => b.commits)
    .map((b) => b.id);
const OPERATIONS: Operation[] = ['failover', 'switchover', 'failback', 'rebuild'];

describe('plans on the Aurora tier', () => {
  it('fail over with FailoverGlobalCluster (AllowDataLoss) as the point of no return, and nothing else changed', () => {
    const plan = buildPlan(aurora, 'failover');
    expect(ids(plan)).toEqual([
      ['fence-weight', 'fence-dial', 'scale-compute', 'lift-fence'],
      ['failover-global-cluster', 'contain-writes'],
      ['await-writable', 'await-healthy'],
      ['open-weight', 'open-dial'],
      ['verify-serving'],
      ['contain-capacity'],
    ]);
    expect(committing(plan)).toEqual(['failover-global-cluster']);
    expect(blocks(plan).find((b) => b.id === 'failover-global-cluster')?.action).toEqual({
      kind: 'failover-global-cluster',
      globalClusterIdentifier: 'lamp-global',
      target: { region: 'us-east-1', dbClusterIdentifier: 'lamp-secondary' },
      db: { region: 'us-east-1', dbInstanceIdentifier: 'lamp-secondary-1' },
    });
  });

  it("fence the old primary's cluster parameter group, not its instance's", () => {
    const plan = buildPlan(aurora, 'failover');
    expect(blocks(plan).find((b) => b.id === 'contain-writes')?.description).toMatch(/read_only 1 in lamp-primary-cluster-params/);
  });

  it('confirm a detector failover before the point of no return, as on the RDS tier', () => {
    const plan = buildPlan(aurora, 'failover', { confirmImpairment: true });
    expect(plan.steps.map((s) => s.id)).toEqual([
      'prepare',
      'confirm',
      'fence-traffic',
      'commit',
      'await-ready',
      'shift-traffic',
      'verify',
      'contain',
    ]);
  });

  it('switch over with SwitchoverGlobalCluster once the source is drained and fenced, and leave the old primary unfenced as a secondary', () => {
    const plan = buildPlan(aurora, 'switchover');
    expect(ids(plan)).toEqual([
      ['scale-compute'],
      ['await-healthy'],
      ['fence-weight', 'fence-dial'],
      ['await-drain'],
      ['fence-writes', 'lift-fence'],
      ['switchover-global-cluster'],
      ['await-writable'],
      ['open-weight', 'open-dial'],
      ['verify-serving'],
      ['contain-capacity', 'lift-old-fence'],
    ]);
    expect(committing(plan)).toEqual(['switchover-global-cluster']);
    // AWS may cancel a switchover it accepted: the writer moving, not the call, is the point of no return.
    expect(blocks(plan).find((b) => b.id === 'switchover-global-cluster')?.commitsWhenSeen).toBe(true);
    // Until the switchover, every change is restored by a rollback.
    const before = plan.steps.slice(0, 5).flatMap((s) => s.blocks);
    expect(before.filter((b) => isMutating(b.action)).every((b) => b.undo === 'restore')).toBe(true);
  });

  it('fail back only once the old primary has rejoined, keeping the snapshot of its old volume, then switch over back', () => {
    const plan = buildPlan(aurora, 'failback', { runTag: 'run-2026-11-30T05:00Z' });
    expect(plan).toMatchObject({ from: 'secondary', to: 'primary', fromRegion: 'us-east-1', toRegion: 'eu-west-1' });
    expect(ids(plan).slice(0, 2)).toEqual([
      ['await-rejoined', 'scale-compute'],
      ['await-healthy', 'keep-failover-snapshot'],
    ]);
    expect(committing(plan)).toEqual(['switchover-global-cluster']);
    expect(blocks(plan).find((b) => b.id === 'keep-failover-snapshot')?.action).toEqual({
      kind: 'keep-failover-snapshot',
      cluster: { region: 'eu-west-1', dbClusterIdentifier: 'lamp-primary' },
      copyIdentifier: 'lamp-primary-lost-writes-261130t0500z',
    });
  });

  it('rebuild the dark region as a rejoined secondary with no compute and no fence', () => {
    const plan = buildPlan(aurora, 'rebuild', { from: 'secondary' });
    expect(ids(plan)).toEqual([
      ['await-rejoined', 'scale-down'],
      ['keep-failover-snapshot', 'lift-dr-fence'],
    ]);
  });

  it.each(OPERATIONS)('%s never deletes, renames or recreates a database', (operation) => {
    const kinds = new Set(blocks(buildPlan(aurora, operation)).map((b) => b.action.kind));
    for (const kind of ['promote-replica', 'create-replica', 'retire-instance', 'reboot-instance'] as const)
      expect(kinds).not.toContain(kind);
  });

  it.each(OPERATIONS)('%s needs none of the fields the RDS tier recreates databases from', (operation) => {
    expect(operationConfigIssues(aurora, operation)).toEqual([]);
  });

  it('names the kept snapshot for the run by the last 12 letters and digits of its tag', () => {
    expect(lostWritesSnapshotIdentifier('lamp-primary', '!!!')).toBe('lamp-primary-lost-writes-run');
    expect(lostWritesSnapshotIdentifier('lamp-primary', 'a-very-long-run-tag-1234567890')).toBe('lamp-primary-lost-writes-ag1234567890');
  });
});
