import {
  CreateDBInstanceReadReplicaCommand,
  DescribeDBInstancesCommand,
  DescribeDBParametersCommand,
  ModifyDBInstanceCommand,
  ModifyDBParameterGroupCommand,
  PromoteReadReplicaCommand,
  RDSClient,
  type DBInstance,
  type RDSClientConfig,
} from '@aws-sdk/client-rds';
import { isOperationRejected, isResourceNotFound, NotReadyError, OperationRejectedError, type Database, type DbRef, type DbStatus, type RegionResources } from '@dr/failover-core';
import { allPages, callAws, DEFAULT_CALL_POLICY, type CallPolicy } from '../aws-call.js';
import { ClientCache, type RegionalClients } from '../clients.js';
import type { CloudWatchMetrics } from '../cloudwatch/cloudwatch-metrics.js';

/** Per-region settings the RDS adapter needs beyond a `DbRef`: from the DR config's region entries. */
export type RdsRegionSettings = Pick<RegionResources, 'region' | 'dbParameterGroupName' | 'dbKmsKeyArn' | 'dbSubnetGroupName' | 'dbSecurityGroupIds'>;

/** Options of {@link RdsDatabase}. */
export type RdsDatabaseOptions = RegionalClients<RDSClient, RDSClientConfig> & {
  /** Reads replica lag. */
  readonly metrics: CloudWatchMetrics;
  /** Settings of each region, by region name. */
  readonly regions: readonly RdsRegionSettings[];
  readonly policy?: CallPolicy;
};

const MISSING: DbStatus = { exists: false, status: 'not-found', role: 'primary', writable: false, writeFenced: false };
const NOT_FOUND = ['DBInstanceNotFoundFault', 'DBInstanceNotFound'];

/**
 * The `Database` port on RDS. Promotion is idempotent (`InvalidDBInstanceState` on an instance
 * already promoted or promoting is success); replicas are created cross-region from the source's
 * ARN with the destination's KMS key, and the SDK presigns the request for the source region.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.Promote.html
 */
export class RdsDatabase implements Database {
  private readonly clients: ClientCache<RDSClient, RDSClientConfig>;
  private readonly policy: CallPolicy;

  constructor(private readonly options: RdsDatabaseOptions) {
    this.clients = new ClientCache(options, (c) => new RDSClient(c));
    this.policy = options.policy ?? DEFAULT_CALL_POLICY;
  }

  private settings(region: string): RdsRegionSettings {
    return this.options.regions.find((r) => r.region === region) ?? { region };
  }

  private ctx(db: DbRef) {
    return { region: db.region, resource: `RDS instance ${db.dbInstanceIdentifier}`, notFound: NOT_FOUND };
  }

