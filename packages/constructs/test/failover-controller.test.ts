import type { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { referenceConfig } from '@dr/failover-core';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { DrConfigParameter, DrNotifications, FailoverController } from '../src/index.js';
import { stackIn } from './helpers.js';

function controller(region = 'us-east-1') {
  const stack = stackIn(region);
  const configParameter = new DrConfigParameter(stack, 'Config', { config: referenceConfig });
  new FailoverController(stack, 'Controller', {
    configParameter,
    code: lambda.Code.fromInline('export const handler = async () => {};'),
    notificationEmail: 'oncall@example.com',
  });
  return Template.fromStack(stack);
}

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };
function statements(t: Template): Statement[] {
  return Object.values(t.findResources('AWS::IAM::Policy')).flatMap(
    (p) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
  );
}
const list = <T>(a: T | T[]) => (Array.isArray(a) ? a : [a]);
/** An ARN as text: a plain string, or CloudFormation's Fn::Join with each Ref as `${Name}`. */
function arnText(value: unknown): string {
  if (typeof value === 'string') return value;
  const [, parts] = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  return parts.map((p) => (typeof p === 'string' ? p : `\${${(p as { Ref: string }).Ref}}`)).join('');
}

describe('FailoverController', () => {
  it('runs the controller on nodejs22.x every minute, with its table, topic and config', () => {
    const t = controller();

    t.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Timeout: 900,
      Environment: {
        Variables: Match.objectLike({
          DR_APP: 'lamp',
          DR_CONFIG_PARAMETER: { Ref: Match.anyValue() },
          DR_STATE_TABLE: { Ref: Match.anyValue() },
          DR_TOPIC_ARN: { Ref: Match.anyValue() },
        }),
      },
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

  describe('takes over an unfinished switchover or failback, so it', () => {
    const all = statements(controller());
    /** The resources of every statement that allows `action`, each rendered as text. */
    const on = (action: string) =>
      all
        .filter((s) => list(s.Action).includes(action))
        .flatMap((s) => list(s.Resource as string | string[]))
        .map(arnText)
        .sort();
    const rds = (region: string, resource: string) => `arn:\${AWS::Partition}:rds:${region}:123456789012:${resource}`;
    const databases = [rds('eu-west-1', 'db:lamp-primary'), rds('us-east-1', 'db:lamp-replica')];
    const retired = [rds('eu-west-1', 'db:lamp-primary-retired-*'), rds('us-east-1', 'db:lamp-replica-retired-*')];
    const ownGroups = [rds('eu-west-1', 'pg:lamp-primary-params'), rds('us-east-1', 'pg:lamp-replica-params')];
    const retiredGroups = [rds('eu-west-1', 'pg:lamp-primary-retired'), rds('us-east-1', 'pg:lamp-replica-retired')];

    it('can promote either database, and nothing else', () => {
      expect(on('rds:PromoteReadReplica')).toEqual(databases.sort());
    });

    it("can fence and unfence writes only through the two databases' own parameter groups", () => {
      expect(on('rds:ModifyDBParameterGroup')).toEqual(ownGroups.sort());
      expect(on('rds:ResetDBParameterGroup')).toEqual(ownGroups.sort());
    });

    it("can recreate either database as a replica of the other, with its region's parameter, subnet and option groups", () => {
      expect(on('rds:CreateDBInstanceReadReplica')).toEqual(
        [
          ...databases,
          ...ownGroups,
          rds('eu-west-1', 'subgrp:lamp-primary-subnets'),
          rds('us-east-1', 'subgrp:lamp-replica-subnets'),
          rds('eu-west-1', 'og:default:mysql-8-4'),
          rds('us-east-1', 'og:default:mysql-8-4'),
        ].sort(),
      );
    });

    it('can rename a database into retirement, move it between its own and the retired group, and set its backups', () => {
      expect(on('rds:ModifyDBInstance')).toEqual([...databases, ...retired, ...ownGroups, ...retiredGroups].sort());
    });

    it('can reboot and tag only the two databases and the instances retired from their places', () => {
      expect(on('rds:RebootDBInstance')).toEqual([...databases, ...retired].sort());
      expect(on('rds:AddTagsToResource')).toEqual([...databases, ...retired].sort());
    });

    it("can scale both regions' groups and move traffic between both endpoint groups", () => {
      const asg = (region: string, name: string) =>
        `arn:\${AWS::Partition}:autoscaling:${region}:123456789012:autoScalingGroup:*:autoScalingGroupName/${name}`;

      expect(on('autoscaling:UpdateAutoScalingGroup')).toEqual([asg('eu-west-1', 'primary-asg'), asg('us-east-1', 'secondary-asg')].sort());
      expect(on('globalaccelerator:UpdateEndpointGroup')).toEqual(
        [referenceConfig.primary.endpointGroupArn, referenceConfig.secondary.endpointGroupArn].sort(),
      );
    });

    it("can use both regions' database keys, only through RDS", () => {
      const [kms] = all.filter((s) => list(s.Action).includes('kms:CreateGrant'));

      expect(kms).toMatchObject({
        Action: ['kms:CreateGrant', 'kms:DescribeKey', 'kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: [referenceConfig.primary.dbKmsKeyArn, referenceConfig.secondary.dbKmsKeyArn],
        Condition: { StringEquals: { 'kms:ViaService': ['rds.eu-west-1.amazonaws.com', 'rds.us-east-1.amazonaws.com'] } },
      });
    });

    it('cannot delete a database or a snapshot', () => {
      const everything = all.flatMap((s) => list(s.Action));

      for (const destructive of ['rds:DeleteDBInstance', 'rds:DeleteDBSnapshot', 'rds:DeleteDBParameterGroup'])
        expect(everything).not.toContain(destructive);
    });
  });

  it('leaves no cdk-nag AwsSolutions finding unacknowledged: the wildcards are the Auto Scaling group ids and the retired suffixes', () => {
    const stack = stackIn('us-east-1');
    const configParameter = new DrConfigParameter(stack, 'Config', { config: referenceConfig });
    new FailoverController(stack, 'Controller', {
      configParameter,
      code: lambda.Code.fromInline('export const handler = async () => {};'),
    });

    const report = new AwsSolutionsChecks().validateScope(stack);

    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath ?? '').join(', ')}`)).toEqual([]);
  });

  describe('in a VPC (deprecated: where it resolves the private Route 53 health record itself)', () => {
    function inVpc() {
      const stack = stackIn('us-east-1');
      const vpc = new ec2.Vpc(stack, 'Vpc', {
        availabilityZones: ['us-east-1a', 'us-east-1b'],
        subnetConfiguration: [
          { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
          { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        ],
      });
      const configParameter = new DrConfigParameter(stack, 'Config', { config: referenceConfig });
      const controller = new FailoverController(stack, 'Controller', {
        configParameter,
        code: lambda.Code.fromInline('export const handler = async () => {};'),
        vpc,
      });
      return { stack, vpc, controller, template: Template.fromStack(stack) };
    }

    it("runs in the VPC's private subnets with a security group of its own", () => {
      const { stack, vpc, controller, template } = inVpc();
      const securityGroup = controller.function.connections.securityGroups[0];

      template.hasResourceProperties('AWS::Lambda::Function', {
        VpcConfig: {
          SubnetIds: stack.resolve(vpc.privateSubnets.map((s) => s.subnetId)),
          SecurityGroupIds: [stack.resolve(securityGroup?.securityGroupId)],
        },
      });
    });

    it('may create network interfaces only in its subnets and security group', () => {
      const { stack, vpc, controller } = inVpc();
      const all = statements(Template.fromStack(stack));
      const create = all
        .filter((s) => list(s.Action).includes('ec2:CreateNetworkInterface'))
        .flatMap((s) => list(s.Resource as string | string[]))
        .map(arnText);
      const ec2Arn = (resource: string) => `arn:\${AWS::Partition}:ec2:us-east-1:123456789012:${resource}`;
      const sgId = (stack.resolve(controller.function.connections.securityGroups[0]?.securityGroupId) as { 'Fn::GetAtt': string[] })[
        'Fn::GetAtt'
      ];

      expect(create).toHaveLength(4);
      expect(create).toContain(ec2Arn('network-interface/*'));
      for (const subnet of vpc.privateSubnets)
        expect(create).toContain(ec2Arn(`subnet/\${${(stack.resolve(subnet.subnetId) as { Ref: string }).Ref}}`));
      expect(JSON.stringify(all)).toContain(JSON.stringify(sgId));
      expect(all.flatMap((s) => list(s.Action))).not.toContain('ec2:*');
    });

    it('leaves no cdk-nag AwsSolutions finding unacknowledged', () => {
      const { controller } = inVpc();

      const report = new AwsSolutionsChecks().validateScope(controller);

      expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath ?? '').join(', ')}`)).toEqual(
        [],
      );
    });
  });

  describe('with a health record reader (outside any VPC)', () => {
    function withReader() {
      const stack = stackIn('us-east-1');
      const reader = new lambda.Function(stack, 'Reader', {
        runtime: lambda.Runtime.NODEJS_22_X,
        handler: 'index.handler',
        code: lambda.Code.fromInline('export const handler = async () => ({ addresses: [] });'),
      });
      const configParameter = new DrConfigParameter(stack, 'Config', { config: referenceConfig });
      const controller = new FailoverController(stack, 'Controller', {
        configParameter,
        code: lambda.Code.fromInline('export const handler = async () => {};'),
        healthRecordReader: reader,
      });
      return { stack, reader, controller, template: Template.fromStack(stack) };
    }
    const readerArn = (stack: Stack, reader: lambda.Function) => stack.resolve(reader.functionArn) as unknown;

    it('runs outside any VPC and is told the reader as DR_HEALTH_RECORD_READER', () => {
      const { stack, reader, controller, template } = withReader();
      const props = template.toJSON().Resources[stack.getLogicalId(controller.function.node.defaultChild as never)].Properties;

      expect(props.VpcConfig).toBeUndefined();
      expect(props.Environment.Variables.DR_HEALTH_RECORD_READER).toEqual(readerArn(stack, reader));
    });

    it('may invoke exactly the reader: no version, alias or other function', () => {
      const { stack, reader, template } = withReader();
      const invoke = statements(template).filter((s) => list(s.Action).some((a) => a.startsWith('lambda:')));

      expect(invoke).toEqual([
        expect.objectContaining({ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: readerArn(stack, reader) }),
      ]);
    });

    it('does not warn about the route53 signal', () => {
      const { stack } = withReader();

      expect(Annotations.fromStack(stack).findWarning('/Test/Controller', Match.stringLikeRegexp('route53'))).toEqual([]);
    });
  });

  it('warns when it has no reader (and no VPC) while the route53 signal is on', () => {
    const stack = stackIn('us-east-1');
    new FailoverController(stack, 'Controller', {
      configParameter: new DrConfigParameter(stack, 'Config', { config: referenceConfig }),
      code: lambda.Code.fromInline('export const handler = async () => {};'),
    });

    Annotations.fromStack(stack).hasWarning(
      '/Test/Controller',
      Match.stringLikeRegexp('no healthRecordReader, so it cannot resolve the private route53HealthCheck record'),
    );
  });

  it('does not warn without a reader when the route53 signal is off', () => {
    const stack = stackIn('us-east-1');
    const config = { ...referenceConfig, detection: { signals: ['probe', 'endpoint-health', 'alarm'], quorum: 1 } } as const;
    new FailoverController(stack, 'Controller', {
      configParameter: new DrConfigParameter(stack, 'Config', {
        config: { ...config, detection: { ...config.detection, signals: [...config.detection.signals] } },
      }),
      code: lambda.Code.fromInline('export const handler = async () => {};'),
    });

    expect(Annotations.fromStack(stack).findWarning('/Test/Controller', Match.anyValue())).toEqual([]);
  });

  it('refuses to be deployed outside the DR region', () => {
    expect(() => controller('eu-west-1')).toThrowError(/the controller belongs in the DR region us-east-1; this stack is in eu-west-1/);
  });
});

