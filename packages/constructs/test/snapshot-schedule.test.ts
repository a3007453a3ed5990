import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { referenceConfig } from '@dr/failover-core';
import { describe, expect, it } from 'vitest';
import { DrConfigParameter, SnapshotSchedule } from '../src/index.js';
import { stackIn } from './helpers.js';

const code = lambda.Code.fromInline('export const handler = async () => {};');

describe('SnapshotSchedule', () => {
  it('runs daily at 02:00 UTC by default', () => {
    const stack = stackIn('us-east-1');
    new SnapshotSchedule(stack, 'Snapshots', { configParameter: new DrConfigParameter(stack, 'Config', { config: referenceConfig }), code });

    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 2 * * ? *)' });
  });

  it('may copy and delete only snapshots named for the app', () => {
    const stack = stackIn('us-east-1');
    new SnapshotSchedule(stack, 'Snapshots', { configParameter: new DrConfigParameter(stack, 'Config', { config: referenceConfig }), code });
    const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).flatMap(
      (p) => (p as { Properties: { PolicyDocument: { Statement: { Sid?: string; Action: string[]; Resource: unknown }[] } } }).Properties.PolicyDocument.Statement,
    );

    const prune = statements.find((s) => s.Sid === 'CopyAndPruneOurSnapshots');
    expect(JSON.stringify(prune?.Resource)).toContain(':snapshot:lamp-daily-*');
    expect(statements.filter((s) => s.Resource === '*').flatMap((s) => s.Action)).toEqual(['rds:DescribeDBInstances', 'rds:DescribeDBSnapshots']);
  });

  it('names a bad schedule prop', () => {
    const stack = stackIn('us-east-1');

    expect(() => new SnapshotSchedule(stack, 'Snapshots', { configParameter: new DrConfigParameter(stack, 'Config', { config: referenceConfig }), code, hourUtc: 25 })).toThrowError(/hourUtc must be a whole hour 0–23; got 25/);
  });
});
