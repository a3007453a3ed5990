import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { startDynamoGate, type DynamoGate } from './iam/dynamo-gate.js';
import type { FakeIam } from './iam/fake-iam.js';

/** A real DynamoDB-compatible server (dynalite, in memory) on 127.0.0.1 at a free port. */
export interface LocalDynamo {
  /** Where a process's SDK calls it (through the authorizing gate when started with `iam`). */
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  createTable(name: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts dynalite; stop it after the tests. With `iam`, {@link LocalDynamo.endpoint} is an
 * authorizing gate in front of it (`iam/dynamo-gate.ts`): calls signed with a registered
 * principal's keys are authorized on the table as AWS would; `client` (the test's own) is not checked.
 */
export async function startDynalite(options: { readonly iam?: FakeIam } = {}): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const direct = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const gate: DynamoGate | undefined = options.iam ? await startDynamoGate(options.iam, direct) : undefined;
  const endpoint = gate?.endpoint ?? direct;
  const client = new DynamoDBClient({
    endpoint: direct,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  return {
    endpoint,
    client,
    async createTable(name) {
      await client.send(
        new CreateTableCommand({
          TableName: name,
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    },
    async stop() {
      client.destroy();
      await gate?.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
