import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { FakeAws, FakeMysql, invokeLambda, startFakeAwsServer, type FakeAwsServer, type LambdaInvocation } from '@dr/aws-fakes';
import { parseConfig, referenceConfig } from '@dr/failover-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/** The bundle as @dr/constructs ships it. */
const BUNDLE = fileURLToPath(new URL('../../dist/database-users/index.mjs', import.meta.url));
if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: build first (npx nx run lambdas:build)`);

const REGION = 'eu-west-1';
const SECRET_ARN = `arn:aws:secretsmanager:${REGION}:123456789012:secret:lamp-primary/credentials-AbCdEf`;
const PASSWORD = 'm4ster-Pa55word-never-shown';
/** The bundle's test-only switch for a database without TLS (the fake speaks none); the construct never sets it. */
const TEST_ONLY_PLAINTEXT_ENV = 'DR_DATABASE_USERS_TEST_ONLY_PLAINTEXT';

/** CloudFormation's side of the contract: takes the PUT on the response URL. */
class ResponseUrl {
  private constructor(
    private readonly server: Server,
    /** The bodies CloudFormation received, in order. */
    readonly bodies: Record<string, unknown>[],
  ) {}

  static async start(): Promise<ResponseUrl> {
    const bodies: Record<string, unknown>[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        if (req.method === 'PUT') bodies.push(JSON.parse(body) as Record<string, unknown>);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    return new ResponseUrl(server, bodies);
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/response?X-Amz-Signature=fake`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

let mysqlServer: FakeMysql;
let fake: FakeAws;
let aws: FakeAwsServer;
let cfn: ResponseUrl;

beforeEach(async () => {
  mysqlServer = await FakeMysql.start({ accounts: { admin: PASSWORD } });
  fake = new FakeAws(parseConfig(referenceConfig), 'steady', { mockSdk: false });
  fake.secrets.set(`${REGION}:${SECRET_ARN}`, JSON.stringify({ username: 'admin', password: PASSWORD, engine: 'mysql', port: 3306 }));
  aws = await startFakeAwsServer(fake);
  cfn = await ResponseUrl.start();
});
afterEach(async () => {
  await Promise.all([mysqlServer.stop(), aws.stop(), cfn.stop()]);
});

const properties = (overrides: Record<string, string> = {}) => ({
  ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:users',
  SecretArn: SECRET_ARN,
  Host: '127.0.0.1',
  Port: String(mysqlServer.port),
  UserName: 'lamp_app',
  DatabaseName: 'lampdb',
  ...overrides,
});

function request(type: 'Create' | 'Update' | 'Delete', extra: Record<string, unknown> = {}) {
  return {
    RequestType: type,
    ResponseURL: cfn.url,
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/lamp-Primary/1',
    RequestId: `req-${type}`,
    LogicalResourceId: 'AppUser',
    ResourceType: 'Custom::DatabaseAppUser',
    ResourceProperties: properties(),
    ...extra,
  };
}

/** One invocation as Lambda would make it, with the environment the construct gives, pointed at the fakes. */
function invoke(event: unknown, env: Record<string, string> = {}): Promise<LambdaInvocation> {
  return invokeLambda(BUNDLE, {
    event,
    timeoutMs: 60_000,
    env: {
      PATH: process.env.PATH,
      ...aws.env,
      AWS_REGION: REGION,
      POWERTOOLS_SERVICE_NAME: 'dr-database-users',
      [TEST_ONLY_PLAINTEXT_ENV]: 'true',
      ...env,
    },
  });
}

const ENSURE_LAMP_APP = [
  "CREATE USER IF NOT EXISTS 'lamp_app'@'%' IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS' REQUIRE SSL",
  "ALTER USER 'lamp_app'@'%' IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS' REQUIRE SSL",
  "REVOKE ALL PRIVILEGES, GRANT OPTION FROM 'lamp_app'@'%'",
  "GRANT SELECT, INSERT, UPDATE, DELETE ON `lampdb`.* TO 'lamp_app'@'%'",
];

