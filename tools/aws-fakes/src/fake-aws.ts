import { AutoScalingClient, DescribeAutoScalingGroupsCommand, UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeEndpointGroupCommand, GlobalAcceleratorClient, UpdateEndpointGroupCommand } from '@aws-sdk/client-global-accelerator';
import {
  AddTagsToResourceCommand,
  CopyDBSnapshotCommand,
  CreateDBInstanceReadReplicaCommand,
  CreateDBSnapshotCommand,
  DeleteDBSnapshotCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  DescribeDBParametersCommand,
  ModifyDBInstanceCommand,
  ModifyDBParameterGroupCommand,
  PromoteReadReplicaCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { DrConfig } from '@dr/failover-core';
import { mockClient } from 'aws-sdk-client-mock';
import { awsError, networkError } from './errors.js';

interface FakeDb {
  region: string;
  id: string;
  arn: string;
  sourceArn?: string | undefined;
  /** Statuses to report on the next describes, front first; then `settled`. */
  upcoming: { status: string; promoted?: boolean; id?: string }[];
  readOnly: boolean;
}

interface FakeAsg {
  min: number;
  desired: number;
  max: number;
  /** Describes left before each instance is InService. */
  instances: { describesLeft: number }[];
}

/** A manual DB snapshot as the fake keeps it. */
export interface FakeSnapshot {
  region: string;
  id: string;
  dbInstanceIdentifier: string;
  /** Describes left before `available`. */
  describesLeft: number;
  createdAt: Date;
  tags: Record<string, string>;
  kmsKeyId?: string | undefined;
}

type Region = () => Promise<string>;
const regionOf = async (getClient: () => { config: { region: unknown } }): Promise<string> => {
  const r = getClient().config.region;
  return typeof r === 'function' ? await (r as Region)() : String(r);
};

/**
 * Stateful fakes of the SDK clients for two regions, behaving as AWS does over successive
 * calls: a promoted replica reports `available` for two more describes (the waiter race), then
 * `modifying` and `rebooting`, then `available` as a primary; instances come InService a few
 * describes after launch; Global Accelerator health follows the healthy targets; snapshots and
 * their cross-region copies become `available` a few describes after they are started. A region
 * put in {@link FakeAws.outages} answers no call (as in a regional outage), and its accelerator
 * endpoint reads unhealthy. SSM parameters are kept per region.
 */
export class FakeAws {
  readonly calls: Record<string, number> = {};
  readonly dbs: FakeDb[] = [];
  readonly asgs = new Map<string, FakeAsg>();
  readonly groups = new Map<string, { region: string; dial: number; endpoints: { id: string; weight: number }[] }>();
  /** Regions that answer no call. */
  readonly outages = new Set<string>();
  /** CloudWatch alarm states by alarm name; an alarm not here does not exist. */
  readonly alarmStates = new Map<string, 'OK' | 'ALARM' | 'INSUFFICIENT_DATA'>();
  /** SSM parameter values by `region:name`. */
  readonly parameters = new Map<string, string>();
  readonly snapshots: FakeSnapshot[] = [];
  /** Messages published to SNS. */
  readonly published: { subject?: string | undefined; message?: string | undefined }[] = [];
  private readonly mocks = [
    mockClient(RDSClient),
    mockClient(AutoScalingClient),
    mockClient(ElasticLoadBalancingV2Client),
    mockClient(GlobalAcceleratorClient),
    mockClient(CloudWatchClient),
    mockClient(SNSClient),
    mockClient(SSMClient),
  ] as const;

  constructor(
    private readonly config: DrConfig,
    layout: 'steady' | 'failed-over' = 'steady',
  ) {
    const { primary, secondary } = config;
    const arn = (region: string, id: string) => `arn:aws:rds:${region}:123456789012:db:${id}`;
    const serving = layout === 'steady' ? primary : secondary;
    this.dbs.push({ region: serving.region, id: serving.dbInstanceIdentifier, arn: arn(serving.region, serving.dbInstanceIdentifier), upcoming: [], readOnly: false });
    if (layout === 'steady') {
      this.dbs.push({ region: secondary.region, id: secondary.dbInstanceIdentifier, arn: arn(secondary.region, secondary.dbInstanceIdentifier), sourceArn: arn(primary.region, primary.dbInstanceIdentifier), upcoming: [], readOnly: false });
    } else {
      this.dbs.push({ region: primary.region, id: primary.dbInstanceIdentifier, arn: arn(primary.region, primary.dbInstanceIdentifier), upcoming: [], readOnly: false });
    }
    for (const r of [primary, secondary]) {
      const active = r === serving;
      this.asgs.set(r.region, { min: active ? 2 : 0, desired: active ? 2 : 0, max: 4, instances: active ? [{ describesLeft: 0 }, { describesLeft: 0 }] : [] });
      this.groups.set(r.endpointGroupArn, { region: r.region, dial: active ? 100 : 0, endpoints: [{ id: r.loadBalancerArn, weight: active ? 128 : 0 }] });
    }
    this.wire();
  }

  private count(kind: string): void {
    this.calls[kind] = (this.calls[kind] ?? 0) + 1;
  }

  private db(region: string, id: string): FakeDb | undefined {
    return this.dbs.find((d) => d.region === region && d.id === id);
  }

  private healthy(region: string): number {
    if (this.outages.has(region)) return 0;
    return (this.asgs.get(region)?.instances ?? []).filter((i) => i.describesLeft <= 0).length;
  }

  /** The region a client was made for; throws as the SDK does when that region is out. */
  private async reach(getClient: () => { config: { region: unknown } }): Promise<string> {
    const region = await regionOf(getClient);
    if (this.outages.has(region)) throw networkError(`${region}.amazonaws.com`);
    return region;
  }

  /** The mutating calls made so far, by kind (promotions, capacity changes, traffic changes, snapshots). */
  mutations(): number {
    const kinds = ['promoteReplicaAttempts', 'createReplica', 'renameInstance', 'setWriteFence', 'setCapacity', 'setTrafficDial', 'setEndpointWeight', 'createSnapshot', 'copySnapshot', 'deleteSnapshot'];
    return kinds.reduce((n, k) => n + (this.calls[k] ?? 0), 0);
  }

  /** Adds a snapshot as if an earlier run had taken it. */
  addSnapshot(snapshot: Omit<FakeSnapshot, 'describesLeft'> & { describesLeft?: number }): void {
    this.snapshots.push({ describesLeft: 0, ...snapshot });
  }

  private wire(): void {
    const [rds, asg, elb, ga, cw, sns, ssm] = this.mocks;
    rds.on(DescribeDBInstancesCommand).callsFake(async (input, getClient) => {
      const db = this.db(await this.reach(getClient), input.DBInstanceIdentifier);
      if (!db) throw awsError('DBInstanceNotFoundFault', `DBInstance ${input.DBInstanceIdentifier} not found.`, 404);
      const next = db.upcoming.shift();
      if (next?.promoted) db.sourceArn = undefined;
      if (next?.id) db.id = next.id;
      return { DBInstances: [{ DBInstanceIdentifier: db.id, DBInstanceArn: db.arn, DBInstanceStatus: next?.status ?? 'available', ReadReplicaSourceDBInstanceIdentifier: db.sourceArn }] };
    });
    rds.on(PromoteReadReplicaCommand).callsFake(async (input, getClient) => {
      const db = this.db(await this.reach(getClient), input.DBInstanceIdentifier);
      // Every attempt counts, refused or not: a repeated promotion must show up in the tests.
      this.count('promoteReplicaAttempts');
      if (!db) throw awsError('DBInstanceNotFoundFault');
      if (!db.sourceArn || db.upcoming.length > 0) throw awsError('InvalidDBInstanceStateFault', 'DB Instance is not a read replica.');
      this.count('promoteReplica');
      db.upcoming.push({ status: 'available' }, { status: 'available' }, { status: 'modifying' }, { status: 'modifying' }, { status: 'rebooting' }, { status: 'available', promoted: true });
      return {};
    });
    rds.on(CreateDBInstanceReadReplicaCommand).callsFake(async (input, getClient) => {
      const region = await this.reach(getClient);
      if (this.db(region, input.DBInstanceIdentifier)) throw awsError('DBInstanceAlreadyExistsFault');
      this.count('createReplica');
      this.dbs.push({ region, id: input.DBInstanceIdentifier, arn: `arn:aws:rds:${region}:123456789012:db:${input.DBInstanceIdentifier}`, sourceArn: input.SourceDBInstanceIdentifier, upcoming: [{ status: 'creating' }, { status: 'creating' }, { status: 'backing-up' }], readOnly: false });
      return {};
    });
    rds.on(ModifyDBInstanceCommand).callsFake(async (input, getClient) => {
      const db = this.db(await this.reach(getClient), input.DBInstanceIdentifier);
      if (!db) throw awsError('DBInstanceNotFoundFault');
      this.count('renameInstance');
      db.upcoming.push({ status: 'renaming' }, { status: 'renaming', id: input.NewDBInstanceIdentifier });
      return {};
    });
    rds.on(ModifyDBParameterGroupCommand).callsFake(async (input, getClient) => {
      const region = await this.reach(getClient);
      this.count('setWriteFence');
      for (const db of this.dbs.filter((d) => d.region === region)) db.readOnly = input.Parameters?.[0]?.ParameterValue === '1';
      return {};
    });
    rds.on(DescribeDBParametersCommand).callsFake(async (_input, getClient) => {
      const region = await this.reach(getClient);
      const readOnly = this.dbs.some((d) => d.region === region && d.readOnly);
      return { Parameters: [{ ParameterName: 'read_only', ParameterValue: readOnly ? '1' : '0' }] };
    });
    cw.on(GetMetricDataCommand).callsFake(async () => {
      // Once the source is fenced the replica catches up; until then it lags a second.
      const fenced = this.dbs.some((d) => d.readOnly);
      return { MetricDataResults: [{ Id: 'lag', Timestamps: [new Date()], Values: [fenced ? 0 : 1] }] };
    });
    cw.on(DescribeAlarmsCommand).callsFake(async (input, getClient) => {
      await this.reach(getClient);
      const names: string[] = input.AlarmNames ?? [];
      const found = names.filter((n) => this.alarmStates.has(n)).map((n) => ({ AlarmName: n, StateValue: this.alarmStates.get(n) }));
      return { MetricAlarms: found, CompositeAlarms: [] };
    });
    asg.on(DescribeAutoScalingGroupsCommand).callsFake(async (input, getClient) => {
      const region = await this.reach(getClient);
      const g = this.asgs.get(region);
      if (!g) return { AutoScalingGroups: [] };
      for (const i of g.instances) i.describesLeft--;
      return {
        AutoScalingGroups: [
          {
            AutoScalingGroupName: input.AutoScalingGroupNames?.[0],
            MinSize: g.min,
            DesiredCapacity: g.desired,
            MaxSize: g.max,
            LaunchTemplate: { LaunchTemplateName: 'lamp' },
            Instances: g.instances.map((i, n) => ({ InstanceId: `i-${n}`, LifecycleState: i.describesLeft <= 0 ? 'InService' : 'Pending' })),
          },
        ],
      };
    });
    asg.on(UpdateAutoScalingGroupCommand).callsFake(async (input, getClient) => {
      const g = this.asgs.get(await this.reach(getClient));
      if (!g) throw awsError('ValidationError', 'AutoScalingGroup name not found');
      this.count('setCapacity');
      g.min = input.MinSize;
      g.max = input.MaxSize;
      g.desired = input.DesiredCapacity;
      while (g.instances.length < g.desired) g.instances.push({ describesLeft: 4 });
      g.instances.splice(g.desired);
      return {};
    });
    elb.on(DescribeTargetHealthCommand).callsFake(async (_input, getClient) => {
      const n = this.healthy(await this.reach(getClient));
      return { TargetHealthDescriptions: Array.from({ length: n }, () => ({ TargetHealth: { State: 'healthy' } })) };
    });
    ga.on(DescribeEndpointGroupCommand).callsFake(async (input) => {
      const g = this.groups.get(input.EndpointGroupArn);
      if (!g) throw awsError('EndpointGroupNotFoundException');
      const health = this.healthy(g.region) > 0 ? 'HEALTHY' : 'UNHEALTHY';
      return { EndpointGroup: { EndpointGroupArn: input.EndpointGroupArn, TrafficDialPercentage: g.dial, EndpointDescriptions: g.endpoints.map((e) => ({ EndpointId: e.id, Weight: e.weight, HealthState: health })) } };
    });
    ga.on(UpdateEndpointGroupCommand).callsFake(async (input) => {
      const g = this.groups.get(input.EndpointGroupArn);
      if (!g) throw awsError('EndpointGroupNotFoundException');
      if (input.TrafficDialPercentage !== undefined) {
        this.count('setTrafficDial');
        g.dial = input.TrafficDialPercentage;
      }
      if (input.EndpointConfigurations) {
        this.count('setEndpointWeight');
        g.endpoints = input.EndpointConfigurations.map((e: { EndpointId: string; Weight: number }) => ({ id: e.EndpointId, weight: e.Weight }));
      }
      return {};
    });
    sns.on(PublishCommand).callsFake(async (input) => {
      this.published.push({ subject: input.Subject, message: input.Message });
      return { MessageId: `m-${this.published.length}` };
    });
    ssm.on(GetParameterCommand).callsFake(async (input, getClient) => {
      const value = this.parameters.get(`${await this.reach(getClient)}:${input.Name}`);
      if (value === undefined) throw awsError('ParameterNotFound', `Parameter ${input.Name} not found.`);
      return { Parameter: { Name: input.Name, Type: 'String', Value: value } };
    });
    this.wireSnapshots(rds);
  }

  private wireSnapshots(rds: (typeof this.mocks)[0]): void {
    const arnOf = (s: FakeSnapshot) => `arn:aws:rds:${s.region}:123456789012:snapshot:${s.id}`;
    rds.on(DescribeDBSnapshotsCommand).callsFake(async (input, getClient) => {
      const region = await this.reach(getClient);
      const all = this.snapshots.filter((s) => s.region === region && (!input.DBInstanceIdentifier || s.dbInstanceIdentifier === input.DBInstanceIdentifier));
      const start = Number(input.Marker ?? 0);
      const size = input.MaxRecords ?? 100;
      const page = all.slice(start, start + size);
      for (const s of page) s.describesLeft--;
      return {
        DBSnapshots: page.map((s) => ({
          DBSnapshotIdentifier: s.id,
          DBSnapshotArn: arnOf(s),
          DBInstanceIdentifier: s.dbInstanceIdentifier,
          Status: s.describesLeft < 0 ? 'available' : 'creating',
          SnapshotCreateTime: s.createdAt,
          SnapshotType: 'manual',
          Encrypted: true,
          KmsKeyId: s.kmsKeyId,
          TagList: Object.entries(s.tags).map(([Key, Value]) => ({ Key, Value })),
        })),
        Marker: start + size < all.length ? String(start + size) : undefined,
      };
    });
    rds.on(CreateDBSnapshotCommand).callsFake(async (input, getClient) => {
      const region = await this.reach(getClient);
      if (this.snapshots.some((s) => s.region === region && s.id === input.DBSnapshotIdentifier)) throw awsError('DBSnapshotAlreadyExistsFault');
      if (!this.db(region, input.DBInstanceIdentifier)) throw awsError('DBInstanceNotFoundFault', `DBInstance ${input.DBInstanceIdentifier} not found.`, 404);
      this.count('createSnapshot');
      const tags = Object.fromEntries((input.Tags ?? []).map((t: { Key: string; Value: string }) => [t.Key, t.Value]));
      this.snapshots.push({ region, id: input.DBSnapshotIdentifier, dbInstanceIdentifier: input.DBInstanceIdentifier, describesLeft: 2, createdAt: new Date(), tags });
      return {};
    });
    rds.on(CopyDBSnapshotCommand).callsFake(async (input, getClient) => {
      const region = await this.reach(getClient);
      const source = this.snapshots.find((s) => arnOf(s) === input.SourceDBSnapshotIdentifier);
      if (!source) throw awsError('DBSnapshotNotFoundFault', `${input.SourceDBSnapshotIdentifier} not found`, 404);
      if (this.snapshots.some((s) => s.region === region && s.id === input.TargetDBSnapshotIdentifier)) throw awsError('DBSnapshotAlreadyExistsFault');
      this.count('copySnapshot');
      const tags = Object.fromEntries((input.Tags ?? []).map((t: { Key: string; Value: string }) => [t.Key, t.Value]));
      this.snapshots.push({ region, id: input.TargetDBSnapshotIdentifier, dbInstanceIdentifier: source.dbInstanceIdentifier, describesLeft: 2, createdAt: source.createdAt, tags, kmsKeyId: input.KmsKeyId });
      return {};
    });
    rds.on(DeleteDBSnapshotCommand).callsFake(async (input, getClient) => {
      const region = await this.reach(getClient);
      const at = this.snapshots.findIndex((s) => s.region === region && s.id === input.DBSnapshotIdentifier);
      if (at < 0) throw awsError('DBSnapshotNotFoundFault', `${input.DBSnapshotIdentifier} not found`, 404);
      this.count('deleteSnapshot');
      this.snapshots.splice(at, 1);
      return {};
    });
    rds.on(AddTagsToResourceCommand).resolves({});
  }

  /** Removes every fake. */
  restore(): void {
    for (const m of this.mocks) m.restore();
  }

  /** The region serving traffic as Global Accelerator is set up. */
  servingRegion(): string | undefined {
    return [...this.groups.values()].find((g) => g.dial > 0 && g.endpoints.some((e) => e.weight > 0))?.region;
  }

  /** The config this fake models. */
  get topology(): DrConfig {
    return this.config;
  }
}
