import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { DrNotifications } from '../src/index.js';
import { stackIn } from './helpers.js';

/** The statements of every IAM policy of a template, flattened. */
function statements(template: Template): { Action: string | string[]; Resource: unknown }[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (p) =>
      (p as { Properties: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } } }).Properties.PolicyDocument
        .Statement,
  );
}

const actionsOf = (template: Template) => statements(template).flatMap((s) => [s.Action].flat());

describe('DrNotifications', () => {
  it('grants publishing with the topic key, and returns the grant', () => {
    const stack = stackIn('us-east-1');
    const notifications = new DrNotifications(stack, 'Notifications', { app: 'lamp' });
    const role = new iam.Role(stack, 'Publisher', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

    const grant = notifications.grantPublish(role);

    expect(grant).toBeInstanceOf(iam.Grant);
    expect(grant.success).toBe(true);
    expect(actionsOf(Template.fromStack(stack)).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*', 'sns:Publish']);
  });

  it('imports a topic you have, and grants its key with it', () => {
    const stack = stackIn('us-east-1');
    const key = new kms.Key(stack, 'Key');
    const topic = new sns.Topic(stack, 'Topic', { masterKey: key });
    const role = new iam.Role(stack, 'Publisher', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

    const notifications = DrNotifications.fromTopic(stack, 'Notifications', topic);
    notifications.grantPublish(role);

    expect(notifications.topic).toBe(topic);
    expect(notifications.key).toBe(key);
    expect(actionsOf(Template.fromStack(stack)).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*', 'sns:Publish']);
  });

  it('imports a topic by ARN: with its key, publishers get the key; without, sns:Publish alone', () => {
    const stack = stackIn('us-east-1');
    const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    const role = new iam.Role(stack, 'Publisher', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const plainRole = new iam.Role(stack, 'PlainPublisher', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

    const encrypted = DrNotifications.fromTopicArn(stack, 'Encrypted', 'arn:aws:sns:us-east-1:123456789012:news', key);
    const plain = DrNotifications.fromTopicArn(stack, 'Plain', 'arn:aws:sns:us-east-1:123456789012:plain');
    encrypted.grantPublish(role);
    plain.grantPublish(plainRole);

    expect(encrypted.topic.topicArn).toBe('arn:aws:sns:us-east-1:123456789012:news');
    expect(encrypted.key?.keyArn).toBe(key.keyArn);
    expect(plain.key).toBeUndefined();
    const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')) as {
      Properties: { Roles: { Ref: string }[]; PolicyDocument: { Statement: { Action: string | string[] }[] } };
    }[];
    const actionsOfRole = (logicalIdPrefix: string) =>
      policies
        .filter((p) => p.Properties.Roles.some((r) => r.Ref.startsWith(logicalIdPrefix)))
        .flatMap((p) => p.Properties.PolicyDocument.Statement.flatMap((s) => [s.Action].flat()))
        .sort();
    expect(actionsOfRole('Publisher')).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*', 'sns:Publish']);
    expect(actionsOfRole('PlainPublisher')).toEqual(['sns:Publish']);
  });
});
