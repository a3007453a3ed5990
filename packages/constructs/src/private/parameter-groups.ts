import * as rds from 'aws-cdk-lib/aws-rds';
import type { Construct } from 'constructs';
import { MYSQL } from './database-settings.js';

/** What both groups of a region declare: TLS only, and row-based binary logs for replication. */
const PARAMETERS: Readonly<Record<string, string>> = { require_secure_transport: '1', binlog_format: 'ROW' };

/** A database's own parameter group and its region's group for retired instances. */
export interface DatabaseParameterGroups {
  /** Used by this database only; `read_only` left at RDS's default, `{TrueIfReplica}`. */
  readonly own: rds.IParameterGroup;
  /** Same family and parameters, with `read_only` = 1; no instance uses it until one is retired. */
  readonly retired: rds.IParameterGroup;
}

/**
 * The two parameter groups of a database's region, made in `scope` as `Parameters` and
 * `RetiredParameters`.
 *
 * The failover engine fences a database's writes by setting `read_only` to 1 in the database's
 * group and lifts the fence by resetting it to `{TrueIfReplica}` (read-only on a replica,
 * writable on a primary). A dynamic parameter change applies to every instance that uses the
 * group, so each database needs a group of its own: with one group shared, fencing one database
 * would fence the other. `read_only` is not declared in it, so a redeploy never undoes a fence.
 *
 * A failback retires an old instance by renaming it and moving it to the retired group, where
 * `read_only` is 1: lifting the fence of the database's own group then never makes a retired
 * database writable. A newly associated group applies at the instance's next reboot.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/parameter-groups-overview.html
 * @see https://docs.aws.amazon.com/awssupport/latest/user/fault-tolerance-checks.html (read replicas open in writable mode: `{TrueIfReplica}`)
 */
export function databaseParameterGroups(
  scope: Construct,
  instanceIdentifier: string,
  names: { readonly own: string; readonly retired: string },
): DatabaseParameterGroups {
  const own = rds.ParameterGroup.forInstance(scope, 'Parameters', {
    engine: MYSQL,
    name: names.own,
    description: `Pilot-light DR: ${instanceIdentifier} only; read_only is the failover engine's write fence`,
    parameters: { ...PARAMETERS },
  });
  const retired = rds.ParameterGroup.forInstance(scope, 'RetiredParameters', {
    engine: MYSQL,
    name: names.retired,
    description: `Pilot-light DR: instances retired from ${instanceIdentifier}'s place, kept read-only`,
    parameters: { ...PARAMETERS, read_only: '1' },
  });
  return { own, retired };
}
