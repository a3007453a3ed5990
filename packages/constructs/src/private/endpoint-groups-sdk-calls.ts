/**
 * The handler's SDK calls (listing, creating and reconciling the groups, reading its stack),
 * inlined into its body: they close over its `client`, `stacks`, `event`, `p` and `old`.
 */
export function sdkCallsCode(): string {
  return `  const list = async (listenerArn) => {
    const groups = [];
    let token;
    do {
      const page = await client.send(new ga.ListEndpointGroupsCommand({ ListenerArn: listenerArn, NextToken: token }));
      groups.push(...(page.EndpointGroups || []));
      token = page.NextToken;
    } while (token);
    return groups.map((g) => ({ region: g.EndpointGroupRegion, arn: g.EndpointGroupArn, trafficDial: g.TrafficDialPercentage ?? 100, endpoints: (g.EndpointDescriptions || []).map((e) => ({ id: e.EndpointId, weight: e.Weight ?? 128, clientIpPreservation: e.ClientIPPreservationEnabled })) }));
  };
  const stackStatus = () => stacks.send(new cfn.DescribeStacksCommand({ StackName: event.StackId })).then((r) => r.Stacks[0].StackStatus, (e) => console.log('DescribeStacks: ' + e.message));
  const traffic = (groups) => groups.map((g) => ({ region: g.region, trafficDial: g.trafficDial, weights: g.endpoints.map((e) => e.weight) }));
  const regions = (props) => (props.Endpoints || []).map((e) => e.Region).sort().join();
  const oldId = (region) => ((old.Endpoints || []).find((e) => e.Region === region) || {}).EndpointId;
  const create = async (e, opens) => {
    const serving = opens && e.Region === p.ServingRegion;
    const r = await client.send(new ga.CreateEndpointGroupCommand({ ListenerArn: p.ListenerArn, EndpointGroupRegion: e.Region, TrafficDialPercentage: serving ? 100 : 0, EndpointConfigurations: [{ EndpointId: e.EndpointId, Weight: serving ? 128 : 0, ClientIPPreservationEnabled: true }], IdempotencyToken: event.RequestId + '/' + e.Region }));
    return r.EndpointGroup.EndpointGroupArn;
  };
  const reconcile = async (e, g) => {
    const change = reconcileEndpoints(e.EndpointId, oldId(e.Region), g);
    if (change) await client.send(new ga.UpdateEndpointGroupCommand({ EndpointGroupArn: g.arn, ...change }));
    return g.arn;
  };
`;
}
