import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { GlobalAcceleratorClient, UpdateEndpointGroupCommand } from '@aws-sdk/client-global-accelerator';
import { FakeAws, startFakeAwsServer, type FakeAwsServer } from '@dr/aws-fakes';
import { parseConfig, referenceConfig } from '@dr/failover-core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  deleteDecision,
  endpointGroupsHandlerCode,
  reconcileEndpoints,
  staleServingVerdict,
  updateDecision,
  type LiveTraffic,
} from '../../src/private/endpoint-groups.js';

const traffic = (region: string, trafficDial: number, weight: number): LiveTraffic => ({ region, trafficDial, weights: [weight] });

describe('staleServingVerdict', () => {
  it("passes when no group exists yet, or when the template's region is the one serving", () => {
    expect(staleServingVerdict('eu-west-1', []).ok).toBe(true);
    expect(staleServingVerdict('eu-west-1', [traffic('eu-west-1', 100, 128), traffic('us-east-1', 0, 0)]).ok).toBe(true);
  });

  it('refuses a template that still names the primary after a failover, naming both regions and activeRegion', () => {
    const verdict = staleServingVerdict('eu-west-1', [traffic('eu-west-1', 0, 0), traffic('us-east-1', 100, 128)]);

    expect(verdict.ok).toBe(false);
    expect(verdict.reason).toMatch(/live traffic goes to us-east-1, but this template says eu-west-1 serves/);
    expect(verdict.reason).toMatch(/activeRegion/);
  });

  it('refuses while traffic is split mid-failover, or when no region serves', () => {
    expect(staleServingVerdict('eu-west-1', [traffic('eu-west-1', 100, 128), traffic('us-east-1', 100, 128)]).reason).toMatch(
      /goes to eu-west-1 and us-east-1/,
    );
    expect(staleServingVerdict('eu-west-1', [traffic('eu-west-1', 100, 0), traffic('us-east-1', 0, 128)]).reason).toMatch(
      /goes to no region/,
    );
  });
});

describe('reconcileEndpoints', () => {
  it("changes nothing when the group already has the template's endpoint", () => {
    expect(reconcileEndpoints('alb-2', 'alb-1', { trafficDial: 100, endpoints: [{ id: 'alb-2', weight: 128 }] })).toBeUndefined();
  });

  it('gives the new ALB the live weight of the one it replaces and restates the live dial', () => {
    expect(
      reconcileEndpoints('alb-2', 'alb-1', {
        trafficDial: 37,
        endpoints: [
          { id: 'other', weight: 5, clientIpPreservation: false },
          { id: 'alb-1', weight: 200 },
        ],
      }),
    ).toEqual({
      TrafficDialPercentage: 37,
      EndpointConfigurations: [
        { EndpointId: 'other', Weight: 5, ClientIPPreservationEnabled: false },
        { EndpointId: 'alb-2', Weight: 200, ClientIPPreservationEnabled: true },
      ],
    });
  });

  it('replaces the only endpoint when the previous one is unknown, and adds at weight 0 when nothing can be replaced', () => {
    expect(
      reconcileEndpoints('alb-2', undefined, { trafficDial: 0, endpoints: [{ id: 'alb-x', weight: 0 }] })?.EndpointConfigurations,
    ).toEqual([{ EndpointId: 'alb-2', Weight: 0, ClientIPPreservationEnabled: true }]);
    expect(reconcileEndpoints('alb-2', undefined, { trafficDial: 100, endpoints: [] })?.EndpointConfigurations).toEqual([
      { EndpointId: 'alb-2', Weight: 0, ClientIPPreservationEnabled: true },
    ]);
  });
});

