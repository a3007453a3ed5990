import { GLOBAL_ACCELERATOR_CONTROL_REGION } from '@dr/failover-core';
import { sdkCallsCode } from './endpoint-groups-sdk-calls.js';

/**
 * The endpoint groups' provider: a custom resource that creates the Global Accelerator endpoint
 * groups with their first weights and dials, and from then on never writes a weight or a dial,
 * because the failover engine owns them (it changes them with UpdateEndpointGroup, outside
 * CloudFormation). Its decisions are pure functions below; their source is inlined into the
 * provider's Lambda, so each must stay self-contained (no reference to another module-level name).
 */

/** One region's live traffic as ListEndpointGroups reports it. */
export interface LiveTraffic {
  readonly region: string;
  /** TrafficDialPercentage (Global Accelerator's default is 100). */
  readonly trafficDial: number;
  /** Weight of each endpoint (Global Accelerator's default is 128). */
  readonly weights: readonly number[];
}

/** Whether a forward deploy agrees with the live serving region, and why. */
export interface ServingVerdict {
  readonly ok: boolean;
  readonly reason: string;
}

/**
 * Whether the template's serving region is the live one: true when no group exists yet, or when
 * the one region that serves now (dial above 0 and an endpoint above weight 0) is `desiredRegion`.
 * Anything else (the other region serves after a failover, both serve mid-failover, none serves)
 * is a stale template: its app-tier capacities follow the same `activeRegion`, so the deploy stops.
 */
export function staleServingVerdict(desiredRegion: string, groups: readonly LiveTraffic[]): ServingVerdict {
  if (groups.length === 0) return { ok: true, reason: 'no endpoint group exists yet' };
  const serving = groups
    .filter((g) => g.trafficDial > 0 && g.weights.some((w) => w > 0))
    .map((g) => g.region)
    .sort();
  if (serving.length === 1 && serving[0] === desiredRegion) return { ok: true, reason: `${desiredRegion} serves, as the template says` };
  const live = serving.length === 0 ? 'no region' : serving.join(' and ');
  return {
    ok: false,
    reason:
      `Refusing to deploy: live traffic goes to ${live}, but this template says ${desiredRegion} serves (its endpoint groups keep their live weights either way). ` +
      `If a failover moved traffic, set the active region (PilotLight activeRegion, or the serving endpoint of GlobalEntryPoint) ` +
      `to the region that serves now and deploy again; to move traffic on purpose, use the failover tooling.`,
  };
}

/** One endpoint of a live group. */
export interface LiveEndpoint {
  readonly id: string;
  readonly weight: number;
  readonly clientIpPreservation?: boolean | undefined;
}

/** What UpdateEndpointGroup is sent to put a new ALB in a group. */
export interface EndpointChange {
  readonly TrafficDialPercentage: number;
  readonly EndpointConfigurations: readonly {
    readonly EndpointId: string;
    readonly Weight: number;
    readonly ClientIPPreservationEnabled: boolean;
  }[];
}

/**
 * How an update puts the template's endpoint into a live group without moving traffic: nothing
 * when the group already has it; otherwise the new endpoint takes the place (and the live weight)
 * of the one it replaces (the previous template's endpoint, or the group's only endpoint), every
 * other endpoint keeps its weight, and the live dial is restated. Both are sent explicitly because
 * UpdateEndpointGroup replaces the whole endpoint list ("you don't need to specify the current
 * endpoints" is the advantage AddEndpoints has over it) and documents defaults for omitted fields
 * (weight 128, dial 100). With nothing to replace, the new endpoint gets weight 0: no traffic.
 * @see https://docs.aws.amazon.com/global-accelerator/latest/api/API_UpdateEndpointGroup.html
 * @see https://docs.aws.amazon.com/global-accelerator/latest/api/API_AddEndpoints.html
 */
export function reconcileEndpoints(
  desiredId: string,
  previousId: string | undefined,
  group: { readonly trafficDial: number; readonly endpoints: readonly LiveEndpoint[] },
): EndpointChange | undefined {
  if (group.endpoints.some((e) => e.id === desiredId)) return undefined;
  const replaced = group.endpoints.find((e) => e.id === previousId) ?? (group.endpoints.length === 1 ? group.endpoints[0] : undefined);
  const kept = group.endpoints
    .filter((e) => e !== replaced)
    .map((e) => ({ EndpointId: e.id, Weight: e.weight, ClientIPPreservationEnabled: e.clientIpPreservation !== false }));
  return {
    TrafficDialPercentage: group.trafficDial,
    EndpointConfigurations: [...kept, { EndpointId: desiredId, Weight: replaced ? replaced.weight : 0, ClientIPPreservationEnabled: true }],
  };
}

