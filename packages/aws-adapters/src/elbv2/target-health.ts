import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  type ElasticLoadBalancingV2ClientConfig,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { callAws, DEFAULT_CALL_POLICY, type CallPolicy } from '../aws-call.js';
import { ClientCache, type RegionalClients } from '../clients.js';

/** Options of {@link ElbTargetHealth}. */
export type ElbTargetHealthOptions = RegionalClients<ElasticLoadBalancingV2Client, ElasticLoadBalancingV2ClientConfig> & {
  readonly policy?: CallPolicy;
};

/** ELBv2 target health: how many targets of a target group the ALB counts as healthy. */
export class ElbTargetHealth {
  private readonly clients: ClientCache<ElasticLoadBalancingV2Client, ElasticLoadBalancingV2ClientConfig>;
  private readonly policy: CallPolicy;

  constructor(options: ElbTargetHealthOptions = {}) {
    this.clients = new ClientCache(options, (c) => new ElasticLoadBalancingV2Client(c));
    this.policy = options.policy ?? DEFAULT_CALL_POLICY;
  }

  /** Targets in the `healthy` state (DescribeTargetHealth is not paged). */
  async healthyCount(region: string, targetGroupArn: string): Promise<number> {
    const out = await callAws(
      { region, resource: `target group ${targetGroupArn}`, notFound: ['TargetGroupNotFoundException', 'TargetGroupNotFound'] },
      (abortSignal) => this.clients.get(region).send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }), { abortSignal }),
      this.policy,
    );
    return (out.TargetHealthDescriptions ?? []).filter((t) => t.TargetHealth?.State === 'healthy').length;
  }
}
