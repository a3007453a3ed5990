import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { referenceConfig } from '@dr/failover-core';
import { describe, expect, it } from 'vitest';
import { DrConfigParameter, SnapshotSchedule } from '../src/index.js';
import { stackIn } from './helpers.js';

const code = lambda.Code.fromInline('export const handler = async () => {};');

describe('SnapshotSchedule', () => {
  it('runs daily at 02:00 UTC by default', () => {
    const stack = stackIn('us-east-1');
    new SnapshotSchedule(stack, 'Snapshots', {
      configParameter: new DrConfigParameter(stack, 'Config', { config: referenceConfig }),
      code,
    });

    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 2 * * ? *)' });
  });

  it('may copy and delete only snapshots named for the app', () => {
    const stack = stackIn('us-east-1');
    new SnapshotSchedule(stack, 'Snapshots', {
      configParameter: new DrConfigParameter(stack, 'Config', { config: referenceConfig }),
      code,
    });
    const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).flatMap(
      (p) =>
        (p as { Properties: { PolicyDocument: { Statement: { Sid?: string; Action: string[]; Resource: unknown }[] } } }).Properties
          .PolicyDocument.Statement,
    );

    const prune = statements.find((s) => s.Sid === 'CopyAndPruneOurSnapshots');
    const resources = (prune?.Resource as unknown[]).map((r) => JSON.stringify(r));
    expect(resources).toHaveLength(4);
    expect(resources.every((r) => /:snapshot:lamp-(daily|manual)-\*/.test(r))).toBe(true);
    expect(statements.filter((s) => s.Resource === '*').flatMap((s) => s.Action)).toEqual([
      'rds:DescribeDBInstances',
      'rds:DescribeDBSnapshots',
    ]);
  });

  it("may use both regions' database keys only through RDS, to copy encrypted snapshots", () => {
    const stack = stackIn('us-east-1');
    const withKeys = {
      ...referenceConfig,
      primary: { ...referenceConfig.primary, dbKmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555' },
      secondary: {
        ...referenceConfig.secondary,
        dbKmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/66666666-7777-8888-9999-000000000000',
      },
    };
    new SnapshotSchedule(stack, 'Snapshots', { configParameter: new DrConfigParameter(stack, 'Config', { config: withKeys }), code });
    const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).flatMap(
      (p) =>
        (p as { Properties: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown; Condition?: unknown }[] } } })
          .Properties.PolicyDocument.Statement,
    );

    const kms = statements.filter((s) => JSON.stringify(s.Action).includes('kms:CreateGrant'));
    expect(kms.map((s) => s.Resource).sort()).toEqual([withKeys.primary.dbKmsKeyArn, withKeys.secondary.dbKmsKeyArn]);
    for (const s of kms)
      expect(s.Condition).toEqual({ StringLike: { 'kms:ViaService': ['rds.eu-west-1.amazonaws.com', 'rds.us-east-1.amazonaws.com'] } });
  });

  it('notifies its topic when a run fails', () => {
    const stack = stackIn('us-east-1');
    const topic = new sns.Topic(stack, 'Topic');
    new SnapshotSchedule(stack, 'Snapshots', {
      configParameter: new DrConfigParameter(stack, 'Config', { config: referenceConfig }),
      code,
      topic,
    });

    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) }],
    });
  });

  it('names a bad schedule prop', () => {
    const stack = stackIn('us-east-1');

    expect(
      () =>
        new SnapshotSchedule(stack, 'Snapshots', {
          configParameter: new DrConfigParameter(stack, 'Config', { config: referenceConfig }),
          code,
          hourUtc: 25,
        }),
    ).toThrowError(/hourUtc must be a whole hour 0–23; got 25/);
  });
});

describe('SnapshotSchedule schedule', () => {
  it('runs on the events.Schedule given', () => {
    const stack = stackIn('us-east-1');
    new SnapshotSchedule(stack, 'Snapshots', {
      configParameter: new DrConfigParameter(stack, 'Config', { config: referenceConfig }),
      code,
      schedule: events.Schedule.cron({ hour: '3', minute: '30' }),
    });

    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(30 3 * * ? *)' });
  });

  it('refuses schedule beside hourUtc or minuteUtc, naming the props', () => {
    const stack = stackIn('us-east-1');
    const configParameter = new DrConfigParameter(stack, 'Config', { config: referenceConfig });

    expect(
      () =>
        new SnapshotSchedule(stack, 'Snapshots', { configParameter, code, schedule: events.Schedule.cron({ hour: '3' }), minuteUtc: 5 }),
    ).toThrowError(/schedule and hourUtc\/minuteUtc must not both be given/);
  });
});