describe('DrNotifications', () => {
  it('subscribes the email and every further subscriber to its encrypted topic', () => {
    const stack = stackIn('eu-west-1');
    new DrNotifications(stack, 'Notifications', {
      app: 'lamp',
      notificationEmail: 'oncall@example.com',
      notificationSubscriptions: [
        { protocol: sns.SubscriptionProtocol.SMS, endpoint: '+15550100' },
        { protocol: sns.SubscriptionProtocol.SQS, endpoint: 'arn:aws:sqs:eu-west-1:123456789012:pager' },
      ],
    });

    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    t.resourceCountIs('AWS::SNS::Subscription', 3);
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'sms', Endpoint: '+15550100' });
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'sqs', Endpoint: 'arn:aws:sqs:eu-west-1:123456789012:pager' });
  });

  it('names every subscription that cannot work, at synth', () => {
    const stack = stackIn('eu-west-1');

    expect(
      () =>
        new DrNotifications(stack, 'Notifications', {
          app: 'lamp',
          notificationEmail: 'oncall',
          notificationSubscriptions: [{ protocol: sns.SubscriptionProtocol.LAMBDA, endpoint: 'my-function' }],
        }),
    ).toThrowError(
      /Notifications: invalid props:\n {2}- notificationEmail must be an email address; got "oncall"\n {2}- notificationSubscriptions\[0\]\.endpoint must be a Lambda function ARN for protocol lambda; got "my-function"/,
    );
  });
});

