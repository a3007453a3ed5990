import { DynamoDBClient, GetItemCommand, PutItemCommand, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { isNotReady, isRegionUnreachable, VersionConflictError } from '@dr/failover-core/errors';
import type { StateStore, Versioned } from '@dr/failover-core/ports';
import { callAws, DEFAULT_CALL_POLICY, type CallPolicy } from '../aws-call.js';

/** Options of {@link DynamoDbStateStore}. */
export type DynamoDbStateStoreOptions = (
  | { readonly awsSdkV3Client: DynamoDBClient; readonly clientConfig?: never }
  | { readonly clientConfig: DynamoDBClientConfig; readonly awsSdkV3Client?: never }
) & {
  /** The table: partition key `pk` (string), no sort key. */
  readonly tableName: string;
  /** Region of the table, for messages. @default the client config's region */
  readonly region?: string;
  readonly policy?: CallPolicy;
};

/**
 * The `StateStore` port on DynamoDB: one item per key holding the JSON value and a version.
 * Reads are strongly consistent; a write is a conditional put on the version (or on the item
 * not existing), so of two writers that read the same version exactly one succeeds. The lease
 * and its epoch live in the value (`acquireLease` in `@dr/failover-core`), guarded by the same
 * condition.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
 */
export class DynamoDbStateStore implements StateStore {
  private readonly client: DynamoDBClient;
  private readonly policy: CallPolicy;
  private readonly region: string;

  constructor(private readonly options: DynamoDbStateStoreOptions) {
    this.client = options.awsSdkV3Client ?? new DynamoDBClient(options.clientConfig);
    this.policy = options.policy ?? DEFAULT_CALL_POLICY;
    const region = options.region ?? options.clientConfig?.region;
    this.region = typeof region === 'string' ? region : 'its region';
  }

  private ctx() {
    return { region: this.region, resource: `DynamoDB table ${this.options.tableName}`, notFound: ['ResourceNotFoundException'] };
  }

  async read<T>(key: string): Promise<Versioned<T> | undefined> {
    const out = await callAws(
      this.ctx(),
      (abortSignal) =>
        this.client.send(new GetItemCommand({ TableName: this.options.tableName, Key: { pk: { S: key } }, ConsistentRead: true }), {
          abortSignal,
        }),
      this.policy,
    );
    const item = out.Item;
    if (!item?.value?.S || !item.version?.N) return undefined;
    return { version: Number(item.version.N), value: JSON.parse(item.value.S) as T };
  }

  /**
   * Whether the item now holds our write: a write whose answer was lost (a retry after a dropped
   * response, a deadline) may have landed, and must then count as ours, not as someone else's.
   */
  private async landed(key: string, writeId: string, version: number): Promise<boolean> {
    const out = await callAws(
      this.ctx(),
      (abortSignal) =>
        this.client.send(new GetItemCommand({ TableName: this.options.tableName, Key: { pk: { S: key } }, ConsistentRead: true }), {
          abortSignal,
        }),
      this.policy,
    );
    return out.Item?.writeId?.S === writeId && out.Item.version?.N === String(version);
  }

  async write<T>(key: string, value: T, expectedVersion: number): Promise<number> {
    const version = expectedVersion + 1;
    const writeId = randomUUID();
    const condition =
      expectedVersion === 0
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : {
            ConditionExpression: '#v = :expected',
            ExpressionAttributeNames: { '#v': 'version' },
            ExpressionAttributeValues: { ':expected': { N: String(expectedVersion) } },
          };
    try {
      await callAws(
        this.ctx(),
        (abortSignal) =>
          this.client.send(
            new PutItemCommand({
              TableName: this.options.tableName,
              Item: {
                pk: { S: key },
                version: { N: String(version) },
                value: { S: JSON.stringify(value) },
                writeId: { S: writeId },
                updatedAt: { S: new Date().toISOString() },
              },
              ...condition,
            }),
            { abortSignal },
          ),
        this.policy,
      );
    } catch (e) {
      const conflict = (e as { name?: string }).name === 'ConditionalCheckFailedException';
      if ((conflict || isRegionUnreachable(e) || isNotReady(e)) && (await this.landed(key, writeId, version))) return version;
      if (conflict) throw new VersionConflictError(key, expectedVersion, { cause: e });
      throw e;
    }
    return version;
  }
}
