import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { parseConfig, referenceConfig } from '@dr/failover-core';
import { describe, expect, it } from 'vitest';
import { DrConfigParameter } from '../src/index.js';
import { stackIn } from './helpers.js';

describe('DrConfigParameter', () => {
  it('writes the validated config, defaults filled in, where the Lambdas and dr look for it', () => {
    const stack = stackIn('us-east-1');
    new DrConfigParameter(stack, 'Config', { config: referenceConfig });

    const [resource] = Object.values(Template.fromStack(stack).findResources('AWS::SSM::Parameter')) as {
      Properties: { Name: string; Value: string; Type: string };
    }[];

    expect(resource?.Properties).toMatchObject({ Name: '/dr/lamp/config', Type: 'String' });
    expect(JSON.parse(resource?.Properties.Value ?? '{}')).toEqual(parseConfig(referenceConfig));
  });

  it('fails synthesis naming every bad field of the config by path', () => {
    const bad = { ...referenceConfig, primary: { ...referenceConfig.primary, region: 'mars' }, objectives: { rtoSeconds: 1 } };

    expect(() => new DrConfigParameter(stackIn('us-east-1'), 'Config', { config: bad })).toThrowError(
      /Test\/Config: config is invalid:\n {2}- primary\.region: must be an AWS region name.*\n {2}- objectives\.rtoSeconds: must be at least 60 seconds/,
    );
  });

  it('grants read access to the parameter only', () => {
    const stack = stackIn('us-east-1');
    const config = new DrConfigParameter(stack, 'Config', { config: referenceConfig });
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

    config.grantRead(role);

    const statement = (
      Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))[0] as {
        Properties: { PolicyDocument: { Statement: { Action: string[] }[] } };
      }
    ).Properties.PolicyDocument.Statement[0];
    expect(statement?.Action).toEqual(['ssm:DescribeParameters', 'ssm:GetParameters', 'ssm:GetParameter', 'ssm:GetParameterHistory']);
  });
});
