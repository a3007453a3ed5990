import type { PolicyDocument, PolicyStatement } from '@dr/aws-fakes';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUNDLES, LambdaWorld, runAsOperator, TIMEOUT_MS } from '../harness.js';

/** The statements of `policies` without the one whose Sid is `sid` (which must be there). */
function without(policies: readonly PolicyDocument[], sid: string): PolicyDocument[] {
  const statements = (p: PolicyDocument): readonly PolicyStatement[] =>
    Array.isArray(p.Statement) ? p.Statement : [p.Statement as PolicyStatement];
  expect(policies.flatMap(statements).some((s) => s.Sid === sid)).toBe(true);
  return policies.map((p) => ({ ...p, Statement: statements(p).filter((s) => s.Sid !== sid) }));
}

describe('failover-controller bundle: its role as synthesized, enforced', () => {
  let world: LambdaWorld;
  beforeEach(async () => {
    world = await LambdaWorld.start();
    await world.primaryOutage();
  });
  afterEach(() => world.stop());

  it('runs as the role the constructs give it: every call it makes is authorized, none refused', { timeout: 120_000 }, async () => {
    const run = await world.start(BUNDLES.controller, { timeoutMs: TIMEOUT_MS });

    expect(run.error).toBeUndefined();
    expect(world.fake.calls.promoteReplicaAttempts).toBe(1);
    const controller = world.role('failover-controller');
    const checked = world.fake.iam.authorizations.filter((a) => a.principal === controller.arn);
    expect(checked.map((a) => a.action)).toEqual(
      expect.arrayContaining([
        'ssm:GetParameter',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'rds:DescribeDBInstances',
        'autoscaling:UpdateAutoScalingGroup',
        'globalaccelerator:UpdateEndpointGroup',
        'rds:PromoteReadReplica',
      ]),
    );
    expect(world.fake.iam.denials()).toEqual([]);
  });

  it('fails the failover with AccessDenied naming the action when the role lacks one statement', { timeout: 120_000 }, async () => {
    const controller = world.role('failover-controller');
    controller.policies = without(controller.policies, 'PromoteEitherDatabase');
    world.deniesExpected = true;

    await world.start(BUNDLES.controller, { timeoutMs: TIMEOUT_MS });

    expect(world.fake.calls.promoteReplicaAttempts ?? 0).toBe(0);
    expect(world.fake.writable(world.config.secondary.region)).toEqual([]);
    const [denial] = world.fake.iam.denials();
    expect(denial).toMatchObject({
      principal: controller.arn,
      action: 'rds:PromoteReadReplica',
      resource: `arn:aws:rds:${world.config.secondary.region}:123456789012:db:${world.config.secondary.dbInstanceIdentifier}`,
    });
    expect(world.server.calls).toContain('rds:PromoteReadReplica');
  });
});

describe('failover-controller bundle: a failback it takes over, as its role allows', () => {
  let world: LambdaWorld | undefined;
  afterEach(() => world?.stop());

  it(
    'finishes a failback left past its point of no return: traffic home, the DR database retired and recreated as a replica, with the keys through RDS',
    { timeout: 240_000 },
    async () => {
      world = await LambdaWorld.start({ timeouts: { containmentSeconds: 10, drainSeconds: 0 } });
      const { primary, secondary } = world.config;
      expect(await runAsOperator(world, 'failover')).toMatchObject({ phase: 'completed' });
      const left = await runAsOperator(world, 'failback', 'await-writable');
      expect(left).toMatchObject({ phase: 'running', committedAt: expect.any(Number) });
      await world.letTimePass((world.config.controller.operatorHoldSeconds + 60) * 1000);

      let took = await world.start(BUNDLES.controller, { timeoutMs: TIMEOUT_MS });
      for (let i = 0; i < 6 && took.result?.phase !== 'completed'; i++)
        took = await world.start(BUNDLES.controller, { timeoutMs: TIMEOUT_MS });

      expect(took.result).toMatchObject({ failoverId: left.runId, operation: 'failback', phase: 'completed' });
      expect(world.fake.servingRegion()).toBe(primary.region);
      expect(world.fake.writable(secondary.region)).toEqual([]);
      const controller = world.role('failover-controller');
      const actions = new Set(world.fake.iam.authorizations.filter((a) => a.principal === controller.arn).map((a) => a.action));
      expect([...actions]).toEqual(
        expect.arrayContaining([
          'rds:CreateDBInstanceReadReplica',
          'rds:ModifyDBInstance',
          'rds:RebootDBInstance',
          'rds:AddTagsToResource',
          'kms:CreateGrant',
          'globalaccelerator:UpdateEndpointGroup',
        ]),
      );
      expect(world.fake.iam.denials()).toEqual([]);
    },
  );
});
