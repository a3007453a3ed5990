import { randomBytes } from 'node:crypto';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand, UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  ListMetricsCommand,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { DescribeImagesCommand, DescribeInstanceTypesCommand, DescribeLaunchTemplateVersionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetServiceQuotaCommand, ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CloudFormationClient, DescribeStacksCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import {
  CreateEndpointGroupCommand,
  DeleteEndpointGroupCommand,
  DescribeEndpointGroupCommand,
  GlobalAcceleratorClient,
  ListEndpointGroupsCommand,
  UpdateEndpointGroupCommand,
} from '@aws-sdk/client-global-accelerator';
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
  RebootDBInstanceCommand,
  ResetDBParameterGroupCommand,
} from '@aws-sdk/client-rds';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { DrConfig } from '@dr/failover-core';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { awsError, lostResponseError, networkError } from './errors.js';
import { FakeReadiness } from './fake-readiness.js';
import { FakeIam } from './iam/fake-iam.js';
import { FakeRds, page, type FakeDb, type FakeDbState, type FakeParameterGroup, type FakeRdsKnobs } from './fake-rds.js';

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

/**
 * The regions in an outage, as a `Set` that also remembers when each outage began (by
 * `Date.now()`), so fakes that react to an outage late (Route 53's checkers, in
 * `fake-dns.ts`) can tell how long it has lasted.
 */
export class FakeOutages extends Set<string> {
  private readonly began = new Map<string, number>();

  override add(region: string): this {
    if (!this.has(region)) this.began.set(region, Date.now());
    return super.add(region);
  }

  override delete(region: string): boolean {
    this.began.delete(region);
    return super.delete(region);
  }

  override clear(): void {
    this.began.clear();
    super.clear();
  }

  /** When the region's current outage began (ms since the epoch); undefined when it answers. */
  since(region: string): number | undefined {
    return this.has(region) ? this.began.get(region) : undefined;
  }
}

/** The services FakeAws models, by signing name. */
export type FakeService =
  | 'rds'
  | 'autoscaling'
  | 'elasticloadbalancing'
  | 'monitoring'
  | 'globalaccelerator'
  | 'sns'
  | 'ssm'
  | 'ec2'
  | 'servicequotas'
  | 'cloudformation'
  | 'secretsmanager';

/** A CloudFormation stack as the fake keeps it: its status and its resources (ListStackResources). */
export interface FakeStack {
  name: string;
  status: string;
  resources: { LogicalResourceId: string; PhysicalResourceId?: string; ResourceType: string; ResourceStatus: string }[];
}

/** How the fake answers one call: the command's input, the client's region. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- inputs and outputs are the SDK's, per command
type FakeHandler = (input: any, region: string) => Promise<any>;
const regionOf = async (getClient: () => { config: { region: unknown } }): Promise<string> => {
  const r = getClient().config.region;
  return typeof r === 'function' ? await (r as Region)() : String(r);
};

/**
 * Stateful fakes of the SDK clients for two regions, behaving as AWS does over successive
 * calls (time in the fake is counted in calls, mostly describes):
 *
 * - RDS (see `fake-rds.ts`): DB parameter groups are resources of their own, per region (each
 *   region's `dbParameterGroupName`, its `retiredDbParameterGroupName` with `read_only` = 1, and
 *   the unmodifiable `default.mysql8.4`); the primary runs with the primary region's group and
 *   the replica with the secondary's. A change to a group reaches every instance running with
 *   it, `applying` for {@link FakeAws.parameterApplyDescribes} describes, then `in-sync`; a newly
 *   associated group is `pending-reboot` until RebootDBInstance. A promoted replica reports
 *   `available` for two more describes (the waiter race), then `modifying` and `rebooting`, then
 *   `available` as a primary. Renames, reboots and new replicas report `renaming`, `rebooting`
 *   and `creating` for a few describes.
 * - Instances come InService a few describes after launch; Global Accelerator health follows
 *   the healthy targets; snapshots and their cross-region copies become `available` a few
 *   describes after they are started. SSM parameters are kept per region.
 *
 * Failures: a region put in {@link FakeAws.outages} answers no call (as in a regional outage),
 * and its accelerator endpoint reads unhealthy. {@link FakeAws.loseResponses} makes calls that
 * take effect yet fail for the caller.
 *
 * {@link FakeAws.db} and {@link FakeAws.writable} show the truth of the world (which group an
 * instance runs with, whether it accepts writes), not what an adapter would infer from it.
 */
