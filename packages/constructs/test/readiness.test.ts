import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { READINESS_CHECKS, referenceConfig } from '@dr/failover-core';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { DrConfigParameter, FailoverController, ReadinessChecks } from '../src/index.js';
import { stackIn } from './helpers.js';

const code = lambda.Code.fromInline('export const handler = async () => {};');

function readiness() {
  const stack = stackIn('us-east-1');
  const configParameter = new DrConfigParameter(stack, 'Config', { config: referenceConfig });
  const controller = new FailoverController(stack, 'Controller', { configParameter, code });
  const checks = new ReadinessChecks(stack, 'Readiness', { configParameter, controller, code });
  return { stack, controller, checks, template: Template.fromStack(stack) };
}

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
const list = <T>(a: T | T[]) => (Array.isArray(a) ? a : [a]);

/** The statements of the readiness function's role. */
function readinessStatements(stack: ReturnType<typeof readiness>['stack'], checks: ReadinessChecks, template: Template): Statement[] {
  const roleId = stack.getLogicalId(checks.function.role?.node.defaultChild as never);
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify((p as { Properties: { Roles: unknown } }).Properties.Roles).includes(roleId))
    .flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement);
}

describe('ReadinessChecks', () => {
  it('runs the evaluation every 5 minutes in the DR region, told the config parameter, state table and topic', () => {
    const { stack, controller, checks, template } = readiness();

    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      Targets: [Match.objectLike({ Arn: stack.resolve(checks.function.functionArn) })],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Environment: {
        Variables: Match.objectLike({
          DR_APP: 'lamp',
          DR_CONFIG_PARAMETER: { Ref: Match.anyValue() },
          DR_STATE_TABLE: stack.resolve(controller.table.tableName),
          DR_TOPIC_ARN: stack.resolve(controller.topic.topicArn),
          POWERTOOLS_SERVICE_NAME: 'dr-readiness',
        }),
      },
    });
  });

  it('alarms on each check failing two 5-minute evaluations, in DR/Readiness by App, notifying the DR topic', () => {
    const { stack, controller, template } = readiness();

    for (const check of READINESS_CHECKS) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `lamp-readiness-${check}`,
        Namespace: 'DR/Readiness',
        MetricName: check,
        Dimensions: [{ Name: 'App', Value: 'lamp' }],
        Period: 300,
        Statistic: 'Minimum',
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        EvaluationPeriods: 2,
        AlarmActions: [stack.resolve(controller.topic.topicArn)],
      });
    }
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm', { Properties: { Namespace: 'DR/Readiness' } }))).toHaveLength(
      READINESS_CHECKS.length,
    );
  });

  it('treats a silent heartbeat as breaching, so a stopped evaluation raises an alarm, and any other missing check as missing', () => {
    const { template } = readiness();
    const missing = (check: string) =>
      (
        Object.values(
          template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: check, Namespace: 'DR/Readiness' } }),
        )[0] as { Properties: { TreatMissingData: string } }
      ).Properties.TreatMissingData;

    expect(missing('controller-heartbeat')).toBe('breaching');
    for (const check of READINESS_CHECKS.filter((c) => c !== 'controller-heartbeat')) expect(missing(check)).toBe('missing');
  });

  it('may read what it checks, in both regions, and write only its metrics namespace and the state table', () => {
    const { stack, checks, template } = readiness();
    const all = readinessStatements(stack, checks, template);
    const resourcesOf = (action: string) => all.filter((s) => list(s.Action).includes(action)).flatMap((s) => list(s.Resource));
    const conditionOf = (action: string) => all.find((s) => list(s.Action).includes(action))?.Condition;
    const rds = (region: string, resource: string) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:rds:${region}:123456789012:${resource}`]],
    });

    for (const action of [
      'ec2:DescribeImages',
      'ec2:DescribeLaunchTemplateVersions',
      'ec2:DescribeInstanceTypes',
      'autoscaling:DescribeAutoScalingGroups',
      'elasticloadbalancing:DescribeTargetHealth',
      'rds:DescribeDBSnapshots',
      'cloudwatch:GetMetricData',
      'cloudwatch:GetMetricStatistics',
      'cloudwatch:ListMetrics',
    ]) {
      expect(resourcesOf(action)).toEqual(['*']);
      expect(conditionOf(action)).toEqual({ StringEquals: { 'aws:RequestedRegion': ['eu-west-1', 'us-east-1'] } });
    }
    expect(resourcesOf('rds:DescribeDBInstances')).toEqual([rds('eu-west-1', 'db:lamp-primary'), rds('us-east-1', 'db:lamp-replica')]);
    expect(resourcesOf('rds:DescribeDBParameters')).toEqual([
      rds('eu-west-1', `pg:${referenceConfig.primary.dbParameterGroupName}`),
      rds('us-east-1', `pg:${referenceConfig.secondary.dbParameterGroupName}`),
    ]);
    expect(resourcesOf('servicequotas:GetServiceQuota')).toEqual(
      ['eu-west-1', 'us-east-1'].map((region) => ({
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:servicequotas:${region}:123456789012:ec2/*`]],
      })),
    );
    expect(resourcesOf('globalaccelerator:DescribeEndpointGroup')).toEqual([
      referenceConfig.primary.endpointGroupArn,
      referenceConfig.secondary.endpointGroupArn,
    ]);
    expect(JSON.stringify(resourcesOf('ssm:GetParameter'))).toContain(':ssm:eu-west-1:123456789012:parameter/dr/lamp/config');
    expect(resourcesOf('ssm:GetParameter')).toHaveLength(2);
    expect(resourcesOf('cloudwatch:PutMetricData')).toEqual(['*']);
    expect(conditionOf('cloudwatch:PutMetricData')).toEqual({ StringEquals: { 'cloudwatch:namespace': 'DR/Readiness' } });
    expect(resourcesOf('dynamodb:PutItem')).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^ControllerState/), 'Arn'] }]);
    expect(resourcesOf('dynamodb:GetItem')).toHaveLength(1);
    const writes = all.flatMap((s) => list(s.Action)).filter((a) => !/:(Describe|Get|List)/.test(a));
    expect(writes.sort()).toEqual(['cloudwatch:PutMetricData', 'dynamodb:PutItem', 'logs:CreateLogStream', 'logs:PutLogEvents']);
  });

  it('leaves no cdk-nag AwsSolutions finding unacknowledged', () => {
    const { checks } = readiness();

    const report = new AwsSolutionsChecks().validateScope(checks);

    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath ?? '').join(', ')}`)).toEqual([]);
  });

  it('refuses a timeout that would let two evaluations overlap', () => {
    const stack = stackIn('us-east-1');
    const configParameter = new DrConfigParameter(stack, 'Config', { config: referenceConfig });
    const controller = new FailoverController(stack, 'Controller', { configParameter, code });

    expect(() => new ReadinessChecks(stack, 'Readiness', { configParameter, controller, code, timeout: Duration.minutes(5) })).toThrowError(
      /Readiness: invalid props:\n {2}- timeout must be at least 30 seconds and shorter than the 5-minute schedule; got 5 minutes/,
    );
  });
});

describe('ReadinessChecks metrics', () => {
  it('gives each check as DR/Readiness <check> by app, the metric its alarm reads', () => {
    const { checks } = readiness();

    const metric = checks.metricReadiness('controller-heartbeat', { period: Duration.minutes(10) });

    expect([metric.namespace, metric.metricName, metric.dimensions, metric.statistic, metric.period.toMinutes()]).toEqual([
      'DR/Readiness',
      'controller-heartbeat',
      { App: 'lamp' },
      'Minimum',
      10,
    ]);
    expect(checks.metric('controller-heartbeat').metricName).toBe(checks.metricReadiness('controller-heartbeat').metricName);
  });
});
