import { awsError } from './errors.js';
import { DEFAULT_PARAMETER_GROUP, NOT_AVAILABLE, dbArn, page, parseDbArn, type FakeDb } from './fake-rds-model.js';
import { FakeRdsParameterGroups } from './fake-rds-parameter-groups.js';

/**
 * The RDS part of {@link FakeAws}: DB instances and DB parameter groups of two regions, and the
 * answers to the RDS calls the adapters make, behaving as AWS documents over successive calls.
 * Time in the fake is counted in describes: a status such as `renaming` or a parameter change
 * `applying` lasts a given number of DescribeDBInstances that report the instance.
 *
 * Where AWS is silent, the choice made is marked UNCONFIRMED (see
 * /work/shared/aws-behaviours/rds-and-aurora.md for the catalogue these come from).
 */

export {
  DEFAULT_PARAMETER_GROUP,
  page,
  type FakeDb,
  type FakeDbSettings,
  type FakeDbState,
  type FakeDbStep,
  type FakeParameterGroup,
  type FakeRdsKnobs,
} from './fake-rds-model.js';

/** The RDS world of {@link FakeAws}: instances, parameter groups, and the calls that change them. */
export class FakeRds extends FakeRdsParameterGroups {
  /**
   * DescribeDBInstances: one instance by identifier or ARN, or every instance of the region page
   * by page (Marker, MaxRecords). Each instance reported counts as one describe of it.
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBInstances.html
   */
  describeInstances(input: { DBInstanceIdentifier?: string; Marker?: string; MaxRecords?: number }, region: string): unknown {
    if (input.DBInstanceIdentifier) return { DBInstances: [this.observe(this.mustFind(region, input.DBInstanceIdentifier))] };
    const { items, marker } = page(
      this.dbs.filter((d) => d.region === region),
      input,
    );
    return { DBInstances: items.map((d) => this.observe(d)), Marker: marker };
  }

  /**
   * PromoteReadReplica: the replica still reports `available` for two describes (the waiter
   * race), then `modifying` and `rebooting`, then `available` as a primary with the requested
   * backup retention. A second call, or a call on a primary, is InvalidDBInstanceState.
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.Promote.html
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_PromoteReadReplica.html (BackupRetentionPeriod, default 1)
   */
  promote(input: { DBInstanceIdentifier?: string; BackupRetentionPeriod?: number }, region: string): unknown {
    // Every attempt counts, refused or not: a repeated promotion must show up in the tests.
    this.count('promoteReplicaAttempts');
    const db = this.mustFind(region, input.DBInstanceIdentifier);
    if (!db.sourceArn) throw awsError('InvalidDBInstanceStateFault', 'DB Instance is not a read replica.');
    if (db.upcoming.length > 0) throw awsError('InvalidDBInstanceStateFault', NOT_AVAILABLE);
    // RDS refuses to promote a replica it cannot promote now (one `backing-up`, say) with
    // InvalidDBInstanceState, "The DB instance isn't in a valid state"; the replica stays one.
    // @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_PromoteReadReplica.html (Errors: InvalidDBInstanceState, HTTP 400)
    // @see https://docs.aws.amazon.com/sdkfornet/v3/apidocs/items/RDS/MIRDSPromoteReadReplicaPromoteReadReplicaRequest.html ("cannot be promoted ... when it is in the backing-up status")
    if (this.knobs.refusePromotion) throw awsError('InvalidDBInstanceStateFault', NOT_AVAILABLE);
    const retention = input.BackupRetentionPeriod;
    if (retention !== undefined && (retention < 0 || retention > 35))
      throw awsError('InvalidParameterValue', 'BackupRetentionPeriod must be between 0 and 35.');
    this.count('promoteReplica');
    const promote = (d: FakeDb) => {
      d.sourceArn = undefined;
      // API default 1 when not given; whether a replica's own non-zero retention is kept then is
      // UNCONFIRMED: the fake keeps it.
      d.settings.backupRetentionPeriod = retention ?? (d.settings.backupRetentionPeriod || 1);
    };
    db.upcoming.push(
      { status: 'available' },
      { status: 'available' },
      { status: 'modifying' },
      { status: 'modifying' },
      { status: 'rebooting' },
      { status: 'available', effect: promote },
    );
    return { DBInstance: this.view(db) };
  }