describe('updateDecision', () => {
  const failedOver = [traffic('eu-west-1', 0, 0), traffic('us-east-1', 100, 128)];
  const base = { checkServing: true, desiredServing: 'eu-west-1', live: failedOver, regionsChanged: false };

  it('refuses a stale forward update, and a forward change of regions', () => {
    expect(updateDecision({ ...base, stackStatus: 'UPDATE_IN_PROGRESS' }).refusal).toMatch(/live traffic goes to us-east-1/);
    expect(
      updateDecision({ ...base, desiredServing: 'us-east-1', regionsChanged: true, stackStatus: 'UPDATE_IN_PROGRESS' }).refusal,
    ).toMatch(/regions of existing endpoint groups/);
  });

  it('never refuses during a rollback, with an unreadable stack status, or with the check off', () => {
    for (const stackStatus of ['UPDATE_ROLLBACK_IN_PROGRESS', 'IMPORT_ROLLBACK_IN_PROGRESS', undefined])
      expect(updateDecision({ ...base, regionsChanged: true, stackStatus }).refusal).toBeUndefined();
    expect(updateDecision({ ...base, checkServing: false, stackStatus: 'UPDATE_IN_PROGRESS' }).refusal).toBeUndefined();
  });
});

describe('deleteDecision', () => {
  const listenerArn = 'arn:aws:globalaccelerator::123456789012:accelerator/a/listener/l';
  const resources = [
    { LogicalResourceId: 'Old', PhysicalResourceId: `${listenerArn}#endpoint-groups`, ResourceStatus: 'DELETE_IN_PROGRESS' },
    { LogicalResourceId: 'Listener', PhysicalResourceId: listenerArn, ResourceStatus: 'UPDATE_COMPLETE' },
  ];

  it('deletes while the stack goes away, and may fail then', () => {
    expect(deleteDecision({ stackStatus: 'DELETE_IN_PROGRESS', listenerArn, logicalId: 'Old', resources: undefined })).toMatchObject({
      remove: true,
      mayFail: true,
    });
    expect(deleteDecision({ stackStatus: 'ROLLBACK_IN_PROGRESS', listenerArn, logicalId: 'Old', resources: undefined })).toMatchObject({
      remove: true,
      mayFail: true,
    });
  });

  it('deletes in a cleanup only when no other live resource holds groups on the listener, and never fails there', () => {
    expect(deleteDecision({ stackStatus: 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', listenerArn, logicalId: 'Old', resources })).toMatchObject({
      remove: true,
      mayFail: false,
    });
    expect(
      deleteDecision({
        stackStatus: 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
        listenerArn,
        logicalId: 'Old',
        resources: [
          ...resources,
          { LogicalResourceId: 'New', PhysicalResourceId: `${listenerArn}#endpoint-groups`, ResourceStatus: 'CREATE_COMPLETE' },
        ],
      }),
    ).toMatchObject({ remove: false, reason: expect.stringMatching(/^New holds/) });
    expect(
      deleteDecision({
        stackStatus: 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
        listenerArn,
        logicalId: 'Old',
        resources: [
          { LogicalResourceId: 'GroupEu', PhysicalResourceId: `${listenerArn}/endpoint-group/1`, ResourceStatus: 'UPDATE_COMPLETE' },
        ],
      }).remove,
    ).toBe(false);
    expect(deleteDecision({ stackStatus: undefined, listenerArn, logicalId: 'Old', resources: undefined })).toMatchObject({
      remove: false,
      mayFail: false,
    });
  });
});

// --- the deployed handler code, run against Global Accelerator and CloudFormation fakes over HTTP ---

const STACK_ID = 'arn:aws:cloudformation:us-west-2:123456789012:stack/Lamp-Global/0f0e';
const LISTENER = 'arn:aws:globalaccelerator::123456789012:accelerator/acc/listener/lis';
const EU_ALB = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/primary/1';
const US_ALB = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/secondary/2';
const US_ALB_2 = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/secondary/3';

interface Props {
  ListenerArn: string;
  ServingRegion: string;
  Endpoints: { Region: string; EndpointId: string }[];
  CheckServingRegion: 'true' | 'false';
}
const props = (serving: string, options: { usAlb?: string; listener?: string; check?: boolean } = {}): Props => ({
  ListenerArn: options.listener ?? LISTENER,
  ServingRegion: serving,
  Endpoints: [
    { Region: 'eu-west-1', EndpointId: EU_ALB },
    { Region: 'us-east-1', EndpointId: options.usAlb ?? US_ALB },
  ],
  CheckServingRegion: options.check === false ? 'false' : 'true',
});

interface Answer {
  Status: 'SUCCESS' | 'FAILED';
  Reason: string;
  PhysicalResourceId: string;
  RequestId: string;
  Data: Record<string, string>;
}

let fake: FakeAws;
let aws: FakeAwsServer;
let cfnResponses: Server;
let answers: Answer[];
let handler: (event: unknown) => Promise<void>;
const savedEnv = { ...process.env };

beforeEach(async () => {
  fake = new FakeAws(parseConfig(referenceConfig), 'steady', { mockSdk: false });
  aws = await startFakeAwsServer(fake);
  answers = [];
  // CloudFormation's pre-signed response URL: the handler PUTs its answer there.
  cfnResponses = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      answers.push(JSON.parse(body) as Answer);
      res.end();
    });
  });
  await new Promise<void>((resolve) => cfnResponses.listen(0, '127.0.0.1', resolve));
  Object.assign(process.env, aws.env, { AWS_MAX_ATTEMPTS: '1' });
  // The exact string deployed as the Lambda's index.js, loaded as CommonJS the way Node loads it,
  // with the workspace's copies of the SDK v3 packages the Node.js runtime provides.
  const module = { exports: {} as { handler: typeof handler } };
  const load = new Function('require', 'exports', 'module', endpointGroupsHandlerCode()) as (
    r: NodeJS.Require,
    e: object,
    m: object,
  ) => void;
  load(createRequire(import.meta.url), module.exports, module);
  handler = module.exports.handler;
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
});