export class FakeAws implements FakeRdsKnobs {
  /** Calls that took effect, by kind (and `promoteReplicaAttempts`: every PromoteReadReplica, refused or not). */
  readonly calls: Record<string, number> = {};
  /** DB instances of both regions; tests may edit `sourceArn` or remove an entry. */
  readonly dbs: FakeDb[];
  /** DB parameter groups of both regions; a test may set a value in `parameters` to arrange the world (it takes effect at once). */
  readonly parameterGroups: FakeParameterGroup[];
  /** Describes an instance reports `applying` after a change to its parameter group, before `in-sync`. */
  parameterApplyDescribes = 2;
  /** Describes a renamed instance reports `renaming` under its old identifier, after which only the new one answers. */
  renameDescribes = 2;
  /** Describes an instance reports `rebooting` after RebootDBInstance. */
  rebootDescribes = 2;
  /** Describes a new read replica reports `creating`. */
  createReplicaDescribes = 3;
  /** Describes an instance reports `modifying` when its backups are turned on or off (an outage, on AWS). */
  modifyDescribes = 2;
  /**
   * While true, every PromoteReadReplica is refused with InvalidDBInstanceState, as RDS refuses a
   * replica it cannot promote now (a backup running): the replica stays a replica.
   */
  refusePromotion = false;
  /**
   * Calls that take effect but whose answer is lost, by action (`ModifyDBParameterGroup`,
   * `PromoteReadReplica`, `UpdateEndpointGroup`, ...): the next N calls of that action that
   * succeed are carried out, then the caller gets a connection reset instead of the answer (a
   * call AWS refuses keeps its error). In process the
   * SDK call rejects with `ECONNRESET`; over HTTP the server destroys the socket after acting
   * (the SDK may then retry on its own, as it would against AWS). Each lost answer decrements
   * the count; actions are also listed in {@link FakeAws.lostResponses}.
   */
  readonly loseResponses = new Map<string, number>();
  /** Actions whose answer was lost, in order. */
  readonly lostResponses: string[] = [];
  private readonly rds: FakeRds;
  readonly asgs = new Map<string, FakeAsg>();
  /**
   * Endpoint groups by ARN. A group's listener is its ARN up to `/endpoint-group/` (Global
   * Accelerator's ARN layout), so ListEndpointGroups and CreateEndpointGroup need no listener table.
   */
  readonly groups = new Map<string, { region: string; dial: number; endpoints: { id: string; weight: number; clientIp?: boolean }[] }>();
  /** CloudFormation stacks by stack id (DescribeStacks, ListStackResources). */
  readonly stacks = new Map<string, FakeStack>();
  /** CreateEndpointGroup's IdempotencyToken → the group it created. */
  private readonly groupTokens = new Map<string, string>();
  /** Regions that answer no call, each with the time its outage began ({@link FakeOutages.since}). */
  readonly outages = new FakeOutages();
  /** CloudWatch alarm states by alarm name; an alarm not here does not exist. */
  readonly alarmStates = new Map<string, 'OK' | 'ALARM' | 'INSUFFICIENT_DATA'>();
  /** SSM parameter values by `region:name`. */
  readonly parameters = new Map<string, string>();
  /** Secrets Manager secret strings by `region:SecretId` (the id exactly as callers pass it: a name or an ARN). */
  readonly secrets = new Map<string, string>();
  readonly snapshots: FakeSnapshot[] = [];
  /** The replica's lag (CloudWatch ReplicaLag) until its source's parameter group has `read_only` = 1. */
  replicaLagSeconds = 1;
  /** Describes a new snapshot or copy reports `creating` before it is `available`. */
  snapshotDescribesUntilAvailable = 2;
  /**
   * The readiness side (`fake-readiness.ts`): launch templates, AMIs, instance types, the EC2
   * vCPU quota and its usage, S3 replication failures, and what PutMetricData published.
   */
  readonly readiness: FakeReadiness;
  /** Messages published to SNS. */
  readonly published: { subject?: string | undefined; message?: string | undefined }[] = [];
  /**
   * IAM as AWS enforces it (`iam/fake-iam.ts`): calls over HTTP made with a registered
   * principal's keys are authorized against its policies; other keys are not checked.
   */
  readonly iam = new FakeIam();
  private readonly routes = new Map<
    string,
    (input: Parameters<FakeHandler>[0], region: string, accessKeyId?: string) => ReturnType<FakeHandler>
  >();
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
            ec2: mockClient(EC2Client),
            servicequotas: mockClient(ServiceQuotasClient),
            cloudformation: mockClient(CloudFormationClient),
            secretsmanager: mockClient(SecretsManagerClient),
          };
    const { primary, secondary } = config;
    this.rds = new FakeRds(config, layout, this, (kind) => this.count(kind));
    this.readiness = new FakeReadiness(config);
    this.dbs = this.rds.dbs;
    this.parameterGroups = this.rds.parameterGroups;
    const serving = layout === 'steady' ? primary : secondary;
    for (const r of [primary, secondary]) {
      const active = r === serving;
      this.asgs.set(r.region, {
        min: active ? 2 : 0,
        desired: active ? 2 : 0,
        max: 4,
        instances: active ? [{ describesLeft: 0 }, { describesLeft: 0 }] : [],
      });
      this.groups.set(r.endpointGroupArn, {
        region: r.region,
        dial: active ? 100 : 0,
        endpoints: [{ id: r.loadBalancerArn, weight: active ? 128 : 0 }],
      });
    }
    this.wire();
  }

  private count(kind: string): void {
    this.calls[kind] = (this.calls[kind] ?? 0) + 1;
  }

  /** The truth about one DB instance: its group and apply status, `read_only` in effect, whether it accepts writes, its settings. */
  db(region: string, id: string): FakeDbState | undefined {
    return this.rds.state(region, id);
  }

  /** Identifiers of the DB instances in `region` that accept writes now (two writable regions: split brain). */
  writable(region: string): string[] {
    return this.rds.writable(region);
  }

  /** The DB parameter group `name` in `region`. */
  parameterGroup(region: string, name: string): FakeParameterGroup | undefined {
    return this.rds.group(region, name);
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
    const action = command.name.replace(/Command$/, '');
    const guarded = async (input: Parameters<FakeHandler>[0], region: string, accessKeyId?: string) => {
      if (this.outages.has(region)) throw networkError(`${service}.${region}.amazonaws.com`);
      this.iam.authorize(accessKeyId, service, action, input, region);
      const output = await answer(input, region);
      const lose = this.loseResponses.get(action) ?? 0;
      if (lose > 0) {
        this.loseResponses.set(action, lose - 1);
        this.lostResponses.push(action);
        throw lostResponseError(`${service}.${region}.amazonaws.com`);
      }
      return output;
    };
    this.routes.set(`${service}:${action}`, guarded);
    this.mocks[service]
      ?.on(command as never)
      .callsFake(async (input: unknown, getClient: () => { config: { region: unknown } }) => guarded(input, await regionOf(getClient)));
  }

  /**
   * Answers one API call as AWS would: `service` is the signing name (`rds`, `autoscaling`,
   * `elasticloadbalancing`, `monitoring`, `globalaccelerator`, `sns`, `ssm`), `action` the
   * operation (`DescribeDBInstances`), `accessKeyId` the caller's (authorized by {@link FakeAws.iam}).
   * Throws SDK-shaped errors.
   */
  async handle(service: string, action: string, input: Record<string, unknown>, region: string, accessKeyId?: string): Promise<unknown> {
    const answer = this.routes.get(`${service}:${action}`);
    if (!answer) throw awsError('InvalidAction', `${service} ${action} is not modelled by FakeAws`);
    return answer(input, region, accessKeyId);
  }

  /** Every call the fake answers, as `<signing name>:<Action>` (each needs an entry in `iam/route-authorizations.ts`). */
  get routeKeys(): readonly string[] {
    return [...this.routes.keys()];
  }

  /**
   * The mutating calls made so far: promotions (attempts), new replicas, instance modifications
   * (rename, retire, parameter group, backups, deletion protection: one per call), reboots,
   * parameter group changes and resets, capacity and traffic changes, snapshots.
   */
  mutations(): number {
    const kinds = [
      'promoteReplicaAttempts',
      'createReplica',
      'modifyInstance',
      'rebootInstance',
      'setWriteFence',
      'liftWriteFence',
      'setCapacity',
      'setTrafficDial',
      'setEndpointWeight',
      'createSnapshot',
      'copySnapshot',
      'deleteSnapshot',
    ];
    return kinds.reduce((n, k) => n + (this.calls[k] ?? 0), 0);
  }

  /** Adds a snapshot as if an earlier run had taken it. */
  addSnapshot(snapshot: Omit<FakeSnapshot, 'describesLeft'> & { describesLeft?: number }): void {
    this.snapshots.push({ describesLeft: 0, ...snapshot });
  }

  private wire(): void {
    this.route('rds', DescribeDBInstancesCommand, async (input, region) => this.rds.describeInstances(input, region));
    this.route('rds', PromoteReadReplicaCommand, async (input, region) => this.rds.promote(input, region));
    this.route('rds', CreateDBInstanceReadReplicaCommand, async (input, region) => this.rds.createReplica(input, region));
    this.route('rds', ModifyDBInstanceCommand, async (input, region) => this.rds.modifyInstance(input, region));
    this.route('rds', RebootDBInstanceCommand, async (input, region) => this.rds.reboot(input, region));
    this.route('rds', ModifyDBParameterGroupCommand, async (input, region) => this.rds.modifyGroup(input, region));
    this.route('rds', ResetDBParameterGroupCommand, async (input, region) => this.rds.resetGroup(input, region));
    this.route('rds', DescribeDBParametersCommand, async (input, region) => this.rds.describeParameters(input, region));
    this.route('monitoring', GetMetricDataCommand, async (input, region) => {
      const stat = input.MetricDataQueries?.[0]?.MetricStat?.Metric;
      if (stat?.MetricName === 'ResourceCount') {
        const used = this.readiness.usage(region, this.asgs.get(region)?.instances.length ?? 0);
        return {
          MetricDataResults: [
            {
              Id: input.MetricDataQueries[0].Id,
              Timestamps: used === undefined ? [] : [new Date()],
              Values: used === undefined ? [] : [used],
            },
          ],
        };
      }
      if (stat?.MetricName === 'OperationsFailedReplication') {
        return {
          MetricDataResults: input.MetricDataQueries.map(
            (q: { Id: string; MetricStat?: { Metric?: { Dimensions?: { Name: string; Value: string }[] } } }) => {
              const bucket = q.MetricStat?.Metric?.Dimensions?.find((d) => d.Name === 'SourceBucket')?.Value ?? '';
              const values = this.readiness.replicationFailures.get(bucket) ?? [];
              return { Id: q.Id, Timestamps: values.map(() => new Date()), Values: values };
            },
          ),
        };
      }
      // The replica lags until its source's group has read_only = 1; then it catches up.
      const id = input.MetricDataQueries?.[0]?.MetricStat?.Metric?.Dimensions?.find(
        (d: { Name?: string }) => d.Name === 'DBInstanceIdentifier',
      )?.Value;
      return {
        MetricDataResults: [{ Id: 'lag', Timestamps: [new Date()], Values: [this.rds.replicaLag(region, id, this.replicaLagSeconds)] }],
      };
    });
    this.route('monitoring', DescribeAlarmsCommand, async (input) => {
      const names: string[] = input.AlarmNames ?? [];
      const found = names.filter((n) => this.alarmStates.has(n)).map((n) => ({ AlarmName: n, StateValue: this.alarmStates.get(n) }));
      return { MetricAlarms: found, CompositeAlarms: [] };
    });
    this.route('monitoring', ListMetricsCommand, async (input) => this.readiness.listMetrics(input, this.config));
    this.route('monitoring', PutMetricDataCommand, async (input, region) => this.readiness.putMetricData(input, region));
    this.route('ec2', DescribeLaunchTemplateVersionsCommand, async (input, region) => this.readiness.launchTemplateVersions(input, region));
    this.route('ec2', DescribeImagesCommand, async (input, region) => this.readiness.describeImages(input, region));
    this.route('ec2', DescribeInstanceTypesCommand, async (input) => this.readiness.describeInstanceTypes(input));
    this.route('servicequotas', GetServiceQuotaCommand, async (input, region) => this.readiness.serviceQuota(input, region));
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
            Instances: g.instances.map((i, n) => ({
              InstanceId: `i-${n}`,
              LifecycleState: i.describesLeft <= 0 ? 'InService' : 'Pending',
            })),
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
      return {
        EndpointGroup: {
          EndpointGroupArn: input.EndpointGroupArn,
          TrafficDialPercentage: g.dial,
          EndpointDescriptions: g.endpoints.map((e) => ({ EndpointId: e.id, Weight: e.weight, HealthState: health })),
        },
      };
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
        // The list replaces the group's endpoints; an omitted weight is the default, 128.
        // https://docs.aws.amazon.com/global-accelerator/latest/api/API_UpdateEndpointGroup.html
        g.endpoints = input.EndpointConfigurations.map(
          (e: { EndpointId: string; Weight?: number; ClientIPPreservationEnabled?: boolean }) => ({
            id: e.EndpointId,
            weight: e.Weight ?? 128,
            clientIp: e.ClientIPPreservationEnabled,
          }),
        );
      }
      return {};
    });
    this.wireEndpointGroupLifecycle();
    this.route('sns', PublishCommand, async (input) => {
      this.published.push({ subject: input.Subject, message: input.Message });
      return { MessageId: `m-${this.published.length}` };
    });
    this.route('ssm', GetParameterCommand, async (input, region) => {
      const value = this.parameters.get(`${region}:${input.Name}`);
      if (value === undefined) throw awsError('ParameterNotFound', `Parameter ${input.Name} not found.`);
      return { Parameter: { Name: input.Name, Type: 'String', Value: value } };
    });
    // https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html
    this.route('secretsmanager', GetSecretValueCommand, async (input, region) => {
      const value = this.secrets.get(`${region}:${input.SecretId}`);
      if (value === undefined) throw awsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
      return { ARN: input.SecretId, Name: input.SecretId, SecretString: value, VersionId: 'fake-version', VersionStages: ['AWSCURRENT'] };
    });
    this.wireSnapshots();
  }

  private wireSnapshots(): void {
    const arnOf = (s: FakeSnapshot) => `arn:aws:rds:${s.region}:123456789012:snapshot:${s.id}`;
    this.route('rds', DescribeDBSnapshotsCommand, async (input, region) => {
      const all = this.snapshots.filter(
        (s) => s.region === region && (!input.DBInstanceIdentifier || s.dbInstanceIdentifier === input.DBInstanceIdentifier),
      );
      const { items, marker } = page(all, input);
      for (const s of items) s.describesLeft--;
      return {
        DBSnapshots: items.map((s) => ({
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
        Marker: marker,
      };
    });
    this.route('rds', CreateDBSnapshotCommand, async (input, region) => {
      if (this.snapshots.some((s) => s.region === region && s.id === input.DBSnapshotIdentifier))
        throw awsError('DBSnapshotAlreadyExistsFault');
      if (!this.rds.find(region, input.DBInstanceIdentifier))
        throw awsError('DBInstanceNotFoundFault', `DBInstance ${input.DBInstanceIdentifier} not found.`, 404);
      this.count('createSnapshot');
      const tags = Object.fromEntries((input.Tags ?? []).map((t: { Key: string; Value: string }) => [t.Key, t.Value]));
      this.snapshots.push({
        region,
        id: input.DBSnapshotIdentifier,
        dbInstanceIdentifier: input.DBInstanceIdentifier,
        describesLeft: this.snapshotDescribesUntilAvailable,
        createdAt: new Date(),
        tags,
      });
      return {};
    });
    this.route('rds', CopyDBSnapshotCommand, async (input, region) => {
      const source = this.snapshots.find((s) => arnOf(s) === input.SourceDBSnapshotIdentifier);
      if (!source) throw awsError('DBSnapshotNotFoundFault', `${input.SourceDBSnapshotIdentifier} not found`, 404);
      if (this.snapshots.some((s) => s.region === region && s.id === input.TargetDBSnapshotIdentifier))
        throw awsError('DBSnapshotAlreadyExistsFault');
      this.count('copySnapshot');
      const tags = Object.fromEntries((input.Tags ?? []).map((t: { Key: string; Value: string }) => [t.Key, t.Value]));
      this.snapshots.push({
        region,
        id: input.TargetDBSnapshotIdentifier,
        dbInstanceIdentifier: source.dbInstanceIdentifier,
        describesLeft: this.snapshotDescribesUntilAvailable,
        createdAt: source.createdAt,
        tags,
        kmsKeyId: input.KmsKeyId,
      });
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

  /**
   * Global Accelerator's endpoint group lifecycle and the CloudFormation reads a custom resource
   * makes. CreateEndpointGroup: one group per region on a listener
   * (EndpointGroupAlreadyExistsException otherwise), the same group again for a repeated
   * IdempotencyToken, dial 100 and weight 128 when omitted; ListEndpointGroups by listener;
   * DeleteEndpointGroup (EndpointGroupNotFoundException when absent). DescribeStacks and
   * ListStackResources by stack id or name; an unknown stack is a ValidationError.
   * @see https://docs.aws.amazon.com/global-accelerator/latest/api/API_CreateEndpointGroup.html
   * @see https://docs.aws.amazon.com/global-accelerator/latest/api/API_ListEndpointGroups.html
   * @see https://docs.aws.amazon.com/global-accelerator/latest/api/API_DeleteEndpointGroup.html
   * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html
   */
  private wireEndpointGroupLifecycle(): void {
    const describe = (arn: string) => {
      const g = this.groups.get(arn)!;
      const health = this.healthy(g.region) > 0 ? 'HEALTHY' : 'UNHEALTHY';
      return {
        EndpointGroupArn: arn,
        EndpointGroupRegion: g.region,
        TrafficDialPercentage: g.dial,
        EndpointDescriptions: g.endpoints.map((e) => ({
          EndpointId: e.id,
          Weight: e.weight,
          HealthState: health,
          ClientIPPreservationEnabled: e.clientIp,
        })),
      };
    };
    const onListener = (listenerArn: string) => [...this.groups.keys()].filter((arn) => arn.startsWith(`${listenerArn}/endpoint-group/`));
    this.route('globalaccelerator', CreateEndpointGroupCommand, async (input) => {
      const earlier = input.IdempotencyToken ? this.groupTokens.get(input.IdempotencyToken) : undefined;
      if (earlier && this.groups.has(earlier)) return { EndpointGroup: describe(earlier) };
      if (onListener(input.ListenerArn).some((arn) => this.groups.get(arn)?.region === input.EndpointGroupRegion))
        throw awsError(
          'EndpointGroupAlreadyExistsException',
          `The listener already has an endpoint group in ${input.EndpointGroupRegion}.`,
        );
      this.count('createEndpointGroup');
      const arn = `${input.ListenerArn}/endpoint-group/${randomBytes(6).toString('hex')}`;
      const endpoints = (input.EndpointConfigurations ?? []).map(
        (e: { EndpointId: string; Weight?: number; ClientIPPreservationEnabled?: boolean }) => ({
          id: e.EndpointId,
          weight: e.Weight ?? 128,
          clientIp: e.ClientIPPreservationEnabled,
        }),
      );
      this.groups.set(arn, { region: input.EndpointGroupRegion, dial: input.TrafficDialPercentage ?? 100, endpoints });
      if (input.IdempotencyToken) this.groupTokens.set(input.IdempotencyToken, arn);
      return { EndpointGroup: describe(arn) };
    });
    this.route('globalaccelerator', ListEndpointGroupsCommand, async (input) => ({
      EndpointGroups: onListener(input.ListenerArn).map(describe),
    }));
    this.route('globalaccelerator', DeleteEndpointGroupCommand, async (input) => {
      if (!this.groups.delete(input.EndpointGroupArn)) throw awsError('EndpointGroupNotFoundException');
      this.count('deleteEndpointGroup');
      return {};
    });
    const stack = (name: string) => {
      const found = this.stacks.get(name) ?? [...this.stacks.values()].find((s) => s.name === name);
      if (!found) throw awsError('ValidationError', `Stack with id ${name} does not exist`);
      return found;
    };
    this.route('cloudformation', DescribeStacksCommand, async (input) => {
      const s = stack(input.StackName);
      const id = [...this.stacks.entries()].find(([, v]) => v === s)?.[0];
      return { Stacks: [{ StackId: id, StackName: s.name, StackStatus: s.status, CreationTime: new Date(0) }] };
    });
    this.route('cloudformation', ListStackResourcesCommand, async (input) => ({
      StackResourceSummaries: stack(input.StackName).resources.map((r) => ({ ...r, LastUpdatedTimestamp: new Date(0) })),
    }));
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
