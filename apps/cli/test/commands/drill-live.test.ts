import { createAwsPorts } from '@dr/aws-adapters';
import { HealthEndpoint } from '@dr/aws-fakes';
import { supervise } from '@dr/failover-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AwsWorld } from '../aws-world.js';
import { expectValidDocument } from '../json-schema.js';

describe('dr drill --live (a game day on a deployed stack, here the stateful fakes)', () => {
  let world: AwsWorld;
  let client: HealthEndpoint;
  let stopped = false;
  let controller: Promise<void> = Promise.resolve();
  beforeEach(async () => {
    world = await AwsWorld.start({ config: { detection: { intervalSeconds: 5, probeTimeoutSeconds: 2, failureThreshold: 2, quorum: 2 } } });
    client = await HealthEndpoint.start();
    stopped = false;
  });
  afterEach(async () => {
    stopped = true;
    await controller;
    await client.stop();
    await world.stop();
  });

  /** What users see through the accelerator, and the primary's health path, follow the fake's state. */
  function followTheWorld(): NodeJS.Timeout {
    const healthy = (region: string) => (world.fake.asgs.get(region)?.instances ?? []).some((i) => i.describesLeft <= 0);
    return setInterval(() => {
      const serving = world.fake.servingRegion();
      client.mode = serving !== undefined && healthy(serving) ? 'up' : 'down';
      world.health.mode = (world.fake.asgs.get('eu-west-1')?.desired ?? 0) > 0 ? 'up' : 'down';
    }, 100);
  }

  /** The controller Lambda, played in this process on the same fakes: one invocation after another. */
  function runController(): Promise<void> {
    const endpoint = world.server.endpoint;
    const ports = createAwsPorts(world.config, {
      credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' },
      // Lambda too: the DR health path is checked through the reader in the DR VPC (config healthCheckVia).
      endpoints: {
        rds: endpoint,
        autoScaling: endpoint,
        elasticLoadBalancingV2: endpoint,
        cloudWatch: endpoint,
        globalAccelerator: endpoint,
        sns: endpoint,
        lambda: endpoint,
        dynamoDb: world.dynamo.endpoint,
      },
    });
    return (async () => {
      for (let i = 0; !stopped; i++) {
        await supervise({
          ports,
          config: world.config,
          owner: `lambda:test-${i}`,
          probeUntil: Date.now() + 6_000,
          deadline: Date.now() + 30_000,
          runId: () => `failover-test-${i}`,
        });
      }
    })();
  }

  it('scales the primary to zero, watches the failover, measures the outage as a client, and restores', { timeout: 240_000 }, async () => {
    const follow = followTheWorld();
    controller = runController();
    try {
      const r = await world.dr([
        'drill',
        '--live',
        '--config',
        world.configFile,
        '--url',
        client.url,
        '--yes',
        '--timeout',
        '180',
        '--json',
      ]);

      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const result = expectValidDocument<{
        outcome: string;
        clientDownAfterSeconds: number;
        clientRtoSeconds: number;
        rtoSeconds: number;
        restored: boolean;
        phase: string;
      }>(r.stdout);
      expect(result).toMatchObject({ outcome: 'recovered', phase: 'completed', restored: true });
      expect(result.clientDownAfterSeconds).toBeLessThan(result.clientRtoSeconds);
      expect(result.rtoSeconds).toBeGreaterThan(0);
      expect(world.fake.servingRegion()).toBe('us-east-1');
      expect(world.fake.calls.promoteReplicaAttempts).toBe(1);
      // The primary's capacity is back, for the failback.
      expect(world.fake.asgs.get('eu-west-1')).toMatchObject({ min: 2, desired: 2, max: 4 });
    } finally {
      clearInterval(follow);
    }
  });

  it('refuses without --url, or without confirmation, changing nothing', async () => {
    const noUrl = await world.dr(['drill', '--live', '--config', world.configFile, '--yes']);
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toMatch(/--live needs --url/);

    const noTty = await world.dr(['drill', '--live', '--config', world.configFile, '--url', client.url]);
    expect(noTty.code).toBe(2);
    expect(noTty.stderr).toMatch(/no terminal to ask on/);
    expect(world.fake.mutations()).toBe(0);
  });
});
