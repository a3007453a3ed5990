import { describe, expect, it } from 'vitest';
import { readSynthesizedDrApp, TemplateResolver, type SynthesizedStack } from '../../src/index.js';

const ACCOUNT = '123456789012';
/** A Fn::Sub template written with `{x}` for `${x}` (kept out of plain strings, which lint flags). */
const sub = (template: string) => template.replace(/\{/g, '$${');
const producer: SynthesizedStack = {
  stackName: 'App-Primary',
  region: 'eu-west-1',
  account: ACCOUNT,
  template: {
    Resources: {
      DbKey: { Type: 'AWS::KMS::Key' },
      Writer: {
        Type: 'Custom::CrossRegionExportWriter',
        Properties: {
          WriterProps: { region: 'us-east-1', exports: { '/cdk/exports/App-Control/key': { 'Fn::GetAtt': ['DbKey', 'Arn'] } } },
        },
      },
    },
  },
};
const sameRegion: SynthesizedStack = {
  stackName: 'App-Secondary',
  region: 'us-east-1',
  account: ACCOUNT,
  template: {
    Resources: { Table: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'lamp-dr-state' } } },
    Outputs: { TableArn: { Value: { 'Fn::GetAtt': ['Table', 'Arn'] }, Export: { Name: 'App-Secondary:TableArn' } } },
  },
};
const consumer: SynthesizedStack = {
  stackName: 'App-Control',
  region: 'us-east-1',
  account: ACCOUNT,
  template: {
    Resources: {
      Reader: { Type: 'Custom::CrossRegionExportReader' },
      Topic: { Type: 'AWS::SNS::Topic' },
      Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {} } },
      Policy: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          Roles: [{ Ref: 'Role' }],
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': ['Reader', '/cdk/exports/App-Control/key'] } },
              { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: { 'Fn::ImportValue': 'App-Secondary:TableArn' } },
              { Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: 'Topic' } },
              {
                Effect: 'Allow',
                Action: 'ssm:GetParameter',
                Resource: {
                  'Fn::Join': [
                    '',
                    [
                      'arn:',
                      { Ref: 'AWS::Partition' },
                      ':ssm:',
                      { Ref: 'AWS::Region' },
                      ':',
                      { Ref: 'AWS::AccountId' },
                      ':parameter/dr/app/config',
                    ],
                  ],
                },
              },
              {
                Effect: 'Allow',
                Action: 'logs:PutLogEvents',
                Resource: {
                  'Fn::Sub': [
                    sub('arn:{AWS::Partition}:logs:{AWS::Region}:{AWS::AccountId}:log-group:{Name}'),
                    { Name: { 'Fn::Select': [1, { 'Fn::Split': ['/', 'a/b/c'] }] } },
                  ],
                },
                Condition: { StringEquals: { 'aws:RequestedRegion': { Ref: 'AWS::Region' } } },
              },
            ],
          },
        },
      },
      Unknown: { Type: 'AWS::Foo::Bar' },
    },
  },
};

describe('TemplateResolver', () => {
  const resolver = new TemplateResolver([producer, sameRegion, consumer]);

  it("resolves a role's attached policy to plain JSON: cross-region and same-region references, Ref, GetAtt, Join, Sub, Select/Split, pseudo parameters", () => {
    const [policy] = resolver.rolePolicies('App-Control', 'Role');
    const resources = (policy!.Statement as unknown as { Resource: string }[]).map((s) => s.Resource);

    expect(resources[0]).toMatch(
      /^arn:aws:kms:eu-west-1:123456789012:key\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(resources.slice(1)).toEqual([
      'arn:aws:dynamodb:us-east-1:123456789012:table/lamp-dr-state',
      expect.stringMatching(/^arn:aws:sns:us-east-1:123456789012:App-Control-Topic-[0-9A-F]{12}$/),
      'arn:aws:ssm:us-east-1:123456789012:parameter/dr/app/config',
      'arn:aws:logs:us-east-1:123456789012:log-group:b',
    ]);
    expect((policy!.Statement as unknown as { Condition?: unknown }[])[4]?.Condition).toEqual({
      StringEquals: { 'aws:RequestedRegion': 'us-east-1' },
    });
  });

  it('gives a generated id the same value on every resolution', () => {
    expect(new TemplateResolver([producer]).resolve('App-Primary', { 'Fn::GetAtt': ['DbKey', 'Arn'] })).toBe(
      resolver.resolve('App-Primary', { 'Fn::GetAtt': ['DbKey', 'Arn'] }),
    );
  });

  it('throws, naming the stack and resource, for what it does not model', () => {
    expect(() => resolver.resolve('App-Control', { Ref: 'Unknown' })).toThrow(/App-Control\/Unknown is a AWS::Foo::Bar/);
    expect(() => resolver.resolve('App-Control', { 'Fn::GetAtt': ['Topic', 'Nope'] })).toThrow(
      /Topic.Nope \(AWS::SNS::Topic\) is not modelled/,
    );
    expect(() => resolver.resolve('App-Control', { 'Fn::If': ['c', 'a', 'b'] })).toThrow(/Fn::If is not modelled/);
    expect(() => resolver.resolve('App-Control', { 'Fn::GetAtt': ['Reader', '/cdk/exports/none'] })).toThrow(
      /no stack writes the cross-region export/,
    );
  });

  it('refuses an app without a failover controller', () => {
    expect(() => readSynthesizedDrApp([producer, sameRegion, consumer])).toThrow(/no failover controller/);
  });
});
