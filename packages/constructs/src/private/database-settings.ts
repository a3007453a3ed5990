import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import type { DatabaseSettings } from '../database-config.js';

/**
 * MySQL 8.4 LTS: 8.0 left RDS standard support in July 2026. A full version, because
 * CloudFormation's template validation accepts only released ones. Both regions' databases use
 * it, and the failover controller's role names its default option group.
 */
export const MYSQL = rds.DatabaseInstanceEngine.mysql({ version: rds.MysqlEngineVersion.VER_8_4_10 });

/**
 * The option group a database of {@link MYSQL} gets when none is given (`default:mysql-8-4`):
 * a replica the engine creates during a failback uses it, and RDS authorizes
 * CreateDBInstanceReadReplica on the option group too.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithOptionGroups.html
 */
export const DEFAULT_OPTION_GROUP = `default:${MYSQL.engineType}-${(MYSQL.engineVersion?.majorVersion ?? '8.4').replace('.', '-')}`;

/**
 * RDS DB parameter group names: 1-255 letters, digits or hyphens; first a letter; no trailing
 * or double hyphen.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBParameterGroup.html
 */
export const PARAMETER_GROUP_NAME = /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{0,254}(?<!-)$/;

/** The tunables a database construct takes that decide its settings. */
export interface DatabaseSettingsInput {
  readonly instanceType?: ec2.InstanceType | undefined;
  readonly backupRetention?: Duration | undefined;
  readonly deletionProtection?: boolean | undefined;
  readonly multiAz?: boolean | undefined;
  readonly tags?: Readonly<Record<string, string>> | undefined;
}

/** {@link DatabaseSettings} with the CDK values the constructs are configured from. */
export interface ResolvedDatabaseSettings {
  readonly settings: DatabaseSettings;
  readonly instanceType: ec2.InstanceType;
  readonly backupRetention: Duration;
}

/**
 * The one place a database's settings are decided: both database constructs configure their
 * instance from the result, and `PilotLight` writes its `settings` into the DR config, so the
 * two cannot drift apart.
 */
export function resolveDatabaseSettings(input: DatabaseSettingsInput): ResolvedDatabaseSettings {
  const instanceType = input.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.BURSTABLE3, ec2.InstanceSize.SMALL);
  const backupRetention = input.backupRetention ?? Duration.days(7);
  return {
    instanceType,
    backupRetention,
    settings: {
      instanceClass: `db.${instanceType.toString()}`,
      storageType: 'gp2',
      storageEncrypted: true,
      multiAz: input.multiAz ?? false,
      backupRetentionDays: backupRetention.toDays(),
      deletionProtection: input.deletionProtection ?? true,
      iamAuthentication: true,
      cloudwatchLogsExports: ['error', 'slowquery'],
      copyTagsToSnapshot: true,
      autoMinorVersionUpgrade: true,
      tags: { ...input.tags },
    },
  };
}
