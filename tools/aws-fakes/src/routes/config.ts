import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { PublishCommand } from '@aws-sdk/client-sns';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { awsError } from '../errors.js';
import type { FakeAws } from '../fake-aws.js';
import type { FakeWiring } from './wiring.js';

/** SNS Publish (kept in {@link FakeAws.published}), SSM parameters and Secrets Manager secrets, per region. */
export function wireMessagingAndConfig(fake: FakeAws, w: FakeWiring): void {
  w.route('sns', PublishCommand, async (input) => {
    fake.published.push({ subject: input.Subject, message: input.Message });
    return { MessageId: `m-${fake.published.length}` };
  });
  w.route('ssm', GetParameterCommand, async (input, region) => {
    const value = fake.parameters.get(`${region}:${input.Name}`);
    if (value === undefined) throw awsError('ParameterNotFound', `Parameter ${input.Name} not found.`);
    return { Parameter: { Name: input.Name, Type: 'String', Value: value } };
  });
  // https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html
  w.route('secretsmanager', GetSecretValueCommand, async (input, region) => {
    const value = fake.secrets.get(`${region}:${input.SecretId}`);
    if (value === undefined) throw awsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return { ARN: input.SecretId, Name: input.SecretId, SecretString: value, VersionId: 'fake-version', VersionStages: ['AWSCURRENT'] };
  });
}
