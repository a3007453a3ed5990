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
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
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

/** The services FakeAws models, by signing name. */
export type FakeService = 'rds' | 'autoscaling' | 'elasticloadbalancing' | 'monitoring' | 'globalaccelerator' | 'sns' | 'ssm';

/** How the fake answers one call: the command's input, the client's region. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- inputs and outputs are the SDK's, per command
type FakeHandler = (input: any, region: string) => Promise<any>;
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
  /** The replica's lag (CloudWatch ReplicaLag) until the source is write-fenced. */
  replicaLagSeconds = 1;
  /** Describes a new snapshot or copy reports `creating` before it is `available`. */
  snapshotDescribesUntilAvailable = 2;
  /** Messages published to SNS. */
  readonly published: { subject?: string | undefined; message?: string | undefined }[] = [];
  private readonly routes = new Map<string, FakeHandler>();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- one stub per service, each typed by its own client
  private readonly mocks: Partial<Record<FakeService, AwsStub<any, any, any>>>;

  /**
   * @param layout which region serves: `steady` (the primary, the DR region a pilot light) or
   * `failed-over` (the DR region, the old primary a standalone instance).
   * @param options.mockSdk also answer calls made through this process's own SDK clients
   * (aws-sdk-client-mock); off when only {@link FakeAws.handle} (the HTTP front end) is used.
   */
  constructor(
    private readonly config: DrConfig,
    layout: 'steady' | 'failed-over' = 'steady',
    options: { readonly mockSdk?: boolean } = {},
  ) {
    this.mocks =
      options.mockSdk === false
        ? {}
        : {
            rds: mockClient(RDSClient),
            autoscaling: mockClient(AutoScalingClient),
            elasticloadbalancing: mockClient(ElasticLoadBalancingV2Client),
            globalaccelerator: mockClient(GlobalAcceleratorClient),
            monitoring: mockClient(CloudWatchClient),
            sns: mockClient(SNSClient),
            ssm: mockClient(SSMClient),
          };
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

  /**
   * Registers how the fake answers one API call: for this process's SDK clients (when mocked) and
   * for {@link FakeAws.handle}. A call to a region in an outage fails as an unreachable endpoint.
   */
  private route(service: FakeService, command: { readonly name: string }, answer: FakeHandler): void {
    const guarded: FakeHandler = async (input, region) => {
      if (this.outages.has(region)) throw networkError(`${service}.${region}.amazonaws.com`);
      return answer(input, region);
    };
    this.routes.set(`${service}:${command.name.replace(/Command$/, '')}`, guarded);
    this.mocks[service]?.on(command as never).callsFake(async (input: unknown, getClient: () => { config: { region: unknown } }) => guarded(input, await regionOf(getClient)));
  }

  /**
   * Answers one API call as AWS would: `service` is the signing name (`rds`, `autoscaling`,
   * `elasticloadbalancing`, `monitoring`, `globalaccelerator`, `sns`, `ssm`), `action` the
   * operation (`DescribeDBInstances`). Throws SDK-shaped errors.
   */
  async handle(service: string, action: string, input: Record<string, unknown>, region: string): Promise<unknown> {
    const answer = this.routes.get(`${service}:${action}`);
    if (!answer) throw awsError('InvalidAction', `${service} ${action} is not modelled by FakeAws`);
    return answer(input, region);
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
        this.route('rds', DescribeDBInstancesCommand, async (input, region) => {
      const db = this.db(region, input.DBInstanceIdentifier);
      if (!db) throw awsError('DBInstanceNotFoundFault', `DBInstance ${input.DBInstanceIdentifier} not found.`, 404);
      const next = db.upcoming.shift();
      if (next?.promoted) db.sourceArn = undefined;
      if (next?.id) db.id = next.id;
      return { DBInstances: [{ DBInstanceIdentifier: db.id, DBInstanceArn: db.arn, DBInstanceStatus: next?.status ?? 'available', ReadReplicaSourceDBInstanceIdentifier: db.sourceArn }] };
    });
    this.route('rds', PromoteReadReplicaCommand, async (input, region) => {
      const db = this.db(region, input.DBInstanceIdentifier);
      // Every attempt counts, refused or not: a repeated promotion must show up in the tests.
      this.count('promoteReplicaAttempts');
      if (!db) throw awsError('DBInstanceNotFoundFault');
      if (!db.sourceArn || db.upcoming.length > 0) throw awsError('InvalidDBInstanceStateFault', 'DB Instance is not a read replica.');
      this.count('promoteReplica');
      db.upcoming.push({ status: 'available' }, { status: 'available' }, { status: 'modifying' }, { status: 'modifying' }, { status: 'rebooting' }, { status: 'available', promoted: true });
      return {};
    });
    this.route('rds', CreateDBInstanceReadReplicaCommand, async (input, region) => {
      if (this.db(region, input.DBInstanceIdentifier)) throw awsError('DBInstanceAlreadyExistsFault');
      this.count('createReplica');
      this.dbs.push({ region, id: input.DBInstanceIdentifier, arn: `arn:aws:rds:${region}:123456789012:db:${input.DBInstanceIdentifier}`, sourceArn: input.SourceDBInstanceIdentifier, upcoming: [{ status: 'creating' }, { status: 'creating' }, { status: 'backing-up' }], readOnly: false });
      return {};
    });
    this.route('rds', ModifyDBInstanceCommand, async (input, region) => {
      const db = this.db(region, input.DBInstanceIdentifier);
      if (!db) throw awsError('DBInstanceNotFoundFault');
      this.count('renameInstance');
      db.upcoming.push({ status: 'renaming' }, { status: 'renaming', id: input.NewDBInstanceIdentifier });
      return {};
    });
    this.route('rds', ModifyDBParameterGroupCommand, async (input, region) => {
      this.count('setWriteFence');
      for (const db of this.dbs.filter((d) => d.region === region)) db.readOnly = input.Parameters?.[0]?.ParameterValue === '1';
      return {};
    });
    this.route('rds', DescribeDBParametersCommand, async (_input, region) => {
      const readOnly = this.dbs.some((d) => d.region === region && d.readOnly);
      return { Parameters: [{ ParameterName: 'read_only', ParameterValue: readOnly ? '1' : '0' }] };
    });
    this.route('monitoring', GetMetricDataCommand, async () => {
      // Once the source is fenced the replica catches up; until then it lags.
      const fenced = this.dbs.some((d) => d.readOnly);
      return { MetricDataResults: [{ Id: 'lag', Timestamps: [new Date()], Values: [fenced ? 0 : this.replicaLagSeconds] }] };
    });
    this.route('monitoring', DescribeAlarmsCommand, async (input) => {
      const names: string[] = input.AlarmNames ?? [];
      const found = names.filter((n) => this.alarmStates.has(n)).map((n) => ({ AlarmName: n, StateValue: this.alarmStates.get(n) }));
      return { MetricAlarms: found, CompositeAlarms: [] };
    });
    this.route('autoscaling', DescribeAutoScalingGroupsCommand, async (input, region) => {
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
    this.route('autoscaling', UpdateAutoScalingGroupCommand, async (input, region) => {
      const g = this.asgs.get(region);
      if (!g) throw awsError('ValidationError', 'AutoScalingGroup name not found');
      this.count('setCapacity');
      g.min = input.MinSize;
      g.max = input.MaxSize;
      g.desired = input.DesiredCapacity;
      while (g.instances.length < g.desired) g.instances.push({ describesLeft: 4 });
      g.instances.splice(g.desired);
      return {};
    });
    this.route('elasticloadbalancing', DescribeTargetHealthCommand, async (_input, region) => {
      const n = this.healthy(region);
      return { TargetHealthDescriptions: Array.from({ length: n }, () => ({ TargetHealth: { State: 'healthy' } })) };
    });
    this.route('globalaccelerator', DescribeEndpointGroupCommand, async (input) => {
      const g = this.groups.get(input.EndpointGroupArn);
      if (!g) throw awsError('EndpointGroupNotFoundException');
      const health = this.healthy(g.region) > 0 ? 'HEALTHY' : 'UNHEALTHY';
      return { EndpointGroup: { EndpointGroupArn: input.EndpointGroupArn, TrafficDialPercentage: g.dial, EndpointDescriptions: g.endpoints.map((e) => ({ EndpointId: e.id, Weight: e.weight, HealthState: health })) } };
    });
    this.route('globalaccelerator', UpdateEndpointGroupCommand, async (input) => {
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
    this.route('sns', PublishCommand, async (input) => {
      this.published.push({ subject: input.Subject, message: input.Message });
      return { MessageId: `m-${this.published.length}` };
    });
    this.route('ssm', GetParameterCommand, async (input, region) => {
      const value = this.parameters.get(`${region}:${input.Name}`);
      if (value === undefined) throw awsError('ParameterNotFound', `Parameter ${input.Name} not found.`);
      return { Parameter: { Name: input.Name, Type: 'String', Value: value } };
    });
    this.wireSnapshots();
  }

  private wireSnapshots(): void {
    const arnOf = (s: FakeSnapshot) => `arn:aws:rds:${s.region}:123456789012:snapshot:${s.id}`;
    this.route('rds', DescribeDBSnapshotsCommand, async (input, region) => {
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
    this.route('rds', CreateDBSnapshotCommand, async (input, region) => {
      if (this.snapshots.some((s) => s.region === region && s.id === input.DBSnapshotIdentifier)) throw awsError('DBSnapshotAlreadyExistsFault');
      if (!this.db(region, input.DBInstanceIdentifier)) throw awsError('DBInstanceNotFoundFault', `DBInstance ${input.DBInstanceIdentifier} not found.`, 404);
      this.count('createSnapshot');
      const tags = Object.fromEntries((input.Tags ?? []).map((t: { Key: string; Value: string }) => [t.Key, t.Value]));
      this.snapshots.push({ region, id: input.DBSnapshotIdentifier, dbInstanceIdentifier: input.DBInstanceIdentifier, describesLeft: this.snapshotDescribesUntilAvailable, createdAt: new Date(), tags });
      return {};
    });
    this.route('rds', CopyDBSnapshotCommand, async (input, region) => {
      const source = this.snapshots.find((s) => arnOf(s) === input.SourceDBSnapshotIdentifier);
      if (!source) throw awsError('DBSnapshotNotFoundFault', `${input.SourceDBSnapshotIdentifier} not found`, 404);
      if (this.snapshots.some((s) => s.region === region && s.id === input.TargetDBSnapshotIdentifier)) throw awsError('DBSnapshotAlreadyExistsFault');
      this.count('copySnapshot');
      const tags = Object.fromEntries((input.Tags ?? []).map((t: { Key: string; Value: string }) => [t.Key, t.Value]));
      this.snapshots.push({ region, id: input.TargetDBSnapshotIdentifier, dbInstanceIdentifier: source.dbInstanceIdentifier, describesLeft: this.snapshotDescribesUntilAvailable, createdAt: source.createdAt, tags, kmsKeyId: input.KmsKeyId });
      return {};
    });
    this.route('rds', DeleteDBSnapshotCommand, async (input, region) => {
      const at = this.snapshots.findIndex((s) => s.region === region && s.id === input.DBSnapshotIdentifier);
      if (at < 0) throw awsError('DBSnapshotNotFoundFault', `${input.DBSnapshotIdentifier} not found`, 404);
      this.count('deleteSnapshot');
      this.snapshots.splice(at, 1);
      return {};
    });
    this.route('rds', AddTagsToResourceCommand, async () => ({}));
  }

  /** Removes every SDK mock. */
  restore(): void {
    for (const m of Object.values(this.mocks)) m.restore();
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
