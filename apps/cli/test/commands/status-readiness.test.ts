import { createAwsPorts } from '@dr/aws-adapters';
import { evaluateReadiness, stateKeys, storeReadiness, type ReadinessReport } from '@dr/failover-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AwsWorld } from '../aws-world.js';
import { expectValidDocument } from '../json-schema.js';

interface Evaluation {
  readonly at: number;
  readonly ageSeconds: number;
  readonly stale: boolean;
  readonly pass: number;
  readonly fail: number;
  readonly unknown: number;
  readonly checks: ReadinessReport['checks'];
}

describe('dr status: the last readiness evaluation', () => {
  let world: AwsWorld;
  beforeEach(async () => {
    world = await AwsWorld.start();
  });
  afterEach(() => world.stop());

  /** Evaluates readiness in this process through the AWS adapters, as the readiness Lambda does, `agoMs` ago, and stores the report. */
  async function evaluateAgo(agoMs: number): Promise<ReadinessReport> {
    const e = world.server.endpoint;
    const at = Date.now() - agoMs;
    const ports = createAwsPorts(world.config, {
      credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' },
      endpoints: {
        rds: e,
        autoScaling: e,
        elasticLoadBalancingV2: e,
        cloudWatch: e,
        globalAccelerator: e,
        sns: e,
        ssm: e,
        ec2: e,
        serviceQuotas: e,
        dynamoDb: world.dynamo.endpoint,
      },
      clock: { now: () => at, sleep: async () => undefined },
    });
    const report = await evaluateReadiness(ports, world.config);
    await storeReadiness(ports.stateStore, report);
    return report;
  }

  /** A pilot light as deployed: the config in both regions, a fresh snapshot in the DR region, a live controller. */
  async function deployed(): Promise<void> {
    const { primary, secondary } = world.config;
    for (const r of [primary, secondary]) world.fake.parameters.set(`${r.region}:/dr/lamp/config`, JSON.stringify(world.config));
    world.fake.addSnapshot({
      region: secondary.region,
      id: 'lamp-daily-today',
      dbInstanceIdentifier: primary.dbInstanceIdentifier,
      createdAt: new Date(Date.now() - 3_600_000),
      tags: { 'dr:managed-by': 'dr-snapshot', 'dr:app': 'lamp' },
    });
    await world
      .ports()
      .stateStore.write(stateKeys('lamp').heartbeat, { at: Date.now() - 200_000, action: 'watched', verdict: 'healthy', armed: true }, 0);
  }

  it('says no evaluation is recorded when there is none', async () => {
    const human = await world.dr(['status', '--config', world.configFile]);
    const json = expectValidDocument((await world.dr(['status', '--config', world.configFile, '--json'])).stdout) as {
      readiness: { lastEvaluation: unknown };
    };

    expect(human.stdout).toMatch(/readiness: no evaluation recorded \(the readiness function stores one every 5 min\)/);
    expect(json.readiness.lastEvaluation).toBeNull();
  });

  it('shows what passes, what fails and what could not be seen, and how long ago', async () => {
    await deployed();
    const image = world.fake.readiness.launchTemplates.get('us-east-1')!.imageId!;
    world.fake.readiness.images.delete(`us-east-1:${image}`);
    world.fake.readiness.usageMissing.add('us-east-1');
    const report = await evaluateAgo(3 * 60_000 + 5_000);

    const human = await world.dr(['status', '--config', world.configFile]);
    const json = expectValidDocument((await world.dr(['status', '--config', world.configFile, '--json'])).stdout) as {
      readiness: { ready: boolean; lastEvaluation: Evaluation };
    };

    expect(human.stdout).toMatch(
      new RegExp(
        `readiness 9/11 pass, 1 fails: dr-image \\(image ${image} of launch template lamp does not exist in us-east-1\\), 1 unknown: dr-ec2-quota \\(the quota is 32 vCPUs, but its usage in us-east-1 could not be read\\), evaluated 3 min ago`,
      ),
    );
    expect(human.stdout).not.toMatch(/stale/);
    // The plan evaluation of a failover stays where it was, beside the last continuous one.
    expect(json.readiness.ready).toBe(true);
    expect(json.readiness.lastEvaluation).toMatchObject({
      at: report.at,
      stale: false,
      pass: 9,
      fail: 1,
      unknown: 1,
      checks: report.checks,
    });
    expect(json.readiness.lastEvaluation.ageSeconds).toBeGreaterThanOrEqual(185);
    expect(world.fake.mutations()).toBe(0);
  });

  it('says the evaluation is stale once it is older than three intervals', async () => {
    await deployed();
    await evaluateAgo(16 * 60_000);

    const human = await world.dr(['status', '--config', world.configFile]);
    const json = expectValidDocument((await world.dr(['status', '--config', world.configFile, '--json'])).stdout) as {
      readiness: { lastEvaluation: Evaluation };
    };

    expect(human.stdout).toMatch(
      /evaluated 16 min ago\n.*stale: older than 15 min, while it runs every 5 min; is the readiness function running\?/,
    );
    expect(json.readiness.lastEvaluation.stale).toBe(true);
  });
});
