import { createHash, randomInt } from 'node:crypto';
import type { AddressInfo, Server, Socket } from 'node:net';
import mysql from 'mysql2';

/** One statement the fake received, with the account that sent it. */
export interface FakeMysqlStatement {
  readonly user: string;
  readonly sql: string;
}

/** An error the fake answers a statement with, as MySQL would (`code` is MySQL's error number). */
export interface FakeMysqlError {
  readonly code: number;
  readonly message: string;
}

/** Accounts the fake accepts, and what it does with statements. */
export interface FakeMysqlOptions {
  /** User name → password, checked with `mysql_native_password` as MySQL does. */
  readonly accounts: Readonly<Record<string, string>>;
  /**
   * Statements answered with an error instead of OK: the first rule whose pattern matches the
   * statement decides. Statements that match no rule are answered OK.
   * @default - every statement is answered OK
   */
  readonly errors?: readonly { readonly match: RegExp; readonly error: FakeMysqlError }[];
}

// sha1(sha1(password)), what MySQL keeps for mysql_native_password.
const doubleSha1 = (password: string) => createHash('sha1').update(createHash('sha1').update(password).digest()).digest();

/**
 * Checks a mysql_native_password reply: `reply = sha1(password) XOR sha1(seed, sha1(sha1(password)))`.
 * @see https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_authentication_methods_native_password_authentication.html
 */
function verifyNative(seed: Buffer, reply: Buffer, password: string): boolean {
  const stored = doubleSha1(password);
  const mask = createHash('sha1').update(seed).update(stored).digest();
  if (reply.length !== mask.length) return false;
  const stage1 = Buffer.from(reply.map((b, i) => b ^ mask[i]!));
  return createHash('sha1').update(stage1).digest().equals(stored);
}

// MySQL's error numbers for what the fake refuses.
const ER_ACCESS_DENIED_ERROR = 1045;

/**
 * A MySQL server on 127.0.0.1, speaking the real wire protocol (mysql2's server API), for code
 * that manages accounts: it checks each connection's user and password, records every statement
 * it receives in order, and answers OK, or an error where a rule says so. It runs no SQL and
 * speaks no TLS: a client under test must be told, by a switch of its own, to connect without
 * TLS (RDS with `require_secure_transport` would refuse that).
 */
export class FakeMysql {
  /** Every statement received, in order, from every connection. */
  readonly statements: FakeMysqlStatement[] = [];
  /** Connections opened, accepted or not. */
  connections = 0;
  private readonly server: ReturnType<typeof mysql.createServer>;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly options: FakeMysqlOptions) {
    this.server = mysql.createServer((conn) => this.accept(conn));
  }

  /** Starts the server on a free port of 127.0.0.1. */
  static async start(options: FakeMysqlOptions): Promise<FakeMysql> {
    const fake = new FakeMysql(options);
    await new Promise<void>((resolve, reject) => {
      fake.listener.once('error', reject);
      fake.listener.listen(0, '127.0.0.1', () => resolve());
    });
    return fake;
  }

  /** The port on 127.0.0.1. */
  get port(): number {
    return (this.listener.address() as AddressInfo).port;
  }

  /** The SQL text of every statement received, in order. */
  get sql(): string[] {
    return this.statements.map((s) => s.sql);
  }

  // mysql2's Server wraps a net.Server it does not expose in its types.
  private get listener(): Server {
    return (this.server as unknown as { _server: Server })._server;
  }

  private accept(conn: mysql.Connection): void {
    this.connections++;
    const socket = (conn as unknown as { stream: Socket }).stream;
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    let user = '';
    // Each command from the client starts a new packet sequence at 0; mysql2's server side does
    // not reset its count after answering, and would warn of packets out of order.
    const server = conn as unknown as { writeOk(): void; writeError(e: FakeMysqlError): void; sequenceId: number };
    const commandDone = () => (server.sequenceId = 0);
    const authCallback = (
      params: { user: string; authPluginData1: Buffer; authPluginData2: Buffer; authToken: Buffer },
      done: (err: Error | null, mysqlError?: FakeMysqlError) => void,
    ) => {
      const password = this.options.accounts[params.user];
      const seed = Buffer.concat([params.authPluginData1, params.authPluginData2]).subarray(0, 20);
      if (password === undefined || !verifyNative(seed, params.authToken, password)) {
        done(null, { code: ER_ACCESS_DENIED_ERROR, message: `Access denied for user '${params.user}'@'127.0.0.1' (using password: YES)` });
        return;
      }
      user = params.user;
      done(null);
      commandDone();
    };
    // The typings omit the server side's handshake arguments.
    (conn as unknown as { serverHandshake(args: Record<string, unknown>): void }).serverHandshake({
      protocolVersion: 10,
      serverVersion: '8.4.7-fake',
      connectionId: randomInt(1, 2 ** 31),
      statusFlags: 2,
      characterSet: 8,
      // Everything mysql2 can use except SSL (0x800): the fake has no certificate.
      capabilityFlags: 0xffffff & ~0x800,
      authCallback,
    });
    conn.on('query' as never, (sql: string) => {
      this.statements.push({ user, sql });
      const rule = this.options.errors?.find((r) => r.match.test(sql));
      if (rule) server.writeError(rule.error);
      else server.writeOk();
      commandDone();
    });
    conn.on('error', () => undefined);
  }

  /** Closes every connection and the listening socket. */
  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
