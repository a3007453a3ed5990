import type { PolicyDocument, PolicyStatement } from '@dr/aws-fakes';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUNDLES, LambdaWorld, TIMEOUT_MS } from '../harness.js';

/** The statements of `policies` without the one whose Sid is `sid` (which must be there). */
function without(policies: readonly PolicyDocument[], sid: string): PolicyDocument[] {
  const statements = (p: PolicyDocument): readonly PolicyStatement[] => (Array.isArray(p.Statement) ? p.Statement : [p.Statement as PolicyStatement]);
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
    expect(checked.map((a) => a.action)).toEqual(expect.arrayContaining(['ssm:GetParameter', 'dynamodb:GetItem', 'dynamodb:PutItem', 'rds:DescribeDBInstances', 'autoscaling:UpdateAutoScalingGroup', 'globalaccelerator:UpdateEndpointGroup', 'rds:PromoteReadReplica']));
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
    expect(denial).toMatchObject({ principal: controller.arn, action: 'rds:PromoteReadReplica', resource: `arn:aws:rds:${world.config.secondary.region}:123456789012:db:${world.config.secondary.dbInstanceIdentifier}` });
    expect(world.server.calls).toContain('rds:PromoteReadReplica');
  });
});
