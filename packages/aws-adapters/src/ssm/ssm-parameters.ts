import { GetParameterCommand, SSMClient, type SSMClientConfig } from '@aws-sdk/client-ssm';
import { isResourceNotFound } from '@dr/failover-core/errors';
import { callAws, DEFAULT_CALL_POLICY, type CallPolicy } from '../aws-call.js';
import { ClientCache, type RegionalClients } from '../clients.js';

/** Options of {@link SsmParameters}. */
export type SsmParametersOptions = RegionalClients<SSMClient, SSMClientConfig> & { readonly policy?: CallPolicy };

/** SSM Parameter Store reads in any region (parameters are regional: the constructs write the config in both). */
export class SsmParameters {
  private readonly clients: ClientCache<SSMClient, SSMClientConfig>;
  private readonly policy: CallPolicy;

  constructor(options: SsmParametersOptions = {}) {
    this.clients = new ClientCache(options, (c) => new SSMClient(c));
    this.policy = options.policy ?? DEFAULT_CALL_POLICY;
  }

  /** A parameter's value (decrypted); undefined when the region has no such parameter. */
  async get(region: string, name: string): Promise<string | undefined> {
    try {
      const out = await callAws(
        { region, resource: `SSM parameter ${name}`, notFound: ['ParameterNotFound'] },
        (abortSignal) => this.clients.get(region).send(new GetParameterCommand({ Name: name, WithDecryption: true }), { abortSignal }),
        this.policy,
      );
      return out.Parameter?.Value;
    } catch (e) {
      if (isResourceNotFound(e)) return undefined;
      throw e;
    }
  }
}