afterEach(async () => {
  vi.restoreAllMocks();
  process.env = { ...savedEnv };
  await aws.stop();
  await new Promise<void>((resolve) => cfnResponses.close(() => resolve()));
});

/** The stack's status and resources as CloudFormation would report them during the request. */
function stackIs(
  status: string,
  resources: { LogicalResourceId: string; PhysicalResourceId?: string; ResourceType: string; ResourceStatus: string }[] = [],
) {
  fake.stacks.set(STACK_ID, { name: 'Lamp-Global', status, resources });
}

async function request(
  requestType: 'Create' | 'Update' | 'Delete',
  resourceProperties: Props,
  extra: { old?: Props; physicalId?: string; requestId?: string; logicalId?: string } = {},
): Promise<Answer> {
  const before = answers.length;
  await handler({
    RequestType: requestType,
    ResponseURL: `http://127.0.0.1:${(cfnResponses.address() as AddressInfo).port}/response`,
    StackId: STACK_ID,
    RequestId: extra.requestId ?? randomUUID(),
    LogicalResourceId: extra.logicalId ?? 'EntryEndpointGroups',
    ResourceType: 'Custom::EndpointGroups',
    PhysicalResourceId: extra.physicalId,
    ResourceProperties: resourceProperties,
    OldResourceProperties: extra.old,
  });
  expect(answers).toHaveLength(before + 1);
  return answers.at(-1)!;
}

/** The listener's groups as they are: region → dial and endpoints. */
function live(listener = LISTENER) {
  const groups = [...fake.groups.entries()].filter(([arn]) => arn.startsWith(`${listener}/endpoint-group/`));
  return Object.fromEntries(groups.map(([, g]) => [g.region, { dial: g.dial, endpoints: g.endpoints.map((e) => [e.id, e.weight]) }]));
}

/** What the failover engine does: move traffic with UpdateEndpointGroup, outside CloudFormation. */
async function engineFailsOverTo(region: string) {
  const client = new GlobalAcceleratorClient({ region: 'us-west-2' });
  for (const [arn, g] of fake.groups) {
    if (!arn.startsWith(LISTENER)) continue;
    const serves = g.region === region;
    await client.send(
      new UpdateEndpointGroupCommand({
        EndpointGroupArn: arn,
        TrafficDialPercentage: serves ? 100 : 0,
        EndpointConfigurations: g.endpoints.map((e) => ({ EndpointId: e.id, Weight: serves ? 128 : 0, ClientIPPreservationEnabled: true })),
      }),
    );
  }
}

const STEADY = { 'eu-west-1': { dial: 100, endpoints: [[EU_ALB, 128]] }, 'us-east-1': { dial: 0, endpoints: [[US_ALB, 0]] } };
const FAILED_OVER = { 'eu-west-1': { dial: 0, endpoints: [[EU_ALB, 0]] }, 'us-east-1': { dial: 100, endpoints: [[US_ALB, 128]] } };
const PHYSICAL_ID = `${LISTENER}#endpoint-groups`;
const writes = () => aws.calls.filter((c) => /:(Create|Update|Delete)EndpointGroup$/.test(c));