describe('FailoverController metrics', () => {
  it('gives its errors (AWS/Lambda) and the RTO its Lambda publishes (RtoSeconds, service dimension), and alarms on the errors metric', () => {
    const stack = stackIn('us-east-1');
    const configParameter = new DrConfigParameter(stack, 'Config', { config: referenceConfig });
    const fc = new FailoverController(stack, 'Controller', { configParameter, code: lambda.Code.fromInline('export const handler = 1;') });

    const rto = fc.metricRto();
    const errors = fc.metricErrors();

    expect([rto.namespace, rto.metricName, rto.dimensions, rto.statistic]).toEqual([
      'PilotLightDR',
      'RtoSeconds',
      { service: 'dr-failover-controller' },
      'Maximum',
    ]);
    expect([errors.namespace, errors.metricName, errors.statistic, errors.period.toMinutes()]).toEqual(['AWS/Lambda', 'Errors', 'Sum', 5]);
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'dr-failover-controller' }) },
    });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Period: 300,
    });
  });

  it('publishes to a topic you have, granting its key', () => {
    const stack = stackIn('us-east-1');
    const configParameter = new DrConfigParameter(stack, 'Config', { config: referenceConfig });
    const topic = new sns.Topic(stack, 'Mine');

    const fc = new FailoverController(stack, 'Controller', {
      configParameter,
      code: lambda.Code.fromInline('export const handler = 1;'),
      notifications: DrNotifications.fromTopic(stack, 'News', topic),
    });

    expect(fc.topic).toBe(topic);
    Template.fromStack(stack).resourceCountIs('AWS::SNS::Topic', 1);
  });
});
