import { AutoScalingClient, DescribeAutoScalingGroupsCommand, UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeEndpointGroupCommand, GlobalAcceleratorClient, UpdateEndpointGroupCommand } from '@aws-sdk/client-global-accelerator';
import {
  CreateDBInstanceReadReplicaCommand,
  DescribeDBInstancesCommand,
  DescribeDBParametersCommand,
  ModifyDBInstanceCommand,
  ModifyDBParameterGroupCommand,
  PromoteReadReplicaCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { DrConfig } from '@dr/failover-core';
import { mockClient } from 'aws-sdk-client-mock';
import { awsError } from './fixtures.js';

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

type Region = () => Promise<string>;
const regionOf = async (getClient: () => { config: { region: unknown } }): Promise<string> => {
  const r = getClient().config.region;
  return typeof r === 'function' ? await (r as Region)() : String(r);
};

/**
 * Stateful fakes of the SDK clients for two regions, behaving as AWS does over successive
 * calls: a promoted replica reports `available` for two more describes (the waiter race), then
 * `modifying` and `rebooting`, then `available` as a primary; instances come InService a few
 * describes after launch; Global Accelerator health follows the healthy targets.
 */
export class FakeAws {
  readonly calls: Record<string, number> = {};
  readonly dbs: FakeDb[] = [];
  readonly asgs = new Map<string, FakeAsg>();
  readonly groups = new Map<string, { region: string; dial: number; endpoints: { id: string; weight: number }[] }>();
  private readonly mocks = [mockClient(RDSClient), mockClient(AutoScalingClient), mockClient(ElasticLoadBalancingV2Client), mockClient(GlobalAcceleratorClient), mockClient(CloudWatchClient), mockClient(SNSClient)] as const;

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
    return (this.asgs.get(region)?.instances ?? []).filter((i) => i.describesLeft <= 0).length;
  }

  private wire(): void {
    const [rds, asg, elb, ga, cw, sns] = this.mocks;
    rds.on(DescribeDBInstancesCommand).callsFake(async (input, getClient) => {
      const db = this.db(await regionOf(getClient), input.DBInstanceIdentifier);
      if (!db) throw awsError('DBInstanceNotFoundFault', `DBInstance ${input.DBInstanceIdentifier} not found.`, 404);
      const next = db.upcoming.shift();
      if (next?.promoted) db.sourceArn = undefined;
      if (next?.id) db.id = next.id;
      return { DBInstances: [{ DBInstanceIdentifier: db.id, DBInstanceArn: db.arn, DBInstanceStatus: next?.status ?? 'available', ReadReplicaSourceDBInstanceIdentifier: db.sourceArn }] };
    });
    rds.on(PromoteReadReplicaCommand).callsFake(async (input, getClient) => {
      const db = this.db(await regionOf(getClient), input.DBInstanceIdentifier);
      // Every attempt counts, refused or not: a repeated promotion must show up in the tests.
      this.count('promoteReplicaAttempts');
      if (!db) throw awsError('DBInstanceNotFoundFault');
      if (!db.sourceArn || db.upcoming.length > 0) throw awsError('InvalidDBInstanceStateFault', 'DB Instance is not a read replica.');
      this.count('promoteReplica');
      db.upcoming.push({ status: 'available' }, { status: 'available' }, { status: 'modifying' }, { status: 'modifying' }, { status: 'rebooting' }, { status: 'available', promoted: true });
      return {};
    });
    rds.on(CreateDBInstanceReadReplicaCommand).callsFake(async (input, getClient) => {
      const region = await regionOf(getClient);
      if (this.db(region, input.DBInstanceIdentifier)) throw awsError('DBInstanceAlreadyExistsFault');
      this.count('createReplica');
      this.dbs.push({ region, id: input.DBInstanceIdentifier, arn: `arn:aws:rds:${region}:123456789012:db:${input.DBInstanceIdentifier}`, sourceArn: input.SourceDBInstanceIdentifier, upcoming: [{ status: 'creating' }, { status: 'creating' }, { status: 'backing-up' }], readOnly: false });
      return {};
    });
    rds.on(ModifyDBInstanceCommand).callsFake(async (input, getClient) => {
      const db = this.db(await regionOf(getClient), input.DBInstanceIdentifier);
      if (!db) throw awsError('DBInstanceNotFoundFault');
      this.count('renameInstance');
      db.upcoming.push({ status: 'renaming' }, { status: 'renaming', id: input.NewDBInstanceIdentifier });
      return {};
    });
    rds.on(ModifyDBParameterGroupCommand).callsFake(async (input, getClient) => {
      const region = await regionOf(getClient);
      this.count('setWriteFence');
      for (const db of this.dbs.filter((d) => d.region === region)) db.readOnly = input.Parameters?.[0]?.ParameterValue === '1';
      return {};
    });
    rds.on(DescribeDBParametersCommand).callsFake(async (_input, getClient) => {
      const region = await regionOf(getClient);
      const readOnly = this.dbs.some((d) => d.region === region && d.readOnly);
      return { Parameters: [{ ParameterName: 'read_only', ParameterValue: readOnly ? '1' : '0' }] };
    });
    cw.on(GetMetricDataCommand).callsFake(async () => {
      // Once the source is fenced the replica catches up; until then it lags a second.
      const fenced = this.dbs.some((d) => d.readOnly);
      return { MetricDataResults: [{ Id: 'lag', Timestamps: [new Date()], Values: [fenced ? 0 : 1] }] };
    });
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
    asg.on(DescribeAutoScalingGroupsCommand).callsFake(async (input, getClient) => {
      const region = await regionOf(getClient);
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
      const g = this.asgs.get(await regionOf(getClient));
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
      const n = this.healthy(await regionOf(getClient));
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
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
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