describe('the deployed endpoint groups handler', () => {
  it('creates both groups on first deploy: the serving one open, the pilot light at weight 0 and dial 0, client IPs preserved', async () => {
    stackIs('CREATE_IN_PROGRESS');

    const answer = await request('Create', props('eu-west-1'));

    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: PHYSICAL_ID });
    expect(live()).toEqual(STEADY);
    expect([...fake.groups.values()].flatMap((g) => g.endpoints.map((e) => e.clientIp))).not.toContain(false);
    expect(Object.keys(answer.Data).sort()).toEqual(['EndpointGroupArn.eu-west-1', 'EndpointGroupArn.us-east-1']);
    expect(answer.Data['EndpointGroupArn.us-east-1']).toMatch(new RegExp(`^${LISTENER}/endpoint-group/`));
  });

  it('answers a retried create with the same groups (idempotency token), and adopts a group the listener already has without touching its weights', async () => {
    stackIs('CREATE_IN_PROGRESS');
    const first = await request('Create', props('eu-west-1'), { requestId: 'req-1' });
    const retried = await request('Create', props('eu-west-1'), { requestId: 'req-1' });
    await engineFailsOverTo('us-east-1');

    const adopted = await request('Create', props('eu-west-1'), { requestId: 'req-2', logicalId: 'RenamedGroups' });

    expect(retried.Data).toEqual(first.Data);
    expect(adopted).toMatchObject({ Status: 'SUCCESS', Data: first.Data });
    expect(live()).toEqual(FAILED_OVER);
    expect(fake.calls.createEndpointGroup).toBe(2);
  });

  it('changes no weight on a forward update whose serving region is the live one', async () => {
    stackIs('CREATE_IN_PROGRESS');
    await request('Create', props('eu-west-1', { check: false }));
    stackIs('UPDATE_IN_PROGRESS');
    const before = writes().length;

    const answer = await request('Update', props('eu-west-1'), { old: props('eu-west-1', { check: false }), physicalId: PHYSICAL_ID });

    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: PHYSICAL_ID, Reason: 'eu-west-1 serves, as the template says' });
    expect(writes()).toHaveLength(before);
    expect(live()).toEqual(STEADY);
  });

  it('fails a forward update whose template still says the primary serves after a failover, before changing anything', async () => {
    stackIs('CREATE_IN_PROGRESS');
    await request('Create', props('eu-west-1'));
    await engineFailsOverTo('us-east-1');
    stackIs('UPDATE_IN_PROGRESS');
    const before = writes().length;

    const answer = await request('Update', props('eu-west-1', { usAlb: US_ALB_2 }), { old: props('eu-west-1'), physicalId: PHYSICAL_ID });

    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(/live traffic goes to us-east-1, but this template says eu-west-1 serves.*activeRegion/);
    expect(answer.PhysicalResourceId).toBe(PHYSICAL_ID);
    expect(writes()).toHaveLength(before);
    expect(live()).toEqual(FAILED_OVER);
  });

  it('succeeds in a rollback that sends back stale properties, changing nothing', async () => {
    stackIs('CREATE_IN_PROGRESS');
    await request('Create', props('eu-west-1'));
    await engineFailsOverTo('us-east-1');
    stackIs('UPDATE_ROLLBACK_IN_PROGRESS');
    const before = writes().length;

    const answer = await request('Update', props('eu-west-1'), { old: props('us-east-1'), physicalId: PHYSICAL_ID });

    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: PHYSICAL_ID });
    expect(writes()).toHaveLength(before);
    expect(live()).toEqual(FAILED_OVER);
  });

  it('succeeds in a rollback even when Global Accelerator does not answer, so the stack cannot wedge', async () => {
    stackIs('CREATE_IN_PROGRESS');
    await request('Create', props('eu-west-1'));
    stackIs('UPDATE_ROLLBACK_IN_PROGRESS');
    fake.loseResponses.set('ListEndpointGroups', 1);

    const answer = await request('Update', props('eu-west-1'), { old: props('eu-west-1', { usAlb: US_ALB_2 }), physicalId: PHYSICAL_ID });

    expect(answer.Status).toBe('SUCCESS');
    expect(answer.Reason).toMatch(/socket hang up|ECONNRESET/);
  });

  it('does not fail a stale update when the stack status cannot be read, and moves nothing', async () => {
    stackIs('CREATE_IN_PROGRESS');
    await request('Create', props('eu-west-1'));
    await engineFailsOverTo('us-east-1');
    fake.stacks.clear();

    const answer = await request('Update', props('eu-west-1', { usAlb: US_ALB_2 }), { old: props('eu-west-1'), physicalId: PHYSICAL_ID });

    expect(answer).toMatchObject({ Status: 'SUCCESS', Reason: expect.stringMatching(/stack status unreadable/) });
    expect(live()['us-east-1']).toEqual({ dial: 100, endpoints: [[US_ALB_2, 128]] });
    expect(live()['eu-west-1']).toEqual(FAILED_OVER['eu-west-1']);
  });

  it('keeps the live weight and dial when an ALB is replaced, in the serving region and in the pilot light', async () => {
    stackIs('CREATE_IN_PROGRESS');
    await request('Create', props('eu-west-1'));
    stackIs('UPDATE_IN_PROGRESS');

    const pilotLight = await request('Update', props('eu-west-1', { usAlb: US_ALB_2 }), {
      old: props('eu-west-1'),
      physicalId: PHYSICAL_ID,
    });
    const afterPilotLight = live();
    await engineFailsOverTo('us-east-1');
    const serving = await request('Update', props('us-east-1'), { old: props('us-east-1', { usAlb: US_ALB_2 }), physicalId: PHYSICAL_ID });

    expect([pilotLight.Status, serving.Status]).toEqual(['SUCCESS', 'SUCCESS']);
    expect(afterPilotLight).toEqual({ ...STEADY, 'us-east-1': { dial: 0, endpoints: [[US_ALB_2, 0]] } });
    expect(live()).toEqual(FAILED_OVER);
  });

  it('leaves the trafficGuard: false template unchecked, still moving no traffic', async () => {
    stackIs('CREATE_IN_PROGRESS');
    await request('Create', props('eu-west-1'));
    await engineFailsOverTo('us-east-1');
    stackIs('UPDATE_IN_PROGRESS');

    const answer = await request('Update', props('eu-west-1', { check: false }), { old: props('eu-west-1'), physicalId: PHYSICAL_ID });

    expect(answer.Status).toBe('SUCCESS');
    expect(live()).toEqual(FAILED_OVER);
  });

  it('refuses to move the groups to other regions in a forward update', async () => {
    stackIs('CREATE_IN_PROGRESS');
    await request('Create', props('eu-west-1'));
    stackIs('UPDATE_IN_PROGRESS');
    const moved = {
      ...props('eu-west-1'),
      Endpoints: [
        { Region: 'eu-west-1', EndpointId: EU_ALB },
        { Region: 'us-west-2', EndpointId: US_ALB },
      ],
    };

    const answer = await request('Update', moved, { old: props('eu-west-1'), physicalId: PHYSICAL_ID });

    expect(answer).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/regions of existing endpoint groups/) });
    expect(live()).toEqual(STEADY);
  });

  it("creates the groups on a new listener as a replacement, and the cleanup deletes the old listener's groups even with traffic", async () => {
    const newListener = 'arn:aws:globalaccelerator::123456789012:accelerator/acc2/listener/lis2';
    stackIs('CREATE_IN_PROGRESS');
    await request('Create', props('eu-west-1'));
    stackIs('UPDATE_IN_PROGRESS');

    const replaced = await request('Update', props('eu-west-1', { listener: newListener }), {
      old: props('eu-west-1'),
      physicalId: PHYSICAL_ID,
    });
    stackIs('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', [
      {
        LogicalResourceId: 'EntryEndpointGroups',
        PhysicalResourceId: `${newListener}#endpoint-groups`,
        ResourceType: 'Custom::EndpointGroups',
        ResourceStatus: 'UPDATE_COMPLETE',
      },
    ]);
    const cleanup = await request('Delete', props('eu-west-1'), { physicalId: PHYSICAL_ID });

    expect(replaced).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `${newListener}#endpoint-groups` });
    expect(live(newListener)).toEqual(STEADY);
    expect(cleanup.Status).toBe('SUCCESS');
    expect(live()).toEqual({});
  });

  it('keeps the groups when another resource of the stack holds them (a renamed resource, or the CfnEndpointGroups a rollback restores)', async () => {
    stackIs('CREATE_IN_PROGRESS');
    await request('Create', props('eu-west-1'));
    stackIs('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', [
      {
        LogicalResourceId: 'EntryEndpointGroups',
        PhysicalResourceId: PHYSICAL_ID,
        ResourceType: 'Custom::EndpointGroups',
        ResourceStatus: 'DELETE_IN_PROGRESS',
      },
      {
        LogicalResourceId: 'RenamedGroups',
        PhysicalResourceId: PHYSICAL_ID,
        ResourceType: 'Custom::EndpointGroups',
        ResourceStatus: 'CREATE_COMPLETE',
      },
    ]);

    const answer = await request('Delete', props('eu-west-1'), { physicalId: PHYSICAL_ID });

    expect(answer).toMatchObject({ Status: 'SUCCESS', Reason: expect.stringMatching(/RenamedGroups holds/) });
    expect(live()).toEqual(STEADY);
  });

  it('deletes the groups with the stack, and treats groups already gone as deleted', async () => {
    stackIs('CREATE_IN_PROGRESS');
    await request('Create', props('eu-west-1'));
    await engineFailsOverTo('us-east-1');
    stackIs('DELETE_IN_PROGRESS');

    const deleted = await request('Delete', props('eu-west-1'), { physicalId: PHYSICAL_ID });
    const again = await request('Delete', props('eu-west-1'), { physicalId: PHYSICAL_ID });

    expect([deleted.Status, again.Status]).toEqual(['SUCCESS', 'SUCCESS']);
    expect(live()).toEqual({});
    expect(fake.calls.deleteEndpointGroup).toBe(2);
    expect(live(referenceConfig.primary.endpointGroupArn.split('/endpoint-group/')[0])).not.toEqual({});
  });

  it('lives through a failover and the redeploys after it without ever moving users', async () => {
    // Deploy 1 creates the entry point; the engine fails over outside CloudFormation.
    stackIs('CREATE_IN_PROGRESS');
    await request('Create', props('eu-west-1'));
    await engineFailsOverTo('us-east-1');

    // Deploy 2 forgets activeRegion (and brings a new DR ALB): it stops before changing anything.
    stackIs('UPDATE_IN_PROGRESS');
    const stale = await request('Update', props('eu-west-1', { usAlb: US_ALB_2 }), { old: props('eu-west-1'), physicalId: PHYSICAL_ID });
    expect(stale.Status).toBe('FAILED');
    expect(live()).toEqual(FAILED_OVER);
    // CloudFormation rolls deploy 2 back, sending the old properties to the resource that failed.
    stackIs('UPDATE_ROLLBACK_IN_PROGRESS');
    expect(
      (await request('Update', props('eu-west-1'), { old: props('eu-west-1', { usAlb: US_ALB_2 }), physicalId: PHYSICAL_ID })).Status,
    ).toBe('SUCCESS');
    expect(live()).toEqual(FAILED_OVER);

    // Deploy 3 says us-east-1 serves: it passes, swaps the ALB in place, and moves nobody.
    stackIs('UPDATE_IN_PROGRESS');
    const current = await request('Update', props('us-east-1', { usAlb: US_ALB_2 }), { old: props('eu-west-1'), physicalId: PHYSICAL_ID });
    expect(current.Status).toBe('SUCCESS');
    const afterDeploy3 = { ...FAILED_OVER, 'us-east-1': { dial: 100, endpoints: [[US_ALB_2, 128]] } };
    expect(live()).toEqual(afterDeploy3);

    // A later resource of deploy 3 fails: the rollback sends deploy 2's stale properties back.
    stackIs('UPDATE_ROLLBACK_IN_PROGRESS');
    const rollback = await request('Update', props('eu-west-1'), { old: props('us-east-1', { usAlb: US_ALB_2 }), physicalId: PHYSICAL_ID });

    // Users stay on us-east-1: the rollback restored the old ALB id with the live weight, not the old weights.
    expect(rollback.Status).toBe('SUCCESS');
    expect(live()).toEqual(FAILED_OVER);
  });
});
