import mysql from 'mysql2/promise';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeMysql } from '../src/index.js';

let fake: FakeMysql | undefined;
afterEach(async () => fake?.stop());

const connect = (port: number, password: string) =>
  mysql.createConnection({ host: '127.0.0.1', port, user: 'admin', password, connectTimeout: 5_000 });

describe('FakeMysql', () => {
  it('accepts the right password over the wire protocol and records every statement with its user', async () => {
    fake = await FakeMysql.start({ accounts: { admin: 's3cret' } });
    const client = await connect(fake.port, 's3cret');

    await client.query('CREATE USER IF NOT EXISTS x');
    await client.query('DROP USER IF EXISTS x');
    await client.end();

    expect(fake.statements).toEqual([
      { user: 'admin', sql: 'CREATE USER IF NOT EXISTS x' },
      { user: 'admin', sql: 'DROP USER IF EXISTS x' },
    ]);
  });

  it('refuses a wrong password as MySQL does (1045) and records nothing', async () => {
    fake = await FakeMysql.start({ accounts: { admin: 's3cret' } });

    const refused = await connect(fake.port, 'wrong').catch((e: { errno?: number; message: string }) => e);

    expect(refused).toMatchObject({ errno: 1045, message: "Access denied for user 'admin'@'127.0.0.1' (using password: YES)" });
    expect(fake.statements).toEqual([]);
    expect(fake.connections).toBe(1);
  });

  it("answers a statement its rules match with the rule's error, and the rest with OK", async () => {
    fake = await FakeMysql.start({ accounts: { admin: 's3cret' }, errors: [{ match: /^GRANT/, error: { code: 1044, message: 'no' } }] });
    const client = await connect(fake.port, 's3cret');

    const granted = await client.query('GRANT SELECT ON db.* TO x').catch((e: { errno?: number }) => e);
    await client.query('SELECT 1');
    await client.end();

    expect(granted).toMatchObject({ errno: 1044, message: 'no' });
    expect(fake.sql).toEqual(['GRANT SELECT ON db.* TO x', 'SELECT 1']);
  });
});