  /**
   * CreateDBInstanceReadReplica, called in the replica's region. The source is named by ARN
   * across regions and must have automated backups; a cross-region replica gets the engine's
   * default parameter group unless one is given; backups, deletion protection, IAM auth, log
   * exports and tag copying are off unless asked for.
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstanceReadReplica.html
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.XRgn.html
   */
  createReplica(input: Record<string, unknown>, region: string): unknown {
    const id = String(input.DBInstanceIdentifier ?? '');
    if (this.find(region, id)) throw awsError('DBInstanceAlreadyExistsFault', 'DB instance already exists');
    const sourceRef = String(input.SourceDBInstanceIdentifier ?? '');
    const sourceArn = parseDbArn(sourceRef);
    const src = this.mustFind(sourceArn?.region ?? region, sourceRef);
    const crossRegion = src.region !== region;
    if (src.upcoming.length > 0) throw awsError('InvalidDBInstanceStateFault', NOT_AVAILABLE);
    // AWS answers InvalidDBInstanceState with this message (quoted from AWS in fog-aws's tests).
    // @see https://github.com/fog/fog-aws/blob/master/tests/requests/rds/instance_tests.rb
    if (src.settings.backupRetentionPeriod === 0) {
      throw awsError(
        'InvalidDBInstanceStateFault',
        'Automated backups are not enabled for this database instance. To enable automated backups, use ModifyDBInstance to set the backup retention period to a non-zero value.',
      );
    }
    // The error code of a missing KmsKeyId for an encrypted cross-region replica is UNCONFIRMED.
    if (crossRegion && src.settings.storageEncrypted && !input.KmsKeyId)
      throw awsError('InvalidParameterCombination', 'KmsKeyId is required to create an encrypted cross-region read replica.');
    // "Specifying a parameter group ... isn't supported for MySQL DB instances for same Region
    // read replicas" (error code UNCONFIRMED); a subnet group is refused for them.
    if (!crossRegion && input.DBParameterGroupName)
      throw awsError(
        'InvalidParameterCombination',
        'A DB parameter group cannot be specified for a MySQL read replica in the same Region.',
      );
    if (!crossRegion && input.DBSubnetGroupName)
      throw awsError(
        'DBSubnetGroupNotAllowedFault',
        'DbSubnetGroupName should not be specified for read replicas that are created in the same region as the master',
      );
    const groupName =
      typeof input.DBParameterGroupName === 'string'
        ? input.DBParameterGroupName
        : crossRegion
          ? DEFAULT_PARAMETER_GROUP
          : src.parameterGroup;
    const group = this.mustGroup(region, groupName);
    const bool = (v: unknown, fallback: boolean) => (typeof v === 'boolean' ? v : fallback);
    const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
    const tags = Array.isArray(input.Tags)
      ? Object.fromEntries((input.Tags as { Key: string; Value: string }[]).map((t) => [t.Key, t.Value]))
      : {};
    this.count('createReplica');
    const db = this.newDb({
      region,
      id,
      sourceArn: src.arn,
      upcoming: Array.from({ length: this.knobs.createReplicaDescribes }, () => ({ status: 'creating' })),
      group: group.name,
      settings: {
        // Instance class and minor-version upgrades are inherited; storage type too (the user
        // guide and API text disagree: UNCONFIRMED); encryption follows the source.
        instanceClass: typeof input.DBInstanceClass === 'string' ? input.DBInstanceClass : src.settings.instanceClass,
        allocatedStorage: src.settings.allocatedStorage,
        storageType: typeof input.StorageType === 'string' ? input.StorageType : src.settings.storageType,
        storageEncrypted: src.settings.storageEncrypted,
        kmsKeyId: crossRegion ? (input.KmsKeyId as string | undefined) : src.settings.kmsKeyId,
        multiAz: bool(input.MultiAZ, false),
        backupRetentionPeriod: 0,
        deletionProtection: bool(input.DeletionProtection, false),
        iamAuthentication: bool(input.EnableIAMDatabaseAuthentication, false),
        // Whether a cross-region replica inherits log exports is UNCONFIRMED: none unless asked.
        cloudwatchLogsExports: list(input.EnableCloudwatchLogsExports),
        copyTagsToSnapshot: bool(input.CopyTagsToSnapshot, false),
        autoMinorVersionUpgrade: bool(input.AutoMinorVersionUpgrade, src.settings.autoMinorVersionUpgrade),
        publiclyAccessible: bool(input.PubliclyAccessible, false),
        subnetGroupName: crossRegion ? (input.DBSubnetGroupName as string | undefined) : src.settings.subnetGroupName,
        securityGroupIds: list(input.VpcSecurityGroupIds),
        tags,
      },
      createdAt: new Date(),
    });
    this.dbs.push(db);
    return { DBInstance: this.view(db) };
  }

