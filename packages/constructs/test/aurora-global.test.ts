import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { DataTier, PilotLight, type AuroraGlobalTierOptions, type PilotLightProps } from '../src/index.js';
import { once, referenceProps, stackIn } from './helpers.js';

/** The reference app's props on the Aurora tier, named as `referenceAuroraConfig` names them. */
const auroraProps = (tier: Partial<AuroraGlobalTierOptions> = {}): PilotLightProps => ({
  ...referenceProps,
  primary: { ...referenceProps.primary, dbInstanceIdentifier: 'lamp-primary-1', dbClusterIdentifier: 'lamp-primary' },
  secondary: { ...referenceProps.secondary, dbInstanceIdentifier: 'lamp-secondary-1', dbClusterIdentifier: 'lamp-secondary' },
  dataTier: DataTier.auroraGlobal({ engineVersion: '8.0.mysql_aurora.3.08.0', ...tier }),
});

function pilotLight(props: PilotLightProps, context: Record<string, unknown> = {}): PilotLight {
  const app = new App({ context: { '@aws-cdk/core:validateAgainstDefaultRules': true, ...context } });
  return new PilotLight(app, 'Lamp', props);
}

const aurora = once(() => pilotLight(auroraProps()));
type Statement = { Sid?: string; Action: string | string[]; Resource: unknown };
const statementsOf = (template: Template, type: string): Statement[] =>
  Object.values(template.findResources(type)).flatMap(
    (r) => (r as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
  );
const actionsOf = (statements: Statement[]) => statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

describe('PilotLight on the aurora-global tier', () => {
  it('makes the primary cluster with one writer and the global database from it, in the primary region, never deleting data', () => {
    const t = Template.fromStack(aurora().primaryStack);

    t.resourceCountIs('AWS::RDS::DBInstance', 1);
    t.hasResource('AWS::RDS::DBCluster', {
      Properties: Match.objectLike({
        DBClusterIdentifier: 'lamp-primary',
        Engine: 'aurora-mysql',
        EngineVersion: '8.0.mysql_aurora.3.08.0',
        StorageEncrypted: true,
        DeletionProtection: true,
        EnableIAMDatabaseAuthentication: true,
      }),
      DeletionPolicy: 'Snapshot',
    });
    t.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceIdentifier: 'lamp-primary-1', DBInstanceClass: 'db.r6g.large' });
    t.hasResource('AWS::RDS::GlobalCluster', {
      Properties: { GlobalClusterIdentifier: 'lamp-global', DeletionProtection: true, SourceDBClusterIdentifier: Match.anyValue() },
      DeletionPolicy: 'Retain',
    });
    t.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
    t.resourceCountIs('AWS::RDS::DBClusterParameterGroup', 1);
    t.resourceCountIs('AWS::RDS::DBParameterGroup', 1);
  });

  it('puts the DR cluster in the DR region with ONE small reader, its own key, and no master user', () => {
    const t = Template.fromStack(aurora().secondaryStack);

    t.resourceCountIs('AWS::RDS::DBInstance', 1);
    t.hasResource('AWS::RDS::DBCluster', {
      Properties: Match.objectLike({
        DBClusterIdentifier: 'lamp-secondary',
        GlobalClusterIdentifier: 'lamp-global',
        StorageEncrypted: true,
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('Key'), 'Arn'] },
        DeletionProtection: true,
        DBClusterParameterGroupName: Match.anyValue(),
      }),
      DeletionPolicy: 'Retain',
    });
    t.hasResourceProperties('AWS::RDS::DBInstance', {
      DBInstanceIdentifier: 'lamp-secondary-1',
      DBInstanceClass: 'db.r6g.large',
      PubliclyAccessible: false,
    });
    expect(JSON.stringify(t.toJSON())).not.toContain('MasterUsername');
    t.resourceCountIs('AWS::RDS::DBClusterParameterGroup', 1);
    t.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', {
      DBClusterParameterGroupName: 'lamp-secondary-cluster-params',
      Parameters: { require_secure_transport: 'ON' },
    });
    t.hasResourceProperties('AWS::RDS::DBParameterGroup', { DBParameterGroupName: 'lamp-secondary-instance-params' });
  });

  it('alarms on the global lag of the DR cluster in the DR region, and deploys no daily instance snapshot job', () => {
    const t = Template.fromStack(aurora().controlStack);

    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'lamp-secondary-global-lag',
      MetricName: 'AuroraGlobalDBRPOLag',
      Dimensions: [{ Name: 'DBClusterIdentifier', Value: 'lamp-secondary' }],
      Threshold: 60_000,
    });
    expect(JSON.stringify(t.toJSON())).not.toContain('ReplicaLag"');
    expect(
      Object.values(t.findResources('AWS::Lambda::Function')).map(
        (f) => (f as { Properties: { Description?: string } }).Properties.Description ?? '',
      ),
    ).not.toContainEqual(expect.stringMatching(/^Daily/));
  });

  it('reads AuroraGlobalDBReplicationLag before Aurora MySQL 3.04', () => {
    const t = Template.fromStack(pilotLight(auroraProps({ engineVersion: '8.0.mysql_aurora.3.03.1' })).controlStack);

    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'lamp-secondary-global-lag',
      MetricName: 'AuroraGlobalDBReplicationLag',
    });
  });

  it("gives the controller exactly the Aurora tier's RDS actions, scoped to the global cluster, the clusters, their groups and the failover snapshots", () => {
    const controller = Template.fromStack(aurora().controlStack).findResources('AWS::IAM::Policy', {
      Properties: { PolicyName: Match.stringLikeRegexp('^ControllerRole') },
    });
    const statements = Object.values(controller)
      .flatMap((r) => (r as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement)
      .filter((s) => actionsOf([s]).some((a) => a.startsWith('rds:')));
    const byAction = (action: string) =>
      statements.filter((s) => actionsOf([s]).includes(action)).flatMap((s) => [s.Resource].flat().map((r) => JSON.stringify(r)));

    expect([...new Set(actionsOf(statements).filter((a) => a.startsWith('rds:')))].sort()).toEqual([
      'rds:AddTagsToResource',
      'rds:CopyDBClusterSnapshot',
      'rds:DescribeDBClusterParameters',
      'rds:DescribeDBClusterSnapshots',
      'rds:DescribeDBClusters',
      'rds:DescribeDBInstances',
      'rds:DescribeGlobalClusters',
      'rds:FailoverGlobalCluster',
      'rds:ModifyDBClusterParameterGroup',
      'rds:ResetDBClusterParameterGroup',
      'rds:SwitchoverGlobalCluster',
    ]);
    expect(byAction('rds:FailoverGlobalCluster').join()).toMatch(/rds::123456789012:global-cluster:lamp-global/);
    expect(byAction('rds:FailoverGlobalCluster').join()).toMatch(/rds:us-east-1:123456789012:cluster:lamp-secondary/);
    expect(byAction('rds:ModifyDBClusterParameterGroup').join()).toMatch(
      /eu-west-1:123456789012:cluster-pg:lamp-primary-cluster-params.*us-east-1:123456789012:cluster-pg:lamp-secondary-cluster-params/,
    );
    expect(byAction('rds:CopyDBClusterSnapshot').join()).toMatch(/cluster-snapshot:rds:unplanned-global-failover-lamp-primary-\*/);
    expect(byAction('rds:CopyDBClusterSnapshot').join()).toMatch(/cluster-snapshot:lamp-primary-lost-writes-\*/);
    // Tagging is allowed on the kept copies only.
    expect(byAction('rds:AddTagsToResource').every((r) => /cluster-snapshot:/.test(r))).toBe(true);
  });

  it('gives the dr-operator policy the same Aurora actions and no instance snapshot statements', () => {
    const statements = statementsOf(Template.fromStack(aurora().controlStack), 'AWS::IAM::ManagedPolicy');
    const actions = actionsOf(statements);

    expect(actions).toEqual(
      expect.arrayContaining(['rds:FailoverGlobalCluster', 'rds:SwitchoverGlobalCluster', 'rds:CopyDBClusterSnapshot']),
    );
    expect(actions).not.toContain('rds:CreateDBSnapshot');
    expect(actions).not.toContain('rds:PromoteReadReplica');
  });

  it('writes the Aurora tier into the DR config in both regions', () => {
    for (const stack of [aurora().controlStack, aurora().primaryConfigStack]) {
      const text = JSON.stringify(Template.fromStack(stack).findResources('AWS::SSM::Parameter'));
      expect(text).toMatch(/tier[\\"]*:[\\"]*aurora-global/);
      expect(text).toContain('lamp-secondary-cluster-params');
    }
  });

  it('has no cdk-nag AwsSolutions finding that is not acknowledged with a reason, as the RDS tier', () => {
    const report = new AwsSolutionsChecks().validateScope(aurora());

    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath ?? '').join(', ')}`)).toEqual([]);
  });
});

describe('PilotLight refuses an Aurora tier that cannot work, naming the prop', () => {
  it('an engine version without a global database', () => {
    expect(() => pilotLight(auroraProps({ engineVersion: '8.0.mysql_aurora.3.00.0' }))).toThrowError(
      /dataTier\.engineVersion must be Aurora MySQL 3\.01\.0 or later/,
    );
    expect(() => pilotLight(auroraProps({ engineVersion: '5.7.mysql_aurora.2.11.2' }))).toThrowError(
      /dataTier\.engineVersion must be an Aurora MySQL version 3/,
    );
  });

  it('a class that is not memory-optimized', () => {
    expect(() =>
      pilotLight(auroraProps({ instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MEDIUM) })),
    ).toThrowError(/dataTier\.instanceType must be memory-optimized, db\.r5 or later .* does not run on db\.t4g\.medium/);
    expect(() => pilotLight(auroraProps({ instanceType: ec2.InstanceType.of(ec2.InstanceClass.R4, ec2.InstanceSize.LARGE) }))).toThrowError(
      /dataTier\.instanceType/,
    );
  });

  it('a DR key of another region', () => {
    const key = kms.Key.fromKeyArn(
      stackIn('eu-west-1'),
      'Key',
      'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    );

    expect(() => pilotLight(auroraProps({ secondaryKey: key }))).toThrowError(
      /dataTier\.secondaryKey must be a KMS key of the DR region us-east-1.*got one of eu-west-1/,
    );
  });

  it('a switch of the data tier on an app recorded as deployed with the other', () => {
    expect(() => pilotLight(auroraProps(), { '@dr/constructs:deployedDataTier': 'rds-replica' })).toThrowError(
      /dataTier is aurora-global but this app is deployed with "rds-replica"/,
    );
    expect(() => pilotLight(referenceProps, { '@dr/constructs:deployedDataTier': 'aurora-global' })).toThrowError(
      /dataTier is rds-replica/,
    );
    expect(() => pilotLight(auroraProps(), { '@dr/constructs:deployedDataTier': 'aurora-global' })).not.toThrow();
  });

  it('cluster identifiers on the RDS tier', () => {
    expect(() =>
      pilotLight({ ...referenceProps, primary: { ...referenceProps.primary, dbClusterIdentifier: 'lamp-primary-cluster' } }),
    ).toThrowError(/primary\.dbClusterIdentifier is for the aurora-global data tier/);
  });
});

describe('the two tiers side by side', () => {
  it("gives each tier its own logical ids, so a tier switch never modifies one tier's database into the other's", () => {
    const rds = Template.fromStack(pilotLight(referenceProps).primaryStack).findResources('AWS::RDS::DBInstance');
    const globalIds = Object.keys(Template.fromStack(aurora().primaryStack).findResources('AWS::RDS::DBInstance'));

    expect(Object.keys(rds).filter((id) => globalIds.includes(id))).toEqual([]);
    expect(Object.values(rds).map((r) => (r as { DeletionPolicy: string }).DeletionPolicy)).toEqual(['Snapshot']);
  });
});
