/**
 * Aurora MySQL (the constructs' `aurora-global` data tier): clusters (storage, I/O, a global
 * database's replicated write I/O, backups beyond the free amount) and their instances (hours of
 * the class). A secondary cluster of a global database and its instance are the DR region's
 * replica database: reported apart from the DR figure, as the RDS read replica is.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/User_DBInstanceBilling.html
 */
import type { TemplateResource } from '../assembly.js';
import { CostReportError, NoPriceError } from '../errors.js';
import { auroraInstanceHourKey } from '../prices.js';
import { charge, fieldPath, monthOf, prop, referencedId, total, type RuleContext, type RuleLine } from './context.js';

/** Whether a DB cluster is a secondary member of a global database (it joins one; the primary is the global cluster's source). */
export function isSecondaryCluster(resource: TemplateResource | undefined): boolean {
  return resource?.Type === 'AWS::RDS::DBCluster' && resource.Properties?.GlobalClusterIdentifier !== undefined;
}

/**
 * An Aurora cluster volume: storage, and its I/O: the serving cluster's I/O requests, or the
 * replicated write I/O a secondary region pays while it is one. In a failover the secondary
 * serves: it then pays I/O requests as the primary did (its region no longer receives replicated writes).
 */
export function dbCluster(ctx: RuleContext): readonly RuleLine[] {
  const a = ctx.assumptions;
  const secondary = isSecondaryCluster(ctx.resource);
  const storage = charge(ctx.price('aurora-storage-gb-month'), a.auroraStorageGb, 'assumed volume size');
  const backup =
    a.auroraBackupBeyondFreeGb > 0
      ? [charge(ctx.price('aurora-backup-gb-month'), a.auroraBackupBeyondFreeGb, 'assumed backups beyond the volume size')]
      : [];
  const servingIo = charge(ctx.price('aurora-io-million'), a.auroraIoMillionsServing, 'assumed I/O of the serving cluster');
  const replicated = charge(
    ctx.price('aurora-replicated-write-io-million'),
    a.auroraReplicatedWriteIoMillions,
    "assumed write I/O replicated from the primary's region",
  );
  const idle = total([storage, secondary ? replicated : servingIo, ...backup]);
  const failover = total([storage, servingIo, ...backup]);
  return [
    {
      kind: 'priced',
      idleUsd: idle.usd,
      failoverUsd: secondary ? failover.usd : idle.usd,
      basis: `${secondary ? 'global database secondary cluster: ' : 'Aurora cluster: '}${idle.text}${secondary ? `; in a failover ${failover.text}` : ''}`,
      ...(secondary ? { excluded: 'replica-database' as const } : {}),
    },
  ];
}

/** The cluster the instance belongs to, found in its stack by reference or by identifier. */
function clusterOf(ctx: RuleContext): TemplateResource | undefined {
  const value = prop(ctx, 'DBClusterIdentifier');
  const id = referencedId(value);
  if (id !== undefined) return ctx.stack.resources[id];
  return Object.values(ctx.stack.resources).find((r) => r.Type === 'AWS::RDS::DBCluster' && r.Properties?.DBClusterIdentifier === value);
}

/** An instance of an Aurora cluster: hours of its class at Aurora MySQL's price; a secondary cluster's is the DR replica database. */
export function auroraInstance(ctx: RuleContext): readonly RuleLine[] {
  const instanceClass = prop(ctx, 'DBInstanceClass');
  if (typeof instanceClass !== 'string')
    throw new CostReportError(`${fieldPath(ctx, 'DBInstanceClass')} is ${JSON.stringify(instanceClass)}: the report needs a literal class`);
  const key = auroraInstanceHourKey(instanceClass);
  if (!key) throw new NoPriceError(ctx.stack.region, `aurora-mysql-${instanceClass}-hour`, `${ctx.stack.name}/${ctx.logicalId}`);
  const secondary = isSecondaryCluster(clusterOf(ctx));
  const hours = total([monthOf(ctx.price(key))]);
  return [
    {
      kind: 'priced',
      idleUsd: hours.usd,
      failoverUsd: hours.usd,
      basis: `${secondary ? 'reader of the global database secondary: ' : 'Aurora instance: '}${hours.text}`,
      ...(secondary ? { excluded: 'replica-database' as const } : {}),
    },
  ];
}
