import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { buildReferenceApp } from '../src/reference-app.js';

const app = buildReferenceApp(mkdtempSync(join(tmpdir(), 'ref-aurora-cdk-out-')), { dataTier: 'aurora-global' });
const assembly = app.synth();

/** The stack of `app` with CloudFormation name `name`. */
function stackNamed(name: string): Stack {
  const stack = app.node.findAll().find((c): c is Stack => Stack.isStack(c) && c.stackName === name);
  if (!stack) throw new Error(`no stack named ${name}`);
  return stack;
}

describe('the reference app on the aurora-global data tier (-c dataTier=aurora-global)', () => {
  it('synthesizes its five stacks with no credentials, no network and no template validation error', () => {
    expect(assembly.stacks.map((s) => `${s.stackName}@${s.environment.region}`).sort()).toEqual([
      'Lamp-Control@us-east-1',
      'Lamp-Global@us-west-2',
      'Lamp-Primary@eu-west-1',
      'Lamp-PrimaryConfig@eu-west-1',
      'Lamp-Secondary@us-east-1',
    ]);
    expect(assembly.stacks.flatMap((s) => s.messages.filter((m) => m.level === 'error'))).toEqual([]);
  });

  it("deploys referenceAuroraConfig's global database: lamp-primary in eu-west-1, lamp-secondary with one reader in us-east-1", () => {
    Template.fromStack(stackNamed('Lamp-Primary')).hasResourceProperties('AWS::RDS::GlobalCluster', {
      GlobalClusterIdentifier: 'lamp-global',
    });
    Template.fromStack(stackNamed('Lamp-Primary')).hasResourceProperties('AWS::RDS::DBInstance', {
      DBInstanceIdentifier: 'lamp-primary-1',
    });
    const dr = Template.fromStack(stackNamed('Lamp-Secondary'));
    dr.hasResourceProperties('AWS::RDS::DBCluster', { DBClusterIdentifier: 'lamp-secondary', GlobalClusterIdentifier: 'lamp-global' });
    dr.resourceCountIs('AWS::RDS::DBInstance', 1);
    dr.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceIdentifier: 'lamp-secondary-1', DBInstanceClass: 'db.r6g.large' });
  });

  it('has no cdk-nag AwsSolutions finding that is not acknowledged with a reason', () => {
    const report = new AwsSolutionsChecks(app).validateScope(app);

    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath ?? '').join(', ')}`)).toEqual([]);
  });

  it('refuses a data tier it does not know, naming the context value', () => {
    expect(() => buildReferenceApp(undefined, { dataTier: 'dynamo' })).toThrowError(
      /context dataTier must be rds-replica or aurora-global/,
    );
  });
});
