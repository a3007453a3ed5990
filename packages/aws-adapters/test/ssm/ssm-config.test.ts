import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { isConfigError, referenceConfig, type ConfigError } from '@dr/failover-core';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfigFromSsm } from '../../src/index.js';
import { awsError } from '@dr/aws-fakes';
import { fastPolicy } from '../fixtures.js';

const ssm = mockClient(SSMClient);
afterEach(() => ssm.reset());
const load = () => loadConfigFromSsm('lamp', 'us-east-1', { policy: fastPolicy() });

async function failure(): Promise<ConfigError> {
  const e = await load().catch((err: unknown) => err);
  if (!isConfigError(e)) throw new Error(`expected a ConfigError, got ${String(e)}`);
  return e;
}

describe('loadConfigFromSsm', () => {
  it('loads and validates the config of an app from /dr/<app>/config', async () => {
    ssm.on(GetParameterCommand, { Name: '/dr/lamp/config' }).resolves({ Parameter: { Value: JSON.stringify(referenceConfig) } });

    expect((await load()).app).toBe('lamp');
  });

  it('names the parameter and the region when it is missing', async () => {
    ssm.on(GetParameterCommand).rejects(awsError('ParameterNotFound'));

    expect((await failure()).message).toMatch(/^SSM parameter \/dr\/lamp\/config in us-east-1 is invalid:\n {2}- \(root\): does not exist/);
  });

  it('names the parameter when it is not JSON', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: '{ nope' } });

    expect((await failure()).message).toMatch(
      /SSM parameter \/dr\/lamp\/config in us-east-1 is invalid:\n {2}- \(root\): is not valid JSON/,
    );
  });

  it('names the parameter and every bad field', async () => {
    ssm
      .on(GetParameterCommand)
      .resolves({ Parameter: { Value: JSON.stringify({ ...referenceConfig, app: 7, objectives: { rtoSeconds: 1 } }) } });

    expect((await failure()).issues.map((i) => i.path)).toEqual(['app', 'objectives.rtoSeconds']);
  });
});