  private async instance(db: DbRef): Promise<DBInstance | undefined> {
    try {
      const out = await callAws(this.ctx(db), (abortSignal) => this.clients.get(db.region).send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: db.dbInstanceIdentifier }), { abortSignal }), this.policy);
      return out.DBInstances?.[0];
    } catch (e) {
      if (isResourceNotFound(e)) return undefined;
      throw e;
    }
  }

  private async readOnly(region: string, parameterGroup: string): Promise<boolean> {
    const params = await allPages(async (token) => {
      const out = await callAws({ region, resource: `DB parameter group ${parameterGroup}`, notFound: ['DBParameterGroupNotFoundFault', 'DBParameterGroupNotFound'] }, (abortSignal) => this.clients.get(region).send(new DescribeDBParametersCommand({ DBParameterGroupName: parameterGroup, Source: 'user', Marker: token }), { abortSignal }), this.policy);
      return { items: out.Parameters ?? [], next: out.Marker };
    });
    const value = params.find((p) => p.ParameterName === 'read_only')?.ParameterValue;
    return value === '1' || value?.toUpperCase() === 'ON';
  }

  async describe(db: DbRef): Promise<DbStatus> {
    const found = await this.instance(db);
    if (!found) return MISSING;
    const role = found.ReadReplicaSourceDBInstanceIdentifier ? 'replica' : 'primary';
    const parameterGroup = this.settings(db.region).dbParameterGroupName;
    const [readOnlySet, lag] = await Promise.all([
      role === 'primary' && parameterGroup ? this.readOnly(db.region, parameterGroup) : Promise.resolve(false),
      role === 'replica' ? this.options.metrics.replicaLag(db.region, db.dbInstanceIdentifier) : Promise.resolve(undefined),
    ]);
    // The fence holds only once the instance has applied its parameter group's change.
    const applied = found.DBParameterGroups?.find((g) => g.DBParameterGroupName === parameterGroup)?.ParameterApplyStatus;
    const writeFenced = readOnlySet && (applied === undefined || applied === 'in-sync');
    const status = found.DBInstanceStatus ?? 'unknown';
    return {
      exists: true,
      status,
      role,
      sourceIdentifier: found.ReadReplicaSourceDBInstanceIdentifier,
      writable: role === 'primary' && status === 'available' && !readOnlySet,
      writeFenced,
      replicaLagSeconds: lag?.seconds,
      replicaLagAt: lag?.at,
      replicating: lag?.replicating,
    };
  }

  async promoteReplica(db: DbRef): Promise<void> {
    try {
      await callAws({ ...this.ctx(db), rejected: ['InvalidDBInstanceStateFault', 'InvalidDBInstanceState'] }, (abortSignal) => this.clients.get(db.region).send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: db.dbInstanceIdentifier }), { abortSignal }), this.policy);
    } catch (e) {
      if (!isOperationRejected(e)) throw e;
      // RDS answers InvalidDBInstanceState for an instance already promoted (success for us), for
      // one whose promotion is under way but not yet visible (the waiter race), and for one busy
      // with something else (a backup). Only a gone source proves the promotion; anything else
      // is "not now": retry later, and do not assume our earlier call had no effect.
      const now = await this.instance(db);
      if (!now) throw e;
      if (!now.ReadReplicaSourceDBInstanceIdentifier) return;
      throw new NotReadyError(`${db.dbInstanceIdentifier} in ${db.region} is ${now.DBInstanceStatus ?? 'busy'} and cannot be promoted yet`, { cause: e });
    }
  }

  async createReplica(target: DbRef, source: DbRef): Promise<void> {
    if (await this.instance(target)) return;
    const src = await this.instance(source);
    if (!src?.DBInstanceArn) throw new OperationRejectedError(`cannot create replica ${target.dbInstanceIdentifier}: source ${source.dbInstanceIdentifier} was not found in ${source.region}`);
    const settings = this.settings(target.region);
    const crossRegion = source.region !== target.region;
    try {
      await callAws({ region: target.region, resource: `RDS replica ${target.dbInstanceIdentifier}`, rejected: ['InvalidDBInstanceStateFault', 'DBSubnetGroupNotFoundFault', 'KMSKeyNotAccessibleFault', 'StorageQuotaExceededFault', 'InstanceQuotaExceededFault'] }, (abortSignal) => this.clients.get(target.region).send(new CreateDBInstanceReadReplicaCommand({
          DBInstanceIdentifier: target.dbInstanceIdentifier,
          // A cross-region replica names its source by ARN: from the ARN's region the SDK's RDS
          // middleware presigns the request (PreSignedUrl), as SourceRegion does in other SDKs.
          SourceDBInstanceIdentifier: crossRegion ? src.DBInstanceArn : source.dbInstanceIdentifier,
          // A KMS key belongs only on a cross-region copy of an encrypted source: a same-region
          // replica inherits the source's key, and an unencrypted source cannot yield an
          // encrypted replica.
          KmsKeyId: crossRegion && src.StorageEncrypted ? settings.dbKmsKeyArn : undefined,
          DBSubnetGroupName: settings.dbSubnetGroupName,
          VpcSecurityGroupIds: settings.dbSecurityGroupIds ? [...settings.dbSecurityGroupIds] : undefined,
          DBParameterGroupName: settings.dbParameterGroupName,
          CopyTagsToSnapshot: true,
          Tags: [{ Key: 'dr:source', Value: src.DBInstanceArn }],
        }), { abortSignal }), this.policy);
    } catch (e) {
      // Two controllers racing to create the same replica: the second finds it already there.
      if ((e as { name?: string }).name === 'DBInstanceAlreadyExistsFault') return;
      throw e;
    }
  }

  async renameInstance(db: DbRef, newIdentifier: string): Promise<void> {
    const current = await this.instance(db);
    if (!current) {
      if (await this.instance({ ...db, dbInstanceIdentifier: newIdentifier })) return;
      throw new OperationRejectedError(`cannot rename ${db.dbInstanceIdentifier} in ${db.region}: it does not exist`);
    }
    if (current.DBInstanceStatus === 'renaming') return;
    await callAws({ ...this.ctx(db), rejected: ['InvalidDBInstanceStateFault', 'DBInstanceAlreadyExistsFault'] }, (abortSignal) => this.clients.get(db.region).send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: db.dbInstanceIdentifier, NewDBInstanceIdentifier: newIdentifier, ApplyImmediately: true }), { abortSignal }), this.policy);
  }

  async setWriteFence(db: DbRef, fenced: boolean): Promise<void> {
    const parameterGroup = this.settings(db.region).dbParameterGroupName;
    if (!parameterGroup) {
      throw new OperationRejectedError(`cannot fence writes on ${db.dbInstanceIdentifier}: no dbParameterGroupName is configured for ${db.region}`);
    }
    await callAws({ region: db.region, resource: `DB parameter group ${parameterGroup}`, notFound: ['DBParameterGroupNotFoundFault', 'DBParameterGroupNotFound'], rejected: ['InvalidDBParameterGroupStateFault'] }, (abortSignal) => this.clients.get(db.region).send(new ModifyDBParameterGroupCommand({
        DBParameterGroupName: parameterGroup,
        // read_only is dynamic on MySQL: it applies at once, without a reboot.
        Parameters: [{ ParameterName: 'read_only', ParameterValue: fenced ? '1' : '0', ApplyMethod: 'immediate' }],
      }), { abortSignal }), this.policy);
  }
}
