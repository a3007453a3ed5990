/**
 * Data and secrets: RDS instances, DynamoDB tables, Secrets Manager secrets, KMS keys.
 */
import { estimateMonthlyCost } from '@dr/failover-core';
import { CostReportError, NoPriceError } from '../errors.js';
import {
  charge,
  fieldPath,
  literalNumber,
  prop,
  referencedId,
  steady,
  total,
  uncounted,
  type RuleContext,
  type RuleLine,
} from './context.js';
import { auroraInstance, isSecondaryCluster } from './aurora.js';
import { environmentOf, scheduledInvocations } from './compute.js';

/** The literal text of a value, joining `Fn::Join` parts that are strings (enough to read an ARN's last part). */
function joinedText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: unknown } | null)?.['Fn::Join'];
  if (Array.isArray(join) && Array.isArray(join[1]))
    return (join[1] as unknown[]).map((part) => (typeof part === 'string' ? part : '*')).join(typeof join[0] === 'string' ? join[0] : '');
  return undefined;
}

/** A read replica's allocated storage is its source's: find the source instance in the assembly. */
function sourceStorage(ctx: RuleContext, source: unknown): number | undefined {
  const refId = referencedId(source);
  const identifier = joinedText(source)?.split(':db:').pop();
  for (const stack of ctx.assembly) {
    for (const [id, resource] of Object.entries(stack.resources)) {
      if (resource.Type !== 'AWS::RDS::DBInstance') continue;
      const matches =
        (stack === ctx.stack && id === refId) || (identifier !== undefined && resource.Properties?.DBInstanceIdentifier === identifier);
      if (matches && resource.Properties?.AllocatedStorage !== undefined) return Number(resource.Properties.AllocatedStorage);
    }
  }
  return undefined;
}

/**
 * An RDS instance at `@dr/failover-core`'s list prices (instance hours + General Purpose
 * storage; Multi-AZ doubles both). A read replica is reported as such, so the DR figure can
 * leave it out; in a failover it is promoted and keeps costing the same.
 */
export function dbInstance(ctx: RuleContext): readonly RuleLine[] {
  if (prop(ctx, 'DBClusterIdentifier') !== undefined) return auroraInstance(ctx);
  const instanceClass = prop(ctx, 'DBInstanceClass');
  if (typeof instanceClass !== 'string')
    throw new CostReportError(`${fieldPath(ctx, 'DBInstanceClass')} is ${JSON.stringify(instanceClass)}: the report needs a literal class`);
  const source = prop(ctx, 'SourceDBInstanceIdentifier');
  const isReplica = source !== undefined;
  const allocated = prop(ctx, 'AllocatedStorage');
  const allocatedStorageGiB =
    allocated !== undefined ? literalNumber(ctx, 'AllocatedStorage', allocated) : isReplica ? sourceStorage(ctx, source) : undefined;
  const multiAz = prop(ctx, 'MultiAZ') === true || prop(ctx, 'MultiAZ') === 'true';
  const estimate = estimateMonthlyCost({ region: ctx.stack.region, instanceClass, allocatedStorageGiB, multiAz });
  if (!estimate)
    throw new NoPriceError(
      ctx.stack.region,
      `rds-${instanceClass}-hour`,
      `${ctx.stack.name}/${ctx.logicalId} (prices in packages/failover-core/src/cost/rds-prices.ts)`,
    );
  const basis = `${isReplica ? 'read replica: ' : ''}${estimate.basis} (@dr/failover-core rds-prices, RDS for MySQL)${isReplica && allocated === undefined ? ", storage as its source's" : ''}; backups beyond the instance's storage and exported logs not counted`;
  return [
    {
      kind: 'priced',
      idleUsd: estimate.usd,
      failoverUsd: estimate.usd,
      basis,
      ...(isReplica ? { excluded: 'replica-database' as const } : {}),
    },
  ];
}

/**
 * An on-demand table: request units from the scheduled functions whose environment names it
 * (an assumption per invocation), its storage and continuous backups (PITR) of that storage.
 * @see https://aws.amazon.com/dynamodb/pricing/on-demand/
 */
