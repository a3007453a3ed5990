/** One live endpoint group as Global Accelerator's ListEndpointGroups reports it. */
export interface LiveEndpointGroup {
  readonly region: string;
  /** TrafficDialPercentage (Global Accelerator's default is 100). */
  readonly trafficDial: number;
  /** Weight of each endpoint (Global Accelerator's default is 128). */
  readonly weights: readonly number[];
}

/** Whether a deploy may write the endpoint groups, and why. */
export interface TrafficGuardVerdict {
  readonly ok: boolean;
  readonly reason: string;
}

/**
 * The traffic guard's decision, pure: a deploy may write the endpoint groups only when no group
 * exists yet (first deploy) or when the one region that serves now (dial above 0 and an endpoint
 * above weight 0) is the region the template makes serve. Anything else (the other region
 * serves after a failover, both serve mid-failover, none serves) fails the deploy rather than
 * moving users. Self-contained on purpose: its source is inlined into the guard's Lambda.
 */
export function trafficGuardVerdict(desiredRegion: string, groups: readonly LiveEndpointGroup[]): TrafficGuardVerdict {
  if (groups.length === 0) return { ok: true, reason: 'no endpoint group exists yet' };
  const serving = groups.filter((g) => g.trafficDial > 0 && g.weights.some((w) => w > 0)).map((g) => g.region).sort();
  if (serving.length === 1 && serving[0] === desiredRegion) return { ok: true, reason: `${desiredRegion} serves, as the template wants` };
  const live = serving.length === 0 ? 'no region' : serving.join(' and ');
  return {
    ok: false,
    reason:
      `Refusing to update the Global Accelerator endpoint groups: live traffic goes to ${live}, but this template sends it to ${desiredRegion} only, ` +
      `which would move users. If a failover moved traffic, set the active region (PilotLight activeRegion, or the serving endpoint of GlobalEntryPoint) ` +
      `to the region that serves now and deploy again; to move traffic on purpose, use the failover tooling first.`,
  };
}

/**
 * The guard Lambda's source (CommonJS, AWS SDK v3 from the Node.js runtime): on create and update
 * it lists the listener's live endpoint groups and answers CloudFormation with
 * {@link trafficGuardVerdict}'s decision; on delete it always succeeds.
 */
export function trafficGuardHandlerCode(): string {
  return `const { GlobalAcceleratorClient, ListEndpointGroupsCommand } = require('@aws-sdk/client-global-accelerator');
const verdict = ${trafficGuardVerdict.toString()};
exports.verdict = verdict;
exports.handler = async (event) => {
  const props = event.ResourceProperties;
  let status = 'SUCCESS';
  let reason = 'deleted';
  try {
    if (event.RequestType !== 'Delete') {
      const client = new GlobalAcceleratorClient({ region: 'us-west-2' });
      const groups = [];
      let token;
      do {
        const page = await client.send(new ListEndpointGroupsCommand({ ListenerArn: props.ListenerArn, NextToken: token }));
        groups.push(...(page.EndpointGroups || []));
        token = page.NextToken;
      } while (token);
      const live = groups.map((g) => ({ region: g.EndpointGroupRegion, trafficDial: g.TrafficDialPercentage ?? 100, weights: (g.EndpointDescriptions || []).map((e) => e.Weight ?? 128) }));
      const v = verdict(props.ServingRegion, live);
      status = v.ok ? 'SUCCESS' : 'FAILED';
      reason = v.reason;
    }
  } catch (e) {
    status = 'FAILED';
    reason = 'The traffic guard could not read the live endpoint groups: ' + (e && e.message ? e.message : String(e));
  }
  console.log(JSON.stringify({ requestType: event.RequestType, status, reason }));
  const body = JSON.stringify({ Status: status, Reason: reason, PhysicalResourceId: event.PhysicalResourceId || event.LogicalResourceId, StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId });
  await fetch(event.ResponseURL, { method: 'PUT', headers: { 'content-type': '' }, body });
};
`;
}
