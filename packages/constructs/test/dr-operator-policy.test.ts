import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { referenceConfig, type DrConfigInput } from '@dr/failover-core';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { DrConfigParameter, DrNotifications, DrOperatorPolicy, FailoverController } from '../src/index.js';
import { stackIn } from './helpers.js';

function operatorPolicy(config: DrConfigInput = referenceConfig) {
  const stack = stackIn('us-east-1');
  const configParameter = new DrConfigParameter(stack, 'Config', { config });
  const notifications = new DrNotifications(stack, 'Notifications', { app: 'lamp' });
  const controller = new FailoverController(stack, 'Controller', {
    configParameter,
    notifications,
    code: lambda.Code.fromInline('export const handler = async () => {};'),
  });
  const operator = new DrOperatorPolicy(stack, 'DrOperator', { configParameter, controller, notifications });
  return { stack, operator };
}

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown };
const list = <T>(a: T | T[]) => (Array.isArray(a) ? a : [a]);

describe('DrOperatorPolicy', () => {
  it("is a managed policy named <app>-dr-operator with the controller's statements, the snapshot job's, the config in both regions and the topic's key", () => {
    const { stack } = operatorPolicy();
    const t = Template.fromStack(stack);

    const [policy] = Object.values(
      t.findResources('AWS::IAM::ManagedPolicy', { Properties: { ManagedPolicyName: 'lamp-dr-operator' } }),
    ) as { Properties: { PolicyDocument: { Statement: Statement[] } } }[];
    const statements = policy!.Properties.PolicyDocument.Statement;
    const sids = statements.map((s) => s.Sid);
    expect(sids).toEqual(
      expect.arrayContaining([
        'ReadTheTopology',
        'PromoteEitherDatabase',
        'RecreateEitherReplica',
        'MoveTraffic',
        'KeepState',
        'Notify',
        'UseTheDatabaseKeysThroughRds',
        'SnapshotTheDatabases',
        'CopyAndPruneOurSnapshots',
        'ReadTheConfig',
        'PublishToTheEncryptedTopic',
      ]),
    );
    expect(statements.find((s) => s.Sid === 'ReadTheConfig')?.Resource).toEqual([
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:eu-west-1:123456789012:parameter/dr/lamp/config']] },
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:us-east-1:123456789012:parameter/dr/lamp/config']] },
    ]);
    // The controller's key statement covers the snapshot copies: no second one.
    expect(statements.filter((s) => list(s.Action).includes('kms:CreateGrant'))).toHaveLength(1);
  });

  it('may invoke the function that checks a region behind an internal load balancer (healthCheckVia), a name made an ARN of its region; none without one', () => {
    const { stack } = operatorPolicy({
      ...referenceConfig,
      secondary: { ...referenceConfig.secondary, healthCheckVia: 'lamp-health-record-reader' },
    });
    const statements = (t: Template) =>
      (Object.values(t.findResources('AWS::IAM::ManagedPolicy'))[0] as { Properties: { PolicyDocument: { Statement: Statement[] } } })
        .Properties.PolicyDocument.Statement;

    expect(statements(Template.fromStack(stack)).filter((s) => list(s.Action).includes('lambda:InvokeFunction'))).toEqual([
      {
        Sid: 'CheckInternalLoadBalancers',
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: {
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':lambda:us-east-1:123456789012:function:lamp-health-record-reader']],
        },
      },
    ]);
    expect(statements(Template.fromStack(operatorPolicy().stack)).filter((s) => list(s.Action).includes('lambda:InvokeFunction'))).toEqual(
      [],
    );
  });

  it("passes cdk-nag's AwsSolutions checks, each wildcard acknowledged with its reason", () => {
    const { operator } = operatorPolicy();

    const report = new AwsSolutionsChecks().validateScope(operator);

    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath ?? '').join(', ')}`)).toEqual([]);
  });
});