/** What an Update request may do. */
export interface UpdateDecision {
  /** Set when the update must fail before changing anything. */
  readonly refusal?: string;
  readonly note: string;
}

/**
 * Whether an Update may go on. A rollback (the stack is `*ROLLBACK_IN_PROGRESS`: CloudFormation
 * sends the previous properties back) never fails, so it cannot wedge the stack in
 * UPDATE_ROLLBACK_FAILED. An unreadable stack status never fails either: the update moves no
 * traffic whatever it is, so succeeding is always safe for users, and failing is only a courtesy
 * that stops a stale forward deploy. A forward update fails when the endpoint regions change
 * (moving the DR region is a new entry point, not an edit) or, with `checkServing`, when the
 * template's serving region is not the live one ({@link staleServingVerdict}).
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/view-stack-events.html#cfn-console-view-stack-data-resources-status-codes
 */
export function updateDecision(input: {
  readonly stackStatus: string | undefined;
  readonly checkServing: boolean;
  readonly desiredServing: string;
  readonly live: readonly LiveTraffic[];
  readonly regionsChanged: boolean;
}): UpdateDecision {
  if (input.stackStatus === undefined)
    return { note: 'stack status unreadable: not checking the serving region; weights and dials stay as they are' };
  if (/ROLLBACK_IN_PROGRESS$/.test(input.stackStatus))
    return { note: `${input.stackStatus}: reconciling endpoints only; weights and dials stay as they are` };
  if (input.regionsChanged)
    return {
      refusal: 'Refusing to change the regions of existing endpoint groups in place: create a new GlobalEntryPoint for other regions.',
      note: 'regions changed',
    };
  if (!input.checkServing) return { note: 'serving-region check off (trafficGuard: false); weights and dials stay as they are' };
  const verdict = staleServingVerdict(input.desiredServing, input.live);
  return verdict.ok ? { note: verdict.reason } : { refusal: verdict.reason, note: 'stale serving region' };
}

/** One resource of the stack as ListStackResources reports it. */
export interface StackResourceSummary {
  readonly LogicalResourceId?: string | undefined;
  readonly PhysicalResourceId?: string | undefined;
  readonly ResourceStatus?: string | undefined;
}

/** Whether a Delete request removes the groups, and whether it may fail the stack. */
export interface DeleteDecision {
  readonly remove: boolean;
  /** True only while the stack itself goes away, where a failure is retried by deleting the stack again. */
  readonly mayFail: boolean;
  readonly reason: string;
}

/**
 * What a Delete does. While the stack is deleted (DELETE_IN_PROGRESS) or a new stack is rolled
 * back (ROLLBACK_IN_PROGRESS), the groups go. Otherwise the Delete is a cleanup after an update
 * or its rollback (the old copy of a replaced resource, or one whose logical id changed), and the
 * groups go only when no other live resource of the stack holds groups on the same listener: a
 * copy under a new logical id adopts the groups on create, and a rollback of this resource's
 * creation restores the CfnEndpointGroups it adopted, so deleting would cut users off. Groups on
 * a replaced listener are deleted even when they carry traffic: that listener is deleted next,
 * and Global Accelerator refuses to delete a listener that still has endpoint groups
 * (AssociatedEndpointGroupFoundException). Without the stack's resources, nothing is deleted.
 * @see https://docs.aws.amazon.com/global-accelerator/latest/api/API_DeleteListener.html
 */
export function deleteDecision(input: {
  readonly stackStatus: string | undefined;
  readonly listenerArn: string;
  readonly logicalId: string;
  readonly resources: readonly StackResourceSummary[] | undefined;
}): DeleteDecision {
  if (input.stackStatus === 'DELETE_IN_PROGRESS' || input.stackStatus === 'ROLLBACK_IN_PROGRESS')
    return { remove: true, mayFail: true, reason: `${input.stackStatus}: deleting the endpoint groups` };
  if (!input.resources)
    return { remove: false, mayFail: false, reason: "the stack's resources are unreadable: leaving the endpoint groups in place" };
  const owner = input.resources.find(
    (r) =>
      r.LogicalResourceId !== input.logicalId &&
      !/^DELETE_/.test(r.ResourceStatus ?? '') &&
      [`${input.listenerArn}#`, `${input.listenerArn}/endpoint-group/`].some((p) => (r.PhysicalResourceId ?? '').startsWith(p)),
  );
  if (owner)
    return {
      remove: false,
      mayFail: false,
      reason: `${owner.LogicalResourceId ?? 'another resource'} holds the endpoint groups of this listener: leaving them in place`,
    };
  return { remove: true, mayFail: false, reason: 'no other resource holds the endpoint groups of this listener: deleting them' };
}

