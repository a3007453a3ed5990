import { CloudFormationClient, DescribeStacksCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import {
  CreateEndpointGroupCommand,
  DeleteEndpointGroupCommand,
  GlobalAcceleratorClient,
  ListEndpointGroupsCommand,
  UpdateEndpointGroupCommand,
} from '@aws-sdk/client-global-accelerator';
import { parseConfig, referenceConfig } from '@dr/failover-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeAws, startFakeAwsServer, type FakeAwsServer } from '../src/index.js';

// Real SDK clients over HTTP: the JSON (Global Accelerator) and query (CloudFormation) protocols are under test too.
const LISTENER = 'arn:aws:globalaccelerator::123456789012:accelerator/new/listener/l1';
const ALB = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/primary/1';
const STACK_ID = 'arn:aws:cloudformation:us-west-2:123456789012:stack/Global/1';

let fake: FakeAws;
let server: FakeAwsServer;
beforeEach(async () => {
  fake = new FakeAws(parseConfig(referenceConfig), 'steady', { mockSdk: false });
  server = await startFakeAwsServer(fake);
});
afterEach(async () => server.stop());

const options = () => ({
  region: 'us-west-2',
  endpoint: server.endpoint,
  credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' },
  maxAttempts: 1,
});
const create = (token: string, region = 'eu-west-1') =>
  new GlobalAcceleratorClient(options()).send(
    new CreateEndpointGroupCommand({
      ListenerArn: LISTENER,
      EndpointGroupRegion: region,
      TrafficDialPercentage: 0,
      EndpointConfigurations: [{ EndpointId: ALB, Weight: 0, ClientIPPreservationEnabled: true }],
      IdempotencyToken: token,
    }),
  );

describe('FakeAws endpoint group lifecycle over HTTP', () => {
  it('creates a group on the listener, lists it with its weights, and deletes it', async () => {
    const ga = new GlobalAcceleratorClient(options());

    const created = await create('t1');
    const listed = await ga.send(new ListEndpointGroupsCommand({ ListenerArn: LISTENER }));
    await ga.send(new DeleteEndpointGroupCommand({ EndpointGroupArn: created.EndpointGroup?.EndpointGroupArn }));

    expect(created.EndpointGroup?.EndpointGroupArn).toMatch(new RegExp(`^${LISTENER}/endpoint-group/[0-9a-f]+$`));
    expect(listed.EndpointGroups).toEqual([
      expect.objectContaining({
        EndpointGroupRegion: 'eu-west-1',
        TrafficDialPercentage: 0,
        EndpointDescriptions: [expect.objectContaining({ EndpointId: ALB, Weight: 0, ClientIPPreservationEnabled: true })],
      }),
    ]);
    expect((await ga.send(new ListEndpointGroupsCommand({ ListenerArn: LISTENER }))).EndpointGroups).toEqual([]);
    expect(fake.calls).toMatchObject({ createEndpointGroup: 1, deleteEndpointGroup: 1 });
  });

  it('answers a repeated IdempotencyToken with the same group, and refuses a second group in the region', async () => {
    const first = await create('t1');

    const again = await create('t1');

    expect(again.EndpointGroup?.EndpointGroupArn).toBe(first.EndpointGroup?.EndpointGroupArn);
    await expect(create('t2')).rejects.toMatchObject({ name: 'EndpointGroupAlreadyExistsException' });
    expect(fake.calls.createEndpointGroup).toBe(1);
  });

  it("lists only the listener's groups: the seeded groups are on the reference listener", async () => {
    const ga = new GlobalAcceleratorClient(options());
    await create('t1');

    const reference = await ga.send(
      new ListEndpointGroupsCommand({ ListenerArn: referenceConfig.primary.endpointGroupArn.split('/endpoint-group/')[0] }),
    );

    expect(reference.EndpointGroups?.map((g) => [g.EndpointGroupRegion, g.TrafficDialPercentage]).sort()).toEqual([
      ['eu-west-1', 100],
      ['us-east-1', 0],
    ]);
  });

  it('replaces the endpoint list on UpdateEndpointGroup, an omitted weight being 128', async () => {
    const ga = new GlobalAcceleratorClient(options());
    const arn = (await create('t1')).EndpointGroup?.EndpointGroupArn;

    await ga.send(new UpdateEndpointGroupCommand({ EndpointGroupArn: arn, EndpointConfigurations: [{ EndpointId: 'other-alb' }] }));

    expect(fake.groups.get(arn ?? '')?.endpoints).toEqual([{ id: 'other-alb', weight: 128, clientIp: undefined }]);
  });

  it('refuses to delete a group that does not exist', async () => {
    await expect(
      new GlobalAcceleratorClient(options()).send(new DeleteEndpointGroupCommand({ EndpointGroupArn: `${LISTENER}/endpoint-group/none` })),
    ).rejects.toMatchObject({ name: 'EndpointGroupNotFoundException' });
  });
});

describe('FakeAws CloudFormation reads over HTTP', () => {
  it('describes a stack by id and lists its resources', async () => {
    fake.stacks.set(STACK_ID, {
      name: 'Global',
      status: 'UPDATE_ROLLBACK_IN_PROGRESS',
      resources: [
        {
          LogicalResourceId: 'Groups',
          PhysicalResourceId: `${LISTENER}#endpoint-groups`,
          ResourceType: 'Custom::EndpointGroups',
          ResourceStatus: 'UPDATE_COMPLETE',
        },
      ],
    });
    const cfn = new CloudFormationClient(options());

    const described = await cfn.send(new DescribeStacksCommand({ StackName: STACK_ID }));
    const byName = await cfn.send(new DescribeStacksCommand({ StackName: 'Global' }));
    const resources = await cfn.send(new ListStackResourcesCommand({ StackName: STACK_ID }));

    expect(described.Stacks).toEqual([
      expect.objectContaining({ StackId: STACK_ID, StackName: 'Global', StackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS' }),
    ]);
    expect(byName.Stacks?.[0]?.StackId).toBe(STACK_ID);
    expect(resources.StackResourceSummaries).toEqual([
      expect.objectContaining({
        LogicalResourceId: 'Groups',
        PhysicalResourceId: `${LISTENER}#endpoint-groups`,
        ResourceStatus: 'UPDATE_COMPLETE',
      }),
    ]);
  });

  it('answers an unknown stack with a ValidationError', async () => {
    await expect(new CloudFormationClient(options()).send(new DescribeStacksCommand({ StackName: 'nope' }))).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'Stack with id nope does not exist',
    });
  });
});