  /**
   * ModifyDBInstance: rename (`renaming` for some describes, then only the new identifier
   * answers), associate a parameter group (`pending-reboot` until a reboot), backup retention
   * (refused at 0 on a source of replicas; 0 ↔ non-zero is an outage: `modifying`), deletion
   * protection. Without ApplyImmediately, a rename or retention change waits for the maintenance
   * window (never reached here). Nothing to change is InvalidParameterCombination.
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBInstance.html
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_RenameInstance.html
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.html (0 ↔ non-zero causes an outage)
   * @see https://github.com/hashicorp/terraform/issues/12815 ("InvalidParameterCombination: No modifications were requested")
   */
  modifyInstance(input: Record<string, unknown>, region: string): unknown {
    const db = this.mustFind(region, input.DBInstanceIdentifier as string | undefined);
    // @see https://github.com/cloud-custodian/cloud-custodian/issues/178 (AWS: "InvalidDBInstanceState ... Database instance is not in available state.")
    if (db.upcoming.length > 0) throw awsError('InvalidDBInstanceStateFault', NOT_AVAILABLE);
    const immediately = input.ApplyImmediately === true;
    const newId =
      typeof input.NewDBInstanceIdentifier === 'string' && input.NewDBInstanceIdentifier !== db.id
        ? input.NewDBInstanceIdentifier
        : undefined;
    const groupName =
      typeof input.DBParameterGroupName === 'string' && input.DBParameterGroupName !== db.parameterGroup
        ? input.DBParameterGroupName
        : undefined;
    const retention =
      typeof input.BackupRetentionPeriod === 'number' && input.BackupRetentionPeriod !== db.settings.backupRetentionPeriod
        ? input.BackupRetentionPeriod
        : undefined;
    const protection =
      typeof input.DeletionProtection === 'boolean' && input.DeletionProtection !== db.settings.deletionProtection
        ? input.DeletionProtection
        : undefined;
    const modelled = new Set([
      'DBInstanceIdentifier',
      'ApplyImmediately',
      'NewDBInstanceIdentifier',
      'DBParameterGroupName',
      'BackupRetentionPeriod',
      'DeletionProtection',
    ]);
    const others = Object.keys(input).filter((k) => !modelled.has(k) && input[k] !== undefined);
    if (newId === undefined && groupName === undefined && retention === undefined && protection === undefined && others.length === 0) {
      throw awsError('InvalidParameterCombination', 'No modifications were requested');
    }
    // Validate the whole request before changing anything, as AWS does.
    if (newId !== undefined && this.find(region, newId))
      throw awsError('DBInstanceAlreadyExistsFault', `DB instance already exists: ${newId}`);
    if (groupName !== undefined) this.mustGroup(region, groupName);
    if (retention !== undefined) {
      if (retention < 0 || retention > 35) throw awsError('InvalidParameterValue', 'BackupRetentionPeriod must be between 0 and 35.');
      // "Can't be set to 0 if the DB instance is a source to read replicas." (error code UNCONFIRMED)
      if (retention === 0 && this.replicasOf(db).length > 0)
        throw awsError(
          'InvalidParameterCombination',
          'Cannot set backup retention to 0 on a DB instance that is a source of read replicas.',
        );
    }
    this.count('modifyInstance');
    if (protection !== undefined) {
      this.count('setDeletionProtection');
      db.settings.deletionProtection = protection;
    }
    if (groupName !== undefined) {
      this.count('setParameterGroup');
      db.parameterGroup = groupName;
      // Back to the group it runs with: nothing is pending any more.
      if (groupName === db.effectiveParameterGroup) db.pendingRebootChange = false;
    }
    if (retention !== undefined) {
      this.count('setBackupRetention');
      if (!immediately && db.settings.backupRetentionPeriod > 0 && retention > 0) db.settings.backupRetentionPeriod = retention;
      else if (!immediately) db.deferred.BackupRetentionPeriod = retention;
      else {
        const outage = (db.settings.backupRetentionPeriod === 0) !== (retention === 0);
        db.settings.backupRetentionPeriod = retention;
        if (outage) db.upcoming.push(...Array.from({ length: this.knobs.modifyDescribes }, () => ({ status: 'modifying' })));
      }
    }
    if (newId !== undefined) {
      this.count('renameInstance');
      if (groupName !== undefined) this.count('retireInstance');
      if (!immediately) db.deferred.NewDBInstanceIdentifier = newId;
      else {
        // The old name answers `renaming`, then only the new name answers. AWS also reboots the
        // instance after a rename; whether that reboot applies a pending parameter group is
        // UNCONFIRMED, so the fake keeps the association pending until RebootDBInstance.
        const flip = (d: FakeDb) => {
          const oldArn = d.arn;
          d.id = newId;
          d.arn = dbArn(d.region, newId);
          for (const r of this.dbs) if (r.sourceArn === oldArn) r.sourceArn = d.arn;
        };
        const n = Math.max(1, this.knobs.renameDescribes);
        db.upcoming.push(...Array.from({ length: n }, (_, i) => ({ status: 'renaming', effect: i === n - 1 ? flip : undefined })));
      }
    }
    return { DBInstance: this.view(db) };
  }

  /**
   * RebootDBInstance: only from `available`; `rebooting` for some describes, after which a
   * pending parameter group association (or pending-reboot change) is in effect, `in-sync`.
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_RebootInstance.html
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RebootDBInstance.html
   */
  reboot(input: { DBInstanceIdentifier?: string }, region: string): unknown {
    const db = this.mustFind(region, input.DBInstanceIdentifier);
    if (db.upcoming.length > 0) throw awsError('InvalidDBInstanceStateFault', NOT_AVAILABLE);
    this.count('rebootInstance');
    const restart = (d: FakeDb) => {
      d.effectiveParameterGroup = d.parameterGroup;
      d.pendingRebootChange = false;
      d.applyingDescribes = 0;
      d.appliedReadOnly = this.readOnlyOf(d.region, d.parameterGroup);
    };
    const n = Math.max(1, this.knobs.rebootDescribes);
    db.upcoming.push(...Array.from({ length: n }, (_, i) => ({ status: 'rebooting', effect: i === n - 1 ? restart : undefined })));
    return { DBInstance: this.view(db) };
  }
}
