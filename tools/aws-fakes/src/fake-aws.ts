import type { DrConfig } from '@dr/failover-core';
import { awsError, lostResponseError, networkError } from './errors.js';
import { FakeReadiness } from './fake-readiness.js';
import { FakeIam } from './iam/fake-iam.js';
import { wireMonitoring } from './routes/monitoring.js';
import { wireMessagingAndConfig } from './routes/config.js';
import { wireRds } from './routes/rds.js';
import { wireAurora } from './routes/aurora.js';
import { FakeAurora } from './fake-aurora.js';
import type { FakeAuroraKnobs, FakeAuroraState } from './fake-aurora-model.js';
import { mockSdkClients, type FakeSdkMocks } from './fake-sdk-mocks.js';
import { wireEndpointGroupLifecycle, wireTraffic } from './routes/traffic.js';
import type { FakeHandler, FakeWiring } from './routes/wiring.js';
import { FakeOutages, MUTATING_CALLS, type FakeAsg, type FakeService, type FakeSnapshot, type FakeStack } from './fake-aws-state.js';
import { FakeRds, type FakeDb, type FakeDbState, type FakeParameterGroup, type FakeRdsKnobs } from './fake-rds.js';

type Region = () => Promise<string>;

export { FakeOutages, type FakeAsg, type FakeService, type FakeSnapshot, type FakeStack };

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
export class FakeAws implements FakeRdsKnobs, FakeAuroraKnobs {
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
  /**
   * The Aurora tier's world (`fake-aurora.ts`), seeded from an `aurora-global` config: clusters,
   * their instances, cluster parameter groups, the global cluster and cluster snapshots.
   */
  readonly aurora: FakeAurora;
  /** Describes of the global cluster a failover reports `failing-over`, after one that does not show it yet and one `pending`. */
  globalFailoverDescribes = 2;
  /** Describes of the global cluster a switchover reports `switching-over`. */
  globalSwitchoverDescribes = 2;
  /** Describes of the global cluster a recovered old primary reports `pending-resync`, after its region answers again. */
  rejoinDescribes = 3;
  /** The Aurora secondary's global lag (ms) while the writer takes writes. */
  globalLagMs = 800;
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
  private readonly mocks: FakeSdkMocks;

  /**
   * @param layout which region serves: `steady` (the primary, the DR region a pilot light) or
   * `failed-over` (the DR region; the old primary a standalone instance, or on the Aurora tier a rejoined secondary).
   * @param options.mockSdk also answer calls made through this process's own SDK clients
   * (aws-sdk-client-mock); off when only {@link FakeAws.handle} (the HTTP front end) is used.
   */
  constructor(
    private readonly config: DrConfig,
    layout: 'steady' | 'failed-over' = 'steady',
    options: { readonly mockSdk?: boolean } = {},
  ) {
    this.mocks = options.mockSdk === false ? {} : mockSdkClients();
    const { primary, secondary } = config;
    this.rds = new FakeRds(config, layout, this, (kind) => this.count(kind));
    this.aurora = new FakeAurora(config, layout, this, (kind) => this.count(kind));
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

  /** The truth about one Aurora instance and its cluster (role, the fence in effect, whether it accepts writes). */
  auroraDb(region: string, id: string): FakeAuroraState | undefined {
    return this.aurora.state(region, id);
  }

  /** Identifiers of the DB instances in `region` that accept writes now (two writable regions: split brain). */
  writable(region: string): string[] {
    return [...this.rds.writable(region), ...this.aurora.writable(region)];
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
    return MUTATING_CALLS.reduce((n, k) => n + (this.calls[k] ?? 0), 0);
  }

  /** Adds a snapshot as if an earlier run had taken it. */
  addSnapshot(snapshot: Omit<FakeSnapshot, 'describesLeft'> & { describesLeft?: number }): void {
    this.snapshots.push({ describesLeft: 0, ...snapshot });
  }

  /** Registers every route, service by service (`routes/`). */
  private wire(): void {
    const wiring: FakeWiring = {
      route: (service, command, answer) => this.route(service, command, answer),
      count: (kind) => this.count(kind),
      rds: this.rds,
      aurora: this.aurora,
      healthy: (region) => this.healthy(region),
      groupTokens: this.groupTokens,
    };
    wireRds(this, wiring);
    wireAurora(this.aurora, wiring);
    wireMonitoring(this, wiring);
    wireTraffic(this, wiring);
    wireEndpointGroupLifecycle(this, wiring);
    wireMessagingAndConfig(this, wiring);
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