export function dynamoTable(ctx: RuleContext): readonly RuleLine[] {
  if (prop(ctx, 'BillingMode') !== 'PAY_PER_REQUEST')
    throw new NoPriceError(
      ctx.stack.region,
      'dynamodb-provisioned-capacity',
      `${ctx.stack.name}/${ctx.logicalId} (BillingMode ${JSON.stringify(prop(ctx, 'BillingMode') ?? 'PROVISIONED')})`,
    );
  let invocations = 0;
  const users: string[] = [];
  for (const [id, resource] of Object.entries(ctx.stack.resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    if (!Object.values(environmentOf(resource)).some((v) => referencedId(v) === ctx.logicalId)) continue;
    const perMonth = scheduledInvocations(ctx.stack, id).perMonth;
    if (perMonth > 0) {
      invocations += perMonth;
      users.push(id);
    }
  }
  const a = ctx.assumptions;
  const charges = [
    charge(
      ctx.price('dynamodb-read-million'),
      (invocations * a.dynamoReadsPerInvocation) / 1e6,
      `assumed ${a.dynamoReadsPerInvocation} reads per invocation of ${users.join(', ') || 'no scheduled function'}`,
    ),
    charge(
      ctx.price('dynamodb-write-million'),
      (invocations * a.dynamoWritesPerInvocation) / 1e6,
      `assumed ${a.dynamoWritesPerInvocation} write per invocation`,
    ),
    charge(ctx.price('dynamodb-storage-gb-month'), a.dynamoTableGb, 'assumed table size'),
  ];
  const pitr =
    (prop(ctx, 'PointInTimeRecoverySpecification') as { PointInTimeRecoveryEnabled?: unknown } | undefined)?.PointInTimeRecoveryEnabled ===
    true;
  if (pitr) charges.push(charge(ctx.price('dynamodb-pitr-gb-month'), a.dynamoTableGb, 'PITR of the assumed size'));
  return [steady(charges)];
}

/**
 * A secret bills per month in its region, and each replica is billed as a secret in the
 * replica's region. API calls ($0.05 per 10,000) are usage.
 * @see https://aws.amazon.com/secrets-manager/pricing/
 */
export function secret(ctx: RuleContext): readonly RuleLine[] {
  const lines: RuleLine[] = [steady([charge(ctx.price('secret-month'), 1)])];
  const replicas = prop(ctx, 'ReplicaRegions');
  for (const [i, replica] of (Array.isArray(replicas) ? replicas : []).entries()) {
    const region = (replica as { Region?: unknown }).Region;
    if (typeof region !== 'string')
      throw new CostReportError(
        `${fieldPath(ctx, `ReplicaRegions[${i}].Region`)} is ${JSON.stringify(region)}: the report needs a literal region`,
      );
    lines.push(
      steady([charge(ctx.price('secret-month', region), 1, `replica of ${ctx.stack.region}'s secret`)], {
        region,
        part: `replica ${region}`,
      }),
    );
  }
  return lines;
}

/**
 * A customer managed key bills $1 a month; each yearly rotation of its material adds $1 a month
 * (the figure here is from the third year on, `kmsRotationsBilled`). Requests are usage (20,000 free).
 * @see https://aws.amazon.com/kms/pricing/
 */
export function kmsKey(ctx: RuleContext): readonly RuleLine[] {
  const charges = [charge(ctx.price('kms-key-month'), 1)];
  const rotates = prop(ctx, 'EnableKeyRotation') === true || prop(ctx, 'EnableKeyRotation') === 'true';
  if (rotates && ctx.assumptions.kmsRotationsBilled > 0)
    charges.push(charge(ctx.price('kms-rotation-month'), ctx.assumptions.kmsRotationsBilled, 'yearly rotation, from the third year'));
  const { usd, text } = total(charges);
  // A key whose only user in the templates is a read replica's storage is part of that replica
  // database's cost (the DR figure leaves the replica out, its key with it).
  // CDK's cross-region export writer only passes the key's ARN on (to the DR config): not a user.
  const users = Object.entries(ctx.stack.resources).filter(
    ([id, r]) =>
      id !== ctx.logicalId &&
      !r.Type.startsWith('Custom::CrossRegionExport') &&
      JSON.stringify(r.Properties ?? {}).includes(`"${ctx.logicalId}"`),
  );
  // A global database secondary cluster's key likewise goes with that cluster.
  const replicaKey =
    users.length > 0 &&
    users.every(
      ([, r]) => (r.Type === 'AWS::RDS::DBInstance' && r.Properties?.SourceDBInstanceIdentifier !== undefined) || isSecondaryCluster(r),
    );
  return [
    {
      kind: 'priced',
      idleUsd: usd,
      failoverUsd: usd,
      basis: `${text}${replicaKey ? " (the replica database's storage key: counted with it)" : ''}`,
      ...(replicaKey ? { excluded: 'replica-database' as const } : {}),
    },
  ];
}

/** A multi-Region replica key bills as a key in its region. */
export function kmsReplicaKey(ctx: RuleContext): readonly RuleLine[] {
  return [steady([charge(ctx.price('kms-key-month'), 1, 'replica key')])];
}

/** An S3 bucket: storage, requests and replication depend on the data. */
export function bucket(): readonly RuleLine[] {
  return [uncounted('usage', 'storage, requests and replication depend on the data: not counted')];
}
