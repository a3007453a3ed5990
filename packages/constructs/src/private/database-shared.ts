import { Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { RDS_INSTANCE_IDENTIFIER } from '@dr/failover-core';
import type { DatabaseDrConfig, DatabaseSettings } from '../database-config.js';
import type { DatabaseSharedProps } from '../database.js';
import { PARAMETER_GROUP_NAME } from './database-settings.js';
import type { PropRule } from './validate.js';

/** The names of a database's groups and subnet group, from its identifier unless given. */
export function names(props: DatabaseSharedProps & { readonly instanceIdentifier: string }) {
  return {
    // RDS stores these names in lower case.
    own: (props.parameterGroupName ?? `${props.instanceIdentifier}-params`).toLowerCase(),
    retired: (props.retiredParameterGroupName ?? `${props.instanceIdentifier}-retired`).toLowerCase(),
    subnets: `${props.instanceIdentifier}-subnets`.toLowerCase(),
  };
}

export type Names = ReturnType<typeof names>;

/** The rules both database constructs check, on their props and what was resolved from them. */
export function sharedRules(
  props: DatabaseSharedProps & { readonly instanceIdentifier: string },
  n: Names,
  settings: DatabaseSettings,
): PropRule[] {
  return [
    {
      failed: !RDS_INSTANCE_IDENTIFIER.test(props.instanceIdentifier),
      message: `instanceIdentifier must be an RDS identifier (a letter, then letters, digits or single hyphens); got ${JSON.stringify(props.instanceIdentifier)}`,
    },
    {
      failed: props.parameterGroupName !== undefined && !PARAMETER_GROUP_NAME.test(props.parameterGroupName),
      message: `parameterGroupName must be a DB parameter group name (a letter, then letters, digits or single hyphens); got ${JSON.stringify(props.parameterGroupName)}`,
    },
    {
      failed: props.retiredParameterGroupName !== undefined && !PARAMETER_GROUP_NAME.test(props.retiredParameterGroupName),
      message: `retiredParameterGroupName must be a DB parameter group name; got ${JSON.stringify(props.retiredParameterGroupName)}`,
    },
    {
      failed: n.own === n.retired,
      message: `retiredParameterGroupName must differ from parameterGroupName (${n.own}): lifting the database's write fence must never reach a retired instance`,
    },
    {
      failed: settings.backupRetentionDays < 1,
      message: 'backupRetention must be at least one day: a source without backups cannot have read replicas',
    },
  ];
}

/** What the DR config says of a database: its names, its region's key, where it sits, and how it is deployed. */
export function databaseDrConfig(
  instanceIdentifier: string,
  n: Names,
  keyArn: string,
  securityGroupIds: string[],
  settings: DatabaseSettings,
): DatabaseDrConfig {
  return {
    dbInstanceIdentifier: instanceIdentifier,
    dbParameterGroupName: n.own,
    retiredDbParameterGroupName: n.retired,
    dbKmsKeyArn: keyArn,
    dbSubnetGroupName: n.subnets,
    dbSecurityGroupIds: securityGroupIds,
    dbSettings: settings,
  };
}

/** Tags `instance` (only the DB instance, not what sits under it) with `tags`. */
export function tagInstance(instance: Construct, tags: Readonly<Record<string, string>>): void {
  for (const [key, value] of Object.entries(tags)) Tags.of(instance).add(key, value, { includeResourceTypes: ['AWS::RDS::DBInstance'] });
}
