import { GetParameterCommand, SSMClient, type SSMClientConfig } from '@aws-sdk/client-ssm';
import { ConfigError, parseConfigJson, type DrConfig } from '@dr/failover-core';
import { isResourceNotFound } from '@dr/failover-core/errors';
import { callAws, DEFAULT_CALL_POLICY, type CallPolicy } from '../aws-call.js';

/** The SSM parameter that holds an application's DR config (written by the constructs in both regions). */
export const configParameterName = (app: string): string => `/dr/${app}/config`;

/** Options of {@link loadConfigFromSsm}. */
export type SsmConfigOptions = (
  | { readonly awsSdkV3Client: SSMClient; readonly clientConfig?: never }
  | { readonly clientConfig?: Omit<SSMClientConfig, 'region'>; readonly awsSdkV3Client?: never }
) & { readonly policy?: CallPolicy; readonly parameterName?: string };

/**
 * Loads and validates the DR config of `app` from SSM Parameter Store in `region`.
 * @throws `ConfigError` naming the parameter (and region) when it is missing, not JSON, or
 * invalid, with each bad field by path.
 */
export async function loadConfigFromSsm(app: string, region: string, options: SsmConfigOptions = {}): Promise<DrConfig> {
  const name = options.parameterName ?? configParameterName(app);
  const source = `SSM parameter ${name} in ${region}`;
  const client = options.awsSdkV3Client ?? new SSMClient({ ...options.clientConfig, region });
  let text: string | undefined;
  try {
    const out = await callAws(
      { region, resource: source, notFound: ['ParameterNotFound'] },
      (abortSignal) => client.send(new GetParameterCommand({ Name: name, WithDecryption: true }), { abortSignal }),
      options.policy ?? DEFAULT_CALL_POLICY,
    );
    text = out.Parameter?.Value;
  } catch (e) {
    if (isResourceNotFound(e))
      throw new ConfigError([{ path: '(root)', message: 'does not exist (deploy the DR constructs, or pass a config file)' }], source, {
        cause: e,
      });
    throw e;
  }
  if (!text) throw new ConfigError([{ path: '(root)', message: 'is empty' }], source);
  return parseConfigJson(text, source);
}