describe('database-users bundle', () => {
  it('creates the IAM-authenticated user with DML on the app database only, as the master user, and answers SUCCESS', async () => {
    const run = await invoke(request('Create'));

    expect(run.error).toBeUndefined();
    expect(mysqlServer.sql).toEqual(ENSURE_LAMP_APP);
    expect(mysqlServer.statements.every((s) => s.user === 'admin')).toBe(true);
    expect(aws.calls).toEqual(['secretsmanager:GetSecretValue']);
    expect(cfn.bodies).toEqual([
      {
        Status: 'SUCCESS',
        Reason: 'lamp_app may change rows of lampdb',
        PhysicalResourceId: 'lamp_app',
        StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/lamp-Primary/1',
        RequestId: 'req-Create',
        LogicalResourceId: 'AppUser',
        Data: { UserName: 'lamp_app' },
      },
    ]);
  });

  it('runs the same statements again on a repeated Create and on an Update that keeps the name', async () => {
    await invoke(request('Create'));
    await invoke(request('Create'));
    await invoke(request('Update', { PhysicalResourceId: 'lamp_app', OldResourceProperties: properties() }));

    expect(mysqlServer.sql).toEqual([...ENSURE_LAMP_APP, ...ENSURE_LAMP_APP, ...ENSURE_LAMP_APP]);
    expect(cfn.bodies.map((b) => [b.Status, b.PhysicalResourceId])).toEqual([
      ['SUCCESS', 'lamp_app'],
      ['SUCCESS', 'lamp_app'],
      ['SUCCESS', 'lamp_app'],
    ]);
  });

  it('moves the grant to a renamed database without touching the old one by name', async () => {
    await invoke(
      request('Update', {
        PhysicalResourceId: 'lamp_app',
        ResourceProperties: properties({ DatabaseName: 'shop' }),
        OldResourceProperties: properties(),
      }),
    );

    expect(mysqlServer.sql.at(-2)).toBe("REVOKE ALL PRIVILEGES, GRANT OPTION FROM 'lamp_app'@'%'");
    expect(mysqlServer.sql.at(-1)).toBe("GRANT SELECT, INSERT, UPDATE, DELETE ON `shop`.* TO 'lamp_app'@'%'");
    expect(mysqlServer.sql.join('\n')).not.toContain('lampdb');
  });

  it('answers a rename with the new user as the physical id, and drops the old user only on the Delete that follows', async () => {
    const update = await invoke(
      request('Update', {
        PhysicalResourceId: 'lamp_app',
        ResourceProperties: properties({ UserName: 'shop_app' }),
        OldResourceProperties: properties(),
      }),
    );

    expect(update.result).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'shop_app' });
    expect(mysqlServer.sql.join('\n')).not.toContain('DROP');
    expect(mysqlServer.sql[0]).toBe(
      "CREATE USER IF NOT EXISTS 'shop_app'@'%' IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS' REQUIRE SSL",
    );

    // CloudFormation's clean-up: the old physical id, with the old properties.
    await invoke(request('Delete', { PhysicalResourceId: 'lamp_app', ResourceProperties: properties() }));

    expect(mysqlServer.sql.at(-1)).toBe("DROP USER IF EXISTS 'lamp_app'@'%'");
    expect(cfn.bodies.at(-1)).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'lamp_app' });
  });

  it('drops the user on Delete, and drops nothing for a resource whose Create failed', async () => {
    await invoke(request('Delete', { PhysicalResourceId: 'lamp_app' }));
    await invoke(request('Delete', { PhysicalResourceId: 'not-created-req-Create' }));

    expect(mysqlServer.sql).toEqual(["DROP USER IF EXISTS 'lamp_app'@'%'"]);
    expect(cfn.bodies.map((b) => b.Status)).toEqual(['SUCCESS', 'SUCCESS']);
    expect(cfn.bodies[1]!.Reason).toBe('nothing to drop (not-created-req-Create was never created)');
  });

  it('answers FAILED with a readable reason, never the password, when the database refuses the connection', async () => {
    const event = request('Create');
    await mysqlServer.stop();

    const run = await invoke(event);

    expect(run.error).toBeUndefined();
    expect(cfn.bodies).toHaveLength(1);
    const body = cfn.bodies[0]!;
    expect(body.Status).toBe('FAILED');
    expect(body.PhysicalResourceId).toBe('not-created-req-Create');
    expect(body.Reason).toMatch(/^Could not create or update the database user lamp_app: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
    const everything = JSON.stringify({ body, logs: run.logs });
    expect(everything).not.toContain(PASSWORD);
    expect(run.logs.some((l) => l.level === 'ERROR' && l.message === body.Reason)).toBe(true);
  });

  it("answers FAILED with MySQL's own words when a statement is refused, keeping the physical id of an Update", async () => {
    await mysqlServer.stop();
    mysqlServer = await FakeMysql.start({
      accounts: { admin: PASSWORD },
      errors: [{ match: /^GRANT/, error: { code: 1044, message: "Access denied for user 'admin'@'%' to database 'lampdb'" } }],
    });

    await invoke(request('Update', { PhysicalResourceId: 'lamp_app', OldResourceProperties: properties() }));

    expect(cfn.bodies[0]).toMatchObject({
      Status: 'FAILED',
      PhysicalResourceId: 'lamp_app',
      Reason:
        "Could not create or update the database user lamp_app: ER_DBACCESS_DENIED_ERROR: Access denied for user 'admin'@'%' to database 'lampdb'",
    });
  });

  it('answers FAILED when the master password is wrong, without quoting it', async () => {
    fake.secrets.set(`${REGION}:${SECRET_ARN}`, JSON.stringify({ username: 'admin', password: 'stale-password-123' }));

    await invoke(request('Create'));

    const reason = String(cfn.bodies[0]!.Reason);
    expect(cfn.bodies[0]!.Status).toBe('FAILED');
    expect(reason).toContain("Access denied for user 'admin'");
    expect(reason).not.toContain('stale-password-123');
    expect(mysqlServer.statements).toEqual([]);
  });

  it('answers FAILED naming the property when a user name could break out of its quotes, and lets the rollback delete succeed', async () => {
    const bad = properties({ UserName: "x'@'%'; DROP DATABASE lampdb; --" });
    const create = await invoke(request('Create', { ResourceProperties: bad }));
    await invoke(request('Delete', { PhysicalResourceId: create.result!.PhysicalResourceId, ResourceProperties: bad }));

    expect(cfn.bodies[0]!.Status).toBe('FAILED');
    expect(cfn.bodies[0]!.Reason).toContain('ResourceProperties.UserName must be a MySQL user name');
    expect(cfn.bodies[1]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'not-created-req-Create' });
    expect(mysqlServer.connections).toBe(0);
  });

  it('refuses to send the master password without TLS to a host that is not local, even with the test switch on', async () => {
    await invoke(request('Create', { ResourceProperties: properties({ Host: 'lamp-primary.abc.eu-west-1.rds.amazonaws.com' }) }));

    expect(cfn.bodies[0]!.Status).toBe('FAILED');
    expect(cfn.bodies[0]!.Reason).toContain(
      `${TEST_ONLY_PLAINTEXT_ENV} is set but the host lamp-primary.abc.eu-west-1.rds.amazonaws.com is not local`,
    );
  });

  it('requires TLS without the test switch: the fake, which speaks none, is never sent a statement', async () => {
    await invoke(request('Create'), { [TEST_ONLY_PLAINTEXT_ENV]: '' });

    expect(cfn.bodies[0]!.Status).toBe('FAILED');
    expect(String(cfn.bodies[0]!.Reason)).toMatch(/SSL|TLS/i);
    expect(mysqlServer.statements).toEqual([]);
  });
});
