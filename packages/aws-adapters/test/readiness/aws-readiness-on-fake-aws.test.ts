import { isRegionUnreachable } from '@dr/failover-core/errors';
import { FakeAws, startFakeAwsServer, type FakeAwsServer } from '@dr/aws-fakes';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AwsReadiness,
  CloudWatchPublisher,
  Ec2Catalog,
  Ec2VcpuQuota,
  RdsSnapshots,
  S3ReplicationFailures,
  SsmParameters,
} from '../../src/index.js';
import { config, fastPolicy } from '../fixtures.js';

// The readiness reads through real SDK clients over HTTP against the fake: EC2's own query
// protocol, Service Quotas' JSON protocol, CloudWatch, SSM and RDS must agree with the adapters.
let fake: FakeAws;
let server: FakeAwsServer;
let readiness: AwsReadiness;
let publisher: CloudWatchPublisher;
const NOW = Date.parse('2026-11-29T12:00:00Z');
beforeEach(async () => {
  fake = new FakeAws(config, 'steady', { mockSdk: false });
  server = await startFakeAwsServer(fake);
  const clientConfig = { endpoint: server.endpoint, credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' }, maxAttempts: 1 };
  const policy = fastPolicy({ timeoutMs: 5_000 });
  readiness = new AwsReadiness({
    ec2: new Ec2Catalog({ clientConfig, policy }),
    quota: new Ec2VcpuQuota({ serviceQuotas: { clientConfig }, cloudWatch: { clientConfig }, policy, now: () => NOW }),
    ssm: new SsmParameters({ clientConfig, policy }),
    snapshots: new RdsSnapshots({ clientConfig, policy }),
    replication: new S3ReplicationFailures({ clientConfig, policy }),
  });
  publisher = new CloudWatchPublisher({ clientConfig, policy });
});
afterEach(async () => server.stop());

const DR = config.secondary.region;

describe('AwsReadiness on the fake AWS over HTTP', () => {
  it("reads the launch template's default version, its image and its instance type's vCPUs in the DR region", async () => {
    const lt = await readiness.launchTemplate(DR, 'lamp');

    expect(lt).toEqual({ imageId: fake.readiness.launchTemplates.get(DR)!.imageId, instanceType: 't3.small' });
    expect(await readiness.image(DR, lt.imageId!)).toEqual({ exists: true, state: 'available' });
    expect(await readiness.instanceTypeVcpus(DR, 't3.small')).toBe(2);
    expect(server.calls).toEqual(['ec2:DescribeLaunchTemplateVersions', 'ec2:DescribeImages', 'ec2:DescribeInstanceTypes']);
  });

  it('looks a launch template up by id when given one', async () => {
    const { id } = fake.readiness.launchTemplates.get(DR)!;

    expect((await readiness.launchTemplate(DR, id)).instanceType).toBe('t3.small');
  });

  it('says an image does not exist in a region that has no copy of it (AMI ids are regional)', async () => {
    const primaryImage = fake.readiness.launchTemplates.get(config.primary.region)!.imageId!;

    expect(await readiness.image(DR, primaryImage)).toEqual({ exists: false });
  });

  it('fails with a not-found error naming a launch template the region lacks', async () => {
    await expect(readiness.launchTemplate(DR, 'nope')).rejects.toThrow(/launch template nope/);
  });

  it('says undefined for an instance type the region does not offer', async () => {
    expect(await readiness.instanceTypeVcpus(DR, 'q9.huge')).toBeUndefined();
  });

  it('reads the vCPU quota and its usage metric, the group and other workloads included', async () => {
    fake.readiness.vcpuQuotas.set(config.primary.region, 64);
    fake.readiness.otherVcpus.set(config.primary.region, 6);

    expect(await readiness.ec2VcpuQuota(config.primary.region)).toEqual({ quota: 64, inUse: 2 * 2 + 6 });
    expect(await readiness.ec2VcpuQuota(DR)).toEqual({ quota: 32, inUse: 0 });
  });

  it('leaves the usage undefined when the usage metric has no datapoint', async () => {
    fake.readiness.usageMissing.add(DR);

    expect(await readiness.ec2VcpuQuota(DR)).toEqual({ quota: 32, inUse: undefined });
  });

  it('reads a parameter per region, undefined where it is missing', async () => {
    fake.parameters.set(`${DR}:/dr/lamp/config`, '{"a":1}');

    expect(await readiness.configParameter(DR, '/dr/lamp/config')).toBe('{"a":1}');
    expect(await readiness.configParameter(config.primary.region, '/dr/lamp/config')).toBeUndefined();
  });

  it("finds the newest available snapshot the snapshot job made for the app, ignoring others'", async () => {
    const tags = { 'dr:managed-by': 'dr-snapshot', 'dr:app': 'lamp' };
    fake.addSnapshot({
      region: DR,
      id: 'lamp-daily-2026-11-27',
      dbInstanceIdentifier: 'lamp-primary',
      createdAt: new Date('2026-11-27T02:00:00Z'),
      tags,
    });
    fake.addSnapshot({
      region: DR,
      id: 'lamp-daily-2026-11-28',
      dbInstanceIdentifier: 'lamp-primary',
      createdAt: new Date('2026-11-28T02:00:00Z'),
      tags,
    });
    fake.addSnapshot({
      region: DR,
      id: 'someone-elses',
      dbInstanceIdentifier: 'lamp-primary',
      createdAt: new Date('2026-11-29T02:00:00Z'),
      tags: {},
    });
    fake.addSnapshot({
      region: DR,
      id: 'lamp-daily-2026-11-29',
      dbInstanceIdentifier: 'lamp-primary',
      createdAt: new Date('2026-11-29T02:00:00Z'),
      tags,
      describesLeft: 5,
    });

    expect(await readiness.latestSnapshot(DR, 'lamp')).toEqual({
      id: 'lamp-daily-2026-11-28',
      createdAt: Date.parse('2026-11-28T02:00:00Z'),
    });
    expect(await readiness.latestSnapshot(DR, 'other')).toBeUndefined();
  });

  it('sums failed replication over every rule of the source bucket, and is undefined when S3 published none', async () => {
    const bucket = config.primary.bucketName;
    expect(await readiness.replicationFailures(config.primary.region, bucket, NOW - 3_600_000, NOW)).toBeUndefined();

    fake.readiness.replicationFailures.set(bucket, [2, 3]);

    expect(await readiness.replicationFailures(config.primary.region, bucket, NOW - 3_600_000, NOW)).toBe(5);
    expect(server.calls.filter((c) => c.startsWith('monitoring:'))).toEqual([
      'monitoring:ListMetrics',
      'monitoring:ListMetrics',
      'monitoring:GetMetricData',
    ]);
  });

  it('sees replication metrics once they are on, and none when they are off', async () => {
    const bucket = config.primary.bucketName;
    expect(await readiness.replicationMetricsSeen(DR, bucket)).toBe(true);

    fake.readiness.replicationMetricsOff.add(bucket);

    expect(await readiness.replicationMetricsSeen(DR, bucket)).toBe(false);
  });

  it('fails as unreachable when the region is out', async () => {
    fake.outages.add(DR);

    const e = await readiness.ec2VcpuQuota(DR).catch((err: unknown) => err);

    expect(isRegionUnreachable(e)).toBe(true);
  });
});

describe('CloudWatchPublisher on the fake AWS over HTTP', () => {
  it('publishes every datapoint in one PutMetricData call, with its dimensions', async () => {
    await publisher.publish(DR, 'DR/Readiness', [
      { name: 'replica-exists', value: 1, dimensions: { App: 'lamp' }, at: NOW },
      { name: 'dr-image', value: 0, dimensions: { App: 'lamp' }, at: NOW },
    ]);

    expect(server.calls).toEqual(['monitoring:PutMetricData']);
    expect(
      fake.readiness.published.map(({ region, namespace, name, value, dimensions }) => ({ region, namespace, name, value, dimensions })),
    ).toEqual([
      { region: DR, namespace: 'DR/Readiness', name: 'replica-exists', value: 1, dimensions: { App: 'lamp' } },
      { region: DR, namespace: 'DR/Readiness', name: 'dr-image', value: 0, dimensions: { App: 'lamp' } },
    ]);
  });

  it('makes no call for no data', async () => {
    await publisher.publish(DR, 'DR/Readiness', []);

    expect(server.calls).toEqual([]);
  });
});
