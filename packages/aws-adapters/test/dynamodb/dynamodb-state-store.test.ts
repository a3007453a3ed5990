import { acquireLease, writeUnderLease, type ControlRecord, type RunState } from '@dr/failover-core';
import { isLeaseLost, isLockHeld, isVersionConflict } from '@dr/failover-core/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbStateStore } from '../../src/index.js';
import { fastPolicy } from '../fixtures.js';
import { startDynalite, type LocalDynamo } from '@dr/aws-fakes';

let dynamo: LocalDynamo;
let store: DynamoDbStateStore;
let n = 0;
const key = () => `app#test-${++n}#control`;
const LEASE = 60_000;
const running = { phase: 'running' } as RunState;

beforeAll(async () => {
  dynamo = await startDynalite();
  await dynamo.createTable('dr-state');
  store = new DynamoDbStateStore({ awsSdkV3Client: dynamo.client, tableName: 'dr-state', policy: fastPolicy({ timeoutMs: 5_000 }) });
});
afterAll(async () => dynamo.stop());

describe('DynamoDbStateStore on a real DynamoDB-compatible server', () => {
  it('reads nothing for a key never written, then reads back what was written with its version', async () => {
    const k = key();
    expect(await store.read(k)).toBeUndefined();

    const v1 = await store.write(k, { a: 1 }, 0);
    const v2 = await store.write(k, { a: 2 }, v1);

    expect([v1, v2]).toEqual([1, 2]);
    expect(await store.read(k)).toEqual({ version: 2, value: { a: 2 } });
  });

  it('rejects a write with a stale version', async () => {
    const k = key();
    await store.write(k, { a: 1 }, 0);
    await store.write(k, { a: 2 }, 1);

    const error = await store.write(k, { a: 'stale' }, 1).catch((e: unknown) => e);

    expect(isVersionConflict(error)).toBe(true);
    expect((await store.read(k))?.value).toEqual({ a: 2 });
  });

  it('rejects a second create of the same key', async () => {
    const k = key();
    await store.write(k, { a: 1 }, 0);

    expect(isVersionConflict(await store.write(k, { a: 1 }, 0).catch((e: unknown) => e))).toBe(true);
  });

  it('lets exactly one of ten concurrent controllers take the lock', async () => {
    const k = key();

    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => acquireLease(store, k, `controller-${i}`, Date.now(), LEASE)));

    const winners = results.filter((r) => r.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected' && isLockHeld(r.reason))).toHaveLength(9);
    const stored = await store.read<ControlRecord>(k);
    expect(stored?.value.lease).toMatchObject({ epoch: 1, owner: winners[0]?.status === 'fulfilled' ? winners[0].value.owner : '' });
  });

  it('after the lease expires, another controller takes over with a higher epoch and the old one is shut out', async () => {
    const k = key();
    const t0 = Date.now();
    const first = await writeUnderLease(store, await acquireLease(store, k, 'a', t0, LEASE), { active: 'primary', run: running }, t0 + LEASE);

    await expect(acquireLease(store, k, 'b', t0 + LEASE - 1, LEASE)).rejects.toSatisfy(isLockHeld);
    const second = await acquireLease(store, k, 'b', t0 + LEASE + 1, LEASE);
    const late = await writeUnderLease(store, first, { active: 'primary', run: running }, t0 + 2 * LEASE).catch((e: unknown) => e);

    expect(second.epoch).toBe(first.epoch + 1);
    expect(isLeaseLost(late)).toBe(true);
    expect((await store.read<ControlRecord>(k))?.value.lease).toMatchObject({ owner: 'b', epoch: 2 });
  });

  it('takes a write whose answer was lost, but which landed, as its own', async () => {
    const k = key();
    await store.write(k, { a: 1 }, 0);
    let dropped = false;
    // A client that delivers the first PutItem to the table and then loses the answer, as a
    // dropped connection would; the retry then finds its own write in place.
    const lossy = {
      send: async (command: unknown, options?: unknown) => {
        const out = await dynamo.client.send(command as never, options as never);
        if (!dropped && (command as { constructor: { name: string } }).constructor.name === 'PutItemCommand') {
          dropped = true;
          throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
        }
        return out;
      },
    };
    const flaky = new DynamoDbStateStore({ awsSdkV3Client: lossy as never, tableName: 'dr-state', policy: fastPolicy({ timeoutMs: 5_000 }) });

    expect(await flaky.write(k, { a: 2 }, 1)).toBe(2);
    expect((await store.read(k))?.value).toEqual({ a: 2 });
  });

  it('names the table when it does not exist', async () => {
    const missing = new DynamoDbStateStore({ awsSdkV3Client: dynamo.client, tableName: 'no-such-table', policy: fastPolicy({ timeoutMs: 5_000 }) });

    await expect(missing.read('k')).rejects.toThrow(/DynamoDB table no-such-table was not found/);
  });
});
