import type { PolicyDocument, PolicyStatement } from '@dr/aws-fakes';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { AwsWorld } from '../aws-world.js';
import { expectValidDocument } from '../json-schema.js';

/** `policies` without the statement whose Sid is `sid` (which must be there). */
function without(policies: readonly PolicyDocument[], sid: string): PolicyDocument[] {
  const statements = (p: PolicyDocument): readonly PolicyStatement[] =>
    Array.isArray(p.Statement) ? p.Statement : [p.Statement as PolicyStatement];
  expect(policies.flatMap(statements).some((s) => s.Sid === sid)).toBe(true);
  return policies.map((p) => ({ ...p, Statement: statements(p).filter((s) => s.Sid !== sid) }));
}

describe('the <app>-dr-operator managed policy', () => {
  it("fits IAM's 6,144-character limit for a managed policy, resolved as deployed", () => {
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-entity-length
    const operator = inject('drApp').operator;

    const size = JSON.stringify(operator?.principal.policies[0]).length;

    expect(size).toBeGreaterThan(1_000);
    expect(size).toBeLessThanOrEqual(6_144);
  });
});

describe('dr as an operator with only the <app>-dr-operator managed policy (enforced by the fakes)', () => {
  let world: AwsWorld;
  beforeEach(async () => {
    world = await AwsWorld.start();
  });
  afterEach(() => world.stop());

  it('fails over and fails back, every call authorized', { timeout: 300_000 }, async () => {
    const failover = await world.dr(['failover', '--app', 'lamp', '--region', 'us-east-1', '--yes', '--json']);
    const failback = await world.dr(['failback', '--app', 'lamp', '--region', 'us-east-1', '--yes', '--json']);

    expect(failover.stderr).toBe('');
    expect(expectValidDocument(failover.stdout)).toMatchObject({ operation: 'failover', phase: 'completed' });
    expect(failback.stderr).toBe('');
    expect(expectValidDocument(failback.stdout)).toMatchObject({ operation: 'failback', phase: 'completed' });
    expect(world.fake.servingRegion()).toBe(world.config.primary.region);
    const actions = new Set(world.fake.iam.authorizations.map((a) => a.action));
    expect([...actions]).toEqual(
      expect.arrayContaining([
        'ssm:GetParameter',
        'dynamodb:PutItem',
        'rds:PromoteReadReplica',
        'rds:CreateDBInstanceReadReplica',
        'rds:ModifyDBInstance',
        'kms:CreateGrant',
        'sns:Publish',
        'kms:GenerateDataKey',
      ]),
    );
    expect(world.fake.iam.denials()).toEqual([]);
  });

  it('stops a failover with AccessDenied naming the action when the policy lacks one statement', { timeout: 120_000 }, async () => {
    const operator = [...world.fake.iam.principals.values()].find((p) => p.principalArn.endsWith(':role/lamp-operator'))!;
    operator.policies = without(operator.policies, 'MoveTraffic');
    world.deniesExpected = true;

    const r = await world.dr(['failover', '--app', 'lamp', '--region', 'us-east-1', '--yes']);

    expect(r.code).not.toBe(0);
    expect(`${r.stdout}${r.stderr}`).toMatch(/not authorized to perform: globalaccelerator:UpdateEndpointGroup/);
    // Traffic is fenced off the old primary's endpoint group before anything else moves.
    expect(world.fake.iam.denials()[0]).toMatchObject({
      action: 'globalaccelerator:UpdateEndpointGroup',
      resource: world.config.primary.endpointGroupArn,
    });
    expect(world.fake.calls.promoteReplicaAttempts ?? 0).toBe(0);
  });
});
