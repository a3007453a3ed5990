/**
 * The CreateDBInstanceReadReplica request for a replica with every setting of the target region's
 * config, or the refusal that names what is missing: RDS gives a new replica the engine's default
 * parameter group across regions (which cannot be modified, so could never be fenced), no backups,
 * no deletion protection, no IAM authentication and no log exports unless told.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstanceReadReplica.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.XRgn.html
 */
import type { CreateDBInstanceReadReplicaCommandInput, DBInstance } from '@aws-sdk/client-rds';
import { OperationRejectedError } from '@dr/failover-core/errors';
import type { DbRef } from '@dr/failover-core/ports';
import type { RdsRegionSettings } from './rds-answers.js';

/**
 * The request that creates `target` from `source`; the source is read (`readSource`) only once
 * the target region's settings allow a replica at all.
 * @throws OperationRejectedError naming the setting or the state of the source that forbids it.
 */
export async function replicaRequest(
  target: DbRef,
  source: DbRef,
  settings: RdsRegionSettings | undefined,
  readSource: () => Promise<DBInstance | undefined>,
): Promise<CreateDBInstanceReadReplicaCommandInput> {
  const what = `cannot create replica ${target.dbInstanceIdentifier} in ${target.region}`;
  if (!settings?.dbParameterGroupName) {
    throw new OperationRejectedError(
      `${what}: no dbParameterGroupName is configured for ${target.region}; RDS would give it the default group, whose read_only cannot be changed`,
    );
  }
  const src = await readSource();
  if (!src?.DBInstanceArn)
    throw new OperationRejectedError(`${what}: source ${source.dbInstanceIdentifier} was not found in ${source.region}`);
  // RDS refuses a source without automated backups (InvalidDBInstanceState, "Automated backups
  // are not enabled for this database instance"): say so plainly, it is not a busy source.
  if (src.BackupRetentionPeriod === 0) {
    throw new OperationRejectedError(
      `${what}: source ${source.dbInstanceIdentifier} has automated backups off (backup retention 0), and RDS creates no replica from it; set its backup retention first`,
    );
  }
  const crossRegion = source.region !== target.region;
  // A cross-region replica of an encrypted source needs a key of the destination region (keys
  // are regional); a same-region replica uses the source's key, and an unencrypted source
  // cannot yield an encrypted replica.
  if (crossRegion && src.StorageEncrypted && !settings.dbKmsKeyArn) {
    throw new OperationRejectedError(
      `${what}: source ${source.dbInstanceIdentifier} is encrypted and no dbKmsKeyArn is configured for ${target.region}`,
    );
  }
  const s = settings.dbSettings;
  return {
    DBInstanceIdentifier: target.dbInstanceIdentifier,
    // A cross-region replica names its source by ARN: from the ARN's region the SDK's RDS
    // middleware presigns the request (PreSignedUrl), as SourceRegion does in other SDKs.
    SourceDBInstanceIdentifier: crossRegion ? src.DBInstanceArn : source.dbInstanceIdentifier,
    KmsKeyId: crossRegion && src.StorageEncrypted ? settings.dbKmsKeyArn : undefined,
    // Same-region MySQL replicas take neither a parameter group ("isn't supported for MySQL
    // DB instances for same Region read replicas": they share the source's) nor a subnet
    // group (DBSubnetGroupNotAllowedFault).
    DBParameterGroupName: crossRegion ? settings.dbParameterGroupName : undefined,
    DBSubnetGroupName: crossRegion ? settings.dbSubnetGroupName : undefined,
    VpcSecurityGroupIds: settings.dbSecurityGroupIds ? [...settings.dbSecurityGroupIds] : undefined,
    DBInstanceClass: s?.instanceClass,
    StorageType: s?.storageType,
    MultiAZ: s?.multiAz,
    DeletionProtection: s?.deletionProtection,
    EnableIAMDatabaseAuthentication: s?.iamAuthentication,
    EnableCloudwatchLogsExports: s?.cloudwatchLogsExports ? [...s.cloudwatchLogsExports] : undefined,
    CopyTagsToSnapshot: s?.copyTagsToSnapshot ?? true,
    AutoMinorVersionUpgrade: s?.autoMinorVersionUpgrade,
    PubliclyAccessible: false,
    Tags: [...Object.entries(s?.tags ?? {}).map(([Key, Value]) => ({ Key, Value })), { Key: 'dr:source', Value: src.DBInstanceArn }],
  };
}