/**
 * The provider Lambda's source (CommonJS, AWS SDK v3 from the Node.js runtime). Create makes each
 * region's group with its first weight and dial (IdempotencyToken from the RequestId, so a retried
 * invocation gets the same group) and adopts a group the listener already has for the region,
 * keeping its weights. Update never writes a live weight or dial ({@link updateDecision},
 * {@link reconcileEndpoints}); a new listener is a replacement (new physical id, CloudFormation
 * deletes the old one). Delete follows {@link deleteDecision}. Data: `EndpointGroupArn.<region>`.
 */
export function endpointGroupsHandlerCode(): string {
  return `const ga = require('@aws-sdk/client-global-accelerator');
const cfn = require('@aws-sdk/client-cloudformation');
${staleServingVerdict.toString()}
${reconcileEndpoints.toString()}
${updateDecision.toString()}
${deleteDecision.toString()}
exports.verdict = staleServingVerdict;
exports.handler = async (event) => {
  const p = event.ResourceProperties;
  const old = event.OldResourceProperties || {};
  const client = new ga.GlobalAcceleratorClient({ region: '${GLOBAL_ACCELERATOR_CONTROL_REGION}' });
  const stacks = new cfn.CloudFormationClient({ region: event.StackId.split(':')[3] });
${sdkCallsCode()}  let physicalId = event.PhysicalResourceId || p.ListenerArn + '#endpoint-groups';
  let status = 'SUCCESS';
  let reason = '';
  const data = {};
  let mayFail = true;
  try {
    if (event.RequestType === 'Delete') {
      const st = await stackStatus();
      let resources;
      if (st !== 'DELETE_IN_PROGRESS' && st !== 'ROLLBACK_IN_PROGRESS') {
        try {
          resources = [];
          let token;
          do {
            const page = await stacks.send(new cfn.ListStackResourcesCommand({ StackName: event.StackId, NextToken: token }));
            resources.push(...(page.StackResourceSummaries || []));
            token = page.NextToken;
          } while (token);
        } catch (e) {
          console.log('ListStackResources: ' + e.message);
          resources = undefined;
        }
      }
      const decision = deleteDecision({ stackStatus: st, listenerArn: p.ListenerArn, logicalId: event.LogicalResourceId, resources });
      mayFail = decision.mayFail;
      reason = decision.reason;
      if (decision.remove) {
        const live = await list(p.ListenerArn).catch((e) => { if (e.name === 'ListenerNotFoundException') return []; throw e; });
        const mine = new Set((p.Endpoints || []).map((e) => e.Region));
        for (const g of live.filter((g) => mine.has(g.region))) {
          console.log(JSON.stringify({ deleting: g }));
          await client.send(new ga.DeleteEndpointGroupCommand({ EndpointGroupArn: g.arn })).catch((e) => { if (e.name !== 'EndpointGroupNotFoundException') throw e; });
        }
      }
    } else if (event.RequestType === 'Create' || old.ListenerArn !== p.ListenerArn) {
      for (const e of p.Endpoints) {
        data['EndpointGroupArn.' + e.Region] = await create(e, true).catch(async (err) => {
          if (err.name !== 'EndpointGroupAlreadyExistsException') throw err;
          const g = (await list(p.ListenerArn)).find((x) => x.region === e.Region);
          console.log(JSON.stringify({ adopting: g }));
          return reconcile(e, g);
        });
      }
      physicalId = p.ListenerArn + '#endpoint-groups';
      reason = 'created or adopted the endpoint groups';
    } else {
      const st = await stackStatus();
      mayFail = st !== undefined && !/ROLLBACK_IN_PROGRESS$/.test(st);
      const live = await list(p.ListenerArn);
      const d = updateDecision({ stackStatus: st, checkServing: p.CheckServingRegion !== 'false', desiredServing: p.ServingRegion, live: traffic(live), regionsChanged: regions(p) !== regions(old) });
      if (d.refusal) throw new Error(d.refusal);
      for (const e of p.Endpoints) {
        const g = live.find((x) => x.region === e.Region);
        data['EndpointGroupArn.' + e.Region] = g ? await reconcile(e, g) : await create(e, false);
      }
      reason = d.note;
    }
  } catch (e) {
    reason = (e && e.message) || String(e);
    status = mayFail ? 'FAILED' : 'SUCCESS';
  }
  console.log(JSON.stringify({ requestType: event.RequestType, status, reason }));
  const body = JSON.stringify({ Status: status, Reason: reason.slice(0, 3000), PhysicalResourceId: physicalId, StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId, Data: data });
  await fetch(event.ResponseURL, { method: 'PUT', headers: { 'content-type': '' }, body });
};
`;
}
