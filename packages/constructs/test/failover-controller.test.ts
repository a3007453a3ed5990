import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { referenceConfig } from '@dr/failover-core';
import { describe, expect, it } from 'vitest';
import { DrConfigParameter, FailoverController } from '../src/index.js';
import { stackIn } from './helpers.js';

function controller(region = 'us-east-1') {
  const stack = stackIn(region);
  const configParameter = new DrConfigParameter(stack, 'Config', { config: referenceConfig });
  new FailoverController(stack, 'Controller', { configParameter, code: lambda.Code.fromInline('export const handler = async () => {};'), notificationEmail: 'oncall@example.com' });
  return Template.fromStack(stack);
}

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };
function statements(t: Template): Statement[] {
  return Object.values(t.findResources('AWS::IAM::Policy')).flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement);
}
const list = (a: string | string[]) => (Array.isArray(a) ? a : [a]);

describe('FailoverController', () => {
  it('runs the controller on nodejs22.x every minute, with its table, topic and config', () => {
    const t = controller();

    t.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Timeout: 900,
      Environment: { Variables: Match.objectLike({ DR_APP: 'lamp', DR_CONFIG_PARAMETER: { Ref: Match.anyValue() }, DR_STATE_TABLE: { Ref: Match.anyValue() }, DR_TOPIC_ARN: { Ref: Match.anyValue() } }) },
    });
    t.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)' });
    t.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'lamp-dr-state',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Errors', AlarmActions: [{ Ref: Match.anyValue() }] });
  });

  it('has no mutating action on Resource "*"', () => {
    const wildcard = statements(controller()).filter((s) => s.Resource === '*' || (Array.isArray(s.Resource) && s.Resource.includes('*')));

    const actions = wildcard.flatMap((s) => list(s.Action));
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((a) => !/:(Describe|Get|List)/.test(a))).toEqual([]);
  });

  it('can promote only the DR replica and scale only the DR group, and cannot fail back', () => {
    const all = statements(controller());
    const on = (action: string) => all.filter((s) => list(s.Action).includes(action)).map((s) => s.Resource);

    expect(on('rds:PromoteReadReplica')).toEqual([{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rds:us-east-1:123456789012:db:lamp-replica']] }]);
    expect(on('autoscaling:UpdateAutoScalingGroup')).toEqual([
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':autoscaling:us-east-1:123456789012:autoScalingGroup:*:autoScalingGroupName/secondary-asg']] },
    ]);
    const everything = all.flatMap((s) => list(s.Action));
    for (const failback of ['rds:CreateDBInstanceReadReplica', 'rds:ModifyDBInstance', 'rds:ModifyDBParameterGroup', 'rds:DeleteDBInstance']) expect(everything).not.toContain(failback);
  });

  it('refuses to be deployed outside the DR region', () => {
    expect(() => controller('eu-west-1')).toThrowError(/the controller belongs in the DR region us-east-1; this stack is in eu-west-1/);
  });
});
