import { describe, expect, it } from 'vitest';
import {
  actionMatches,
  arnMatches,
  evaluatePolicies,
  PolicyNotUnderstoodError,
  type AuthorizationRequest,
  type PolicyDocument,
} from '../../src/index.js';

const request = (action: string, resource: string, context: AuthorizationRequest['context'] = {}): AuthorizationRequest => ({
  action,
  resource,
  context,
});
const policy = (...Statement: PolicyDocument['Statement'][]): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: Statement.flat() as PolicyDocument['Statement'],
});

// Examples from https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
// and the element pages (Action, NotAction, Resource, NotResource, condition operators).
describe('evaluatePolicies', () => {
  it('denies by default when no statement allows (implicit deny)', () => {
    expect(evaluatePolicies([], request('rds:DescribeDBInstances', '*'))).toEqual({ decision: 'ImplicitDeny' });
    expect(
      evaluatePolicies([policy({ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' })], request('rds:DescribeDBInstances', '*')),
    ).toEqual({ decision: 'ImplicitDeny' });
  });

  it('lets an explicit Deny win over any Allow, in the same policy or another', () => {
    const allow = policy({ Sid: 'All', Effect: 'Allow', Action: '*', Resource: '*' });
    const deny = policy({ Sid: 'NoDelete', Effect: 'Deny', Action: 'rds:Delete*', Resource: '*' });

    expect(evaluatePolicies([allow, deny], request('rds:DeleteDBSnapshot', 'arn:aws:rds:us-east-1:123456789012:snapshot:s'))).toEqual({
      decision: 'ExplicitDeny',
      sid: 'NoDelete',
    });
    expect(evaluatePolicies([allow, deny], request('rds:CreateDBSnapshot', 'arn:aws:rds:us-east-1:123456789012:snapshot:s'))).toEqual({
      decision: 'Allow',
      sid: 'All',
    });
  });

  it('matches actions case-insensitively, with * and ? wildcards', () => {
    expect(actionMatches('iam:*AccessKey*', 'iam:CreateAccessKey')).toBe(true);
    expect(actionMatches('IAM:createaccesskey', 'iam:CreateAccessKey')).toBe(true);
    expect(actionMatches('s3:Get?bject', 's3:GetObject')).toBe(true);
    expect(actionMatches('rds:Describe*', 'rds:ModifyDBInstance')).toBe(false);
  });

  it('NotAction allows everything but the actions listed (the doc\'s "all but IAM" example)', () => {
    const everythingButIam = policy({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' });

    expect(
      evaluatePolicies([everythingButIam], request('rds:PromoteReadReplica', 'arn:aws:rds:us-east-1:123456789012:db:x')).decision,
    ).toBe('Allow');
    expect(evaluatePolicies([everythingButIam], request('iam:CreateUser', 'arn:aws:iam::123456789012:user/Bob')).decision).toBe(
      'ImplicitDeny',
    );
  });

  it('matches resources segment by segment: * and ? within a segment, a trailing * across colons and slashes, case-sensitively', () => {
    expect(arnMatches('arn:aws:iam::123456789012:user/accounting/*', 'arn:aws:iam::123456789012:user/accounting/Bob')).toBe(true);
    expect(arnMatches('arn:aws:s3:::amzn-s3-demo-bucket/*', 'arn:aws:s3:::amzn-s3-demo-bucket/a/b/c.txt')).toBe(true);
    expect(arnMatches('arn:aws:rds:*:123456789012:db:lamp-*', 'arn:aws:rds:eu-west-1:123456789012:db:lamp-primary-retired-r1')).toBe(true);
    expect(
      arnMatches(
        'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:*:autoScalingGroupName/asg',
        'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:1a2b-3c:autoScalingGroupName/asg',
      ),
    ).toBe(true);
    expect(arnMatches('arn:aws:rds:us-east-1:123456789012:db:lamp-?', 'arn:aws:rds:us-east-1:123456789012:db:lamp-1')).toBe(true);
    expect(arnMatches('arn:aws:iam::123456789012:user/Bob', 'arn:aws:iam::123456789012:user/bob')).toBe(false);
    expect(arnMatches('arn:aws:rds:us-east-1:123456789012:db:lamp-primary', 'arn:aws:rds:eu-west-1:123456789012:db:lamp-primary')).toBe(
      false,
    );
    expect(arnMatches('arn:aws:rds:us-*-1:123456789012:db:x', 'arn:aws:rds:us-east:1:123456789012:db:x')).toBe(false);
  });

  it('NotResource applies to every resource but those listed', () => {
    const allButOneTable = policy(
      { Effect: 'Deny', Action: 'dynamodb:*', NotResource: 'arn:aws:dynamodb:us-east-1:123456789012:table/keep' },
      { Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' },
    );

    expect(
      evaluatePolicies([allButOneTable], request('dynamodb:GetItem', 'arn:aws:dynamodb:us-east-1:123456789012:table/keep')).decision,
    ).toBe('Allow');
    expect(
      evaluatePolicies([allButOneTable], request('dynamodb:GetItem', 'arn:aws:dynamodb:us-east-1:123456789012:table/other')).decision,
    ).toBe('ExplicitDeny');
  });

  it('ORs the values of one key, ANDs keys and operators; an absent key fails a positive operator and passes a negated one', () => {
    const regional = policy({
      Effect: 'Allow',
      Action: 'ec2:DescribeImages',
      Resource: '*',
      Condition: { StringEquals: { 'aws:RequestedRegion': ['eu-west-1', 'us-east-1'] } },
    });
    const both = policy({
      Effect: 'Allow',
      Action: 'kms:CreateGrant',
      Resource: '*',
      Condition: { StringEquals: { 'kms:ViaService': 'rds.us-east-1.amazonaws.com', 'kms:CallerAccount': '123456789012' } },
    });
    const notIn = policy({
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: { StringNotEquals: { 'aws:RequestedRegion': 'us-east-1' } },
    });

    expect(evaluatePolicies([regional], request('ec2:DescribeImages', '*', { 'aws:RequestedRegion': 'us-east-1' })).decision).toBe('Allow');
    expect(evaluatePolicies([regional], request('ec2:DescribeImages', '*', { 'aws:RequestedRegion': 'ap-south-1' })).decision).toBe(
      'ImplicitDeny',
    );
    expect(evaluatePolicies([regional], request('ec2:DescribeImages', '*')).decision).toBe('ImplicitDeny');
    expect(
      evaluatePolicies(
        [both],
        request('kms:CreateGrant', '*', { 'kms:ViaService': 'rds.us-east-1.amazonaws.com', 'kms:CallerAccount': '123456789012' }),
      ).decision,
    ).toBe('Allow');
    expect(evaluatePolicies([both], request('kms:CreateGrant', '*', { 'kms:ViaService': 'rds.us-east-1.amazonaws.com' })).decision).toBe(
      'ImplicitDeny',
    );
    expect(evaluatePolicies([notIn], request('ec2:DescribeImages', '*')).decision).toBe('ExplicitDeny');
  });

  it('treats key names case-insensitively, values case-sensitively unless IgnoreCase; StringLike takes wildcards', () => {
    const ns = policy({
      Effect: 'Allow',
      Action: 'cloudwatch:PutMetricData',
      Resource: '*',
      Condition: { StringEquals: { 'cloudwatch:namespace': 'DR/Readiness' } },
    });
    const like = policy({
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: { StringLike: { 'kms:ViaService': 'rds.*.amazonaws.com' } },
    });

    expect(evaluatePolicies([ns], request('cloudwatch:PutMetricData', '*', { 'CloudWatch:Namespace': 'DR/Readiness' })).decision).toBe(
      'Allow',
    );
    expect(evaluatePolicies([ns], request('cloudwatch:PutMetricData', '*', { 'cloudwatch:namespace': 'dr/readiness' })).decision).toBe(
      'ImplicitDeny',
    );
    expect(evaluatePolicies([like], request('kms:Decrypt', '*', { 'kms:ViaService': 'rds.eu-west-1.amazonaws.com' })).decision).toBe(
      'Allow',
    );
    expect(evaluatePolicies([like], request('kms:Decrypt', '*', { 'kms:ViaService': 'sns.eu-west-1.amazonaws.com' })).decision).toBe(
      'ImplicitDeny',
    );
  });

  it('...IfExists passes when the key is absent and checks it when present; Bool compares true/false; Arn operators match by segment', () => {
    const ifExists = policy({
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: { StringEqualsIfExists: { 'kms:ViaService': 'sns.us-east-1.amazonaws.com' } },
    });
    const tls = policy(
      { Effect: 'Deny', Action: '*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
      { Effect: 'Allow', Action: '*', Resource: '*' },
    );
    const roles = policy({
      Effect: 'Allow',
      Action: 'sns:Publish',
      Resource: '*',
      Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/lamp-*' } },
    });

    expect(evaluatePolicies([ifExists], request('kms:Decrypt', '*')).decision).toBe('Allow');
    expect(evaluatePolicies([ifExists], request('kms:Decrypt', '*', { 'kms:ViaService': 'rds.us-east-1.amazonaws.com' })).decision).toBe(
      'ImplicitDeny',
    );
    expect(evaluatePolicies([tls], request('sns:Publish', '*', { 'aws:SecureTransport': false })).decision).toBe('ExplicitDeny');
    expect(evaluatePolicies([tls], request('sns:Publish', '*', { 'aws:SecureTransport': true })).decision).toBe('Allow');
    expect(
      evaluatePolicies([roles], request('sns:Publish', '*', { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/lamp-controller' }))
        .decision,
    ).toBe('Allow');
    expect(
      evaluatePolicies([roles], request('sns:Publish', '*', { 'aws:PrincipalArn': 'arn:aws:iam::210987654321:role/lamp-controller' }))
        .decision,
    ).toBe('ImplicitDeny');
  });

  it('ForAnyValue needs one request value to match (false when absent); ForAllValues needs all (true when absent); Null tests presence', () => {
    const any = policy({
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: { 'ForAnyValue:StringEquals': { 'kms:ViaService': ['a', 'b'] } },
    });
    const all = policy({
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: { 'ForAllValues:StringEquals': { 'kms:ViaService': ['a', 'b'] } },
    });
    const absent = policy({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*', Condition: { Null: { 'kms:ViaService': 'true' } } });

    expect(evaluatePolicies([any], request('kms:Decrypt', '*', { 'kms:ViaService': ['b', 'c'] })).decision).toBe('Allow');
    expect(evaluatePolicies([any], request('kms:Decrypt', '*')).decision).toBe('ImplicitDeny');
    expect(evaluatePolicies([all], request('kms:Decrypt', '*', { 'kms:ViaService': ['b', 'c'] })).decision).toBe('ImplicitDeny');
    expect(evaluatePolicies([all], request('kms:Decrypt', '*')).decision).toBe('Allow');
    expect(evaluatePolicies([absent], request('kms:Decrypt', '*')).decision).toBe('Allow');
    expect(evaluatePolicies([absent], request('kms:Decrypt', '*', { 'kms:ViaService': 'a' })).decision).toBe('ImplicitDeny');
  });

  it('refuses, loudly, what it does not model: an operator, a condition key, a policy variable, a Principal in an identity policy', () => {
    const unknownOperator = policy({
      Effect: 'Allow',
      Action: '*',
      Resource: '*',
      Condition: { NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } },
    });
    const unknownKey = policy({ Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1' } } });
    const unreached = policy(
      { Effect: 'Allow', Action: 'iam:*', Resource: '*', Condition: { StringEquals: { 'iam:PassedToService': 'x' } } },
      { Effect: 'Allow', Action: 'rds:*', Resource: '*' },
    );
    const variable = policy({ Effect: 'Allow', Action: '*', Resource: `arn:aws:iam::123456789012:user/${'$'}{aws:username}` });
    const withPrincipal = { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Principal: '*' }] } as unknown as PolicyDocument;

    for (const p of [unknownOperator, unknownKey, unreached, variable, withPrincipal])
      expect(() => evaluatePolicies([p], request('rds:DescribeDBInstances', 'arn:aws:rds:us-east-1:123456789012:db:x'))).toThrow(
        PolicyNotUnderstoodError,
      );
  });
});
