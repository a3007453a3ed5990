import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { trafficGuardHandlerCode, trafficGuardVerdict, type LiveEndpointGroup } from '../../src/private/traffic-guard.js';

const group = (region: string, trafficDial: number, weight: number): LiveEndpointGroup => ({ region, trafficDial, weights: [weight] });

describe('trafficGuardVerdict', () => {
  it('lets the first deploy through: no group exists yet', () => {
    expect(trafficGuardVerdict('eu-west-1', []).ok).toBe(true);
  });

  it('lets a deploy through when the region serving now is the one the template wants', () => {
    expect(trafficGuardVerdict('eu-west-1', [group('eu-west-1', 100, 128), group('us-east-1', 0, 0)]).ok).toBe(true);
  });

  it('refuses a deploy that would send users back to the primary after a failover, naming both regions', () => {
    const verdict = trafficGuardVerdict('eu-west-1', [group('eu-west-1', 0, 0), group('us-east-1', 100, 128)]);

    expect(verdict.ok).toBe(false);
    expect(verdict.reason).toMatch(/live traffic goes to us-east-1, but this template sends it to eu-west-1 only/);
    expect(verdict.reason).toMatch(/activeRegion/);
  });

  it('refuses while traffic is split mid-failover, or when no region serves', () => {
    expect(trafficGuardVerdict('eu-west-1', [group('eu-west-1', 100, 128), group('us-east-1', 100, 128)]).reason).toMatch(/goes to eu-west-1 and us-east-1/);
    expect(trafficGuardVerdict('eu-west-1', [group('eu-west-1', 100, 0), group('us-east-1', 0, 128)]).reason).toMatch(/goes to no region/);
  });
});

/** Runs the inlined handler with a fake SDK and a fake CloudFormation response URL. */
async function runHandler(requestType: string, live: unknown[]) {
  const sent: { url: string; body: Record<string, string> }[] = [];
  const calls: unknown[] = [];
  const sdk = {
    GlobalAcceleratorClient: class {
      send(command: { input: unknown }) {
        calls.push(command.input);
        return Promise.resolve({ EndpointGroups: live });
      }
    },
    ListEndpointGroupsCommand: class {
      constructor(readonly input: unknown) {}
    },
  };
  const module = { exports: {} as { handler?: (e: unknown) => Promise<void> } };
  runInNewContext(trafficGuardHandlerCode(), {
    require: (name: string) => (name === '@aws-sdk/client-global-accelerator' ? sdk : undefined),
    exports: module.exports,
    module,
    console: { log: () => undefined },
    fetch: (url: string, init: { body: string }) => {
      sent.push({ url, body: JSON.parse(init.body) as Record<string, string> });
      return Promise.resolve({ ok: true });
    },
  });
  await module.exports.handler?.({ RequestType: requestType, ResponseURL: 'https://cfn.example/response', StackId: 's', RequestId: 'r', LogicalResourceId: 'Guard', ResourceProperties: { ListenerArn: 'arn:listener', ServingRegion: 'eu-west-1' } });
  return { sent, calls };
}

describe('the inlined guard handler', () => {
  it('fails the deploy with the verdict\'s reason when the DR region serves', async () => {
    const { sent, calls } = await runHandler('Update', [
      { EndpointGroupRegion: 'eu-west-1', TrafficDialPercentage: 0, EndpointDescriptions: [{ Weight: 0 }] },
      { EndpointGroupRegion: 'us-east-1', TrafficDialPercentage: 100, EndpointDescriptions: [{ Weight: 128 }] },
    ]);

    expect(calls).toEqual([{ ListenerArn: 'arn:listener', NextToken: undefined }]);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'Guard', RequestId: 'r' });
    expect(sent[0]?.body.Reason).toMatch(/live traffic goes to us-east-1/);
  });

  it('succeeds when the template\'s region serves, and on delete without reading anything', async () => {
    const ok = await runHandler('Update', [{ EndpointGroupRegion: 'eu-west-1', EndpointDescriptions: [{}] }]);
    const deleted = await runHandler('Delete', []);

    expect(ok.sent[0]?.body.Status).toBe('SUCCESS');
    expect(deleted.sent[0]?.body.Status).toBe('SUCCESS');
    expect(deleted.calls).toEqual([]);
  });

  it('fits CloudFormation\'s 4 KB limit on inline code', () => {
    expect(trafficGuardHandlerCode().length).toBeLessThan(4096);
  });
});
