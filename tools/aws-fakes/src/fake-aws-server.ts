import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeAws } from './fake-aws.js';
import type { FakeLambdaFunction } from './fake-lambda.js';

/** A {@link FakeAws} served over HTTP, as AWS's endpoints speak, for code with its own SDK copy (a bundle, a CLI process). */
export interface FakeAwsServer {
  readonly endpoint: string;
  /**
   * Environment variables that point every SDK v3 client of a process at this server (the SDK's
   * standard `AWS_ENDPOINT_URL_<SERVICE>` settings), with dummy credentials.
   */
  readonly env: Readonly<Record<string, string>>;
  /** Every call answered, in order: `service:Action`. */
  readonly calls: readonly string[];
  /**
   * The functions Lambda `Invoke` reaches, by function name (a call may name one by name, ARN or
   * partial ARN). A test may add or replace one at any time.
   */
  readonly functions: Map<string, FakeLambdaFunction>;
  stop(): Promise<void>;
}

/** Options of {@link startFakeAwsServer}. */
export interface FakeAwsServerOptions {
  /** Functions for Lambda `Invoke`, by function name. @default none */
  readonly functions?: Readonly<Record<string, FakeLambdaFunction>>;
}

/** The SDK's service ids (for the endpoint variables) by signing name. */
const SERVICE_IDS: Readonly<Record<string, string>> = {
  rds: 'RDS',
  autoscaling: 'AUTO_SCALING',
  elasticloadbalancing: 'ELASTIC_LOAD_BALANCING_V2',
  monitoring: 'CLOUDWATCH',
  globalaccelerator: 'GLOBAL_ACCELERATOR',
  sns: 'SNS',
  ssm: 'SSM',
  ec2: 'EC2',
  servicequotas: 'SERVICE_QUOTAS',
  cloudformation: 'CLOUDFORMATION',
  secretsmanager: 'SECRETS_MANAGER',
  lambda: 'LAMBDA',
};

/**
 * Lambda's `Invoke` over REST-JSON: `POST /2015-03-31/functions/{FunctionName}/invocations`, the
 * event as the body; `Qualifier` in the query.
 * @see https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
 */
const LAMBDA_INVOKE_PATH = /^\/2015-03-31\/functions\/([^/?]+)\/invocations(?:\?.*)?$/;

/** The function name in a name, a full ARN or a partial ARN (`123456789012:function:name`), without a version or alias. */
function lambdaFunctionName(nameOrArn: string): string {
  const parts = nameOrArn.split(':');
  const at = parts.indexOf('function');
  return at >= 0 && parts[at + 1] ? parts[at + 1]! : parts[0]!;
}

/**
 * The EC2 query protocol differs from the AWS query protocol: lists are sent as `ImageId.1` (the
 * member's `ec2QueryName`, not the SDK's plural) and answered as `<imagesSet><item>`, member
 * names are lower camel case, and there is no `<ActionResult>` wrapper. Input names by wire name,
 * output names by SDK name, where they differ from the rule.
 */
const EC2_INPUT_LISTS: Readonly<Record<string, string>> = {
  ImageId: 'ImageIds',
  LaunchTemplateVersion: 'Versions',
  InstanceType: 'InstanceTypes',
};
const EC2_OUTPUT_NAMES: Readonly<Record<string, string>> = {
  Images: 'imagesSet',
  LaunchTemplateVersions: 'launchTemplateVersionSet',
  InstanceTypes: 'instanceTypeSet',
  State: 'imageState',
};

function toEc2Xml(name: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  const tag = EC2_OUTPUT_NAMES[name] ?? name.charAt(0).toLowerCase() + name.slice(1);
  if (value instanceof Date) return `<${tag}>${value.toISOString()}</${tag}>`;
  if (Array.isArray(value))
    return `<${tag}>${value
      .map((v) =>
        typeof v === 'object'
          ? `<item>${Object.entries(v as object)
              .map(([k, x]) => toEc2Xml(k, x))
              .join('')}</item>`
          : `<item>${escapeXml(String(v))}</item>`,
      )
      .join('')}</${tag}>`;
  if (typeof value === 'object')
    return `<${tag}>${Object.entries(value)
      .map(([k, v]) => toEc2Xml(k, v))
      .join('')}</${tag}>`;
  return `<${tag}>${escapeXml(String(value))}</${tag}>`;
}

function fromEc2Query(body: string): { action: string; input: Record<string, unknown> } {
  const params = new URLSearchParams(body);
  const input: Record<string, unknown> = {};
  for (const [key, raw] of params) {
    if (key === 'Action' || key === 'Version') continue;
    const [name, index] = key.split('.');
    if (index !== undefined && /^\d+$/.test(index) && name && EC2_INPUT_LISTS[name])
      ((input[EC2_INPUT_LISTS[name]] ??= []) as string[]).push(raw);
    else input[key] = raw;
  }
  return { action: params.get('Action') ?? '', input };
}

/**
 * List members of the AWS query protocol are `<member>` except where a service's model names
 * them (its `xmlName` traits, as in `@aws-sdk/client-rds`'s schema): the SDK reads a list whose
 * members are misnamed as empty.
 */
const QUERY_MEMBER_NAMES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  rds: {
    DBInstances: 'DBInstance',
    DBSnapshots: 'DBSnapshot',
    TagList: 'Tag',
    Parameters: 'Parameter',
    DBParameterGroups: 'DBParameterGroup',
    VpcSecurityGroups: 'VpcSecurityGroupMembership',
    ReadReplicaDBInstanceIdentifiers: 'ReadReplicaDBInstanceIdentifier',
    StatusInfos: 'DBInstanceStatusInfo',
  },
};

/** Query-protocol inputs that are numbers (the protocol sends every value as text). */
const NUMERIC_INPUTS = new Set([
  'MinSize',
  'MaxSize',
  'DesiredCapacity',
  'MaxRecords',
  'Weight',
  'BackupRetentionPeriod',
  'AllocatedStorage',
  'Iops',
  'Port',
]);

/** Query-protocol inputs that are booleans (sent as `true` / `false`). */
const BOOLEAN_INPUTS = new Set([
  'ApplyImmediately',
  'AutoMinorVersionUpgrade',
  'CopyTagsToSnapshot',
  'DeletionProtection',
  'EnableIAMDatabaseAuthentication',
  'ForceFailover',
  'MultiAZ',
  'PubliclyAccessible',
  'ResetAllParameters',
  'StorageEncrypted',
]);

function typed(name: string | number, raw: string): unknown {
  if (typeof name !== 'string') return raw;
  if (NUMERIC_INPUTS.has(name)) return Number(raw);
  if (BOOLEAN_INPUTS.has(name)) return raw === 'true';
  return raw;
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function toXml(name: string, value: unknown, members: Readonly<Record<string, string>>): string {
  if (value === undefined || value === null) return '';
  if (value instanceof Date) return `<${name}>${value.toISOString()}</${name}>`;
  if (Array.isArray(value)) return `<${name}>${value.map((v) => toXml(members[name] ?? 'member', v, members)).join('')}</${name}>`;
  if (typeof value === 'object')
    return `<${name}>${Object.entries(value)
      .map(([k, v]) => toXml(k, v, members))
      .join('')}</${name}>`;
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** `A.member.1.B=x` → `{ A: [{ B: 'x' }] }`: a list's name is the segment before its member name and index. */
function fromQuery(body: string): { action: string; input: Record<string, unknown> } {
  const params = new URLSearchParams(body);
  const input: Record<string, unknown> = {};
  for (const [key, raw] of params) {
    if (key === 'Action' || key === 'Version') continue;
    const parts = key.split('.');
    const path: (string | number)[] = [];
    for (let i = 0; i < parts.length; i++) {
      const next = parts[i + 1];
      if (next !== undefined && /^\d+$/.test(next) && i > 0) continue; // the member name
      const part = parts[i]!;
      path.push(/^\d+$/.test(part) ? Number(part) - 1 : part);
    }
    let at: Record<string | number, unknown> = input;
    for (let i = 0; i < path.length - 1; i++) {
      const key = path[i]!;
      at[key] ??= typeof path[i + 1] === 'number' ? [] : {};
      at = at[key] as Record<string | number, unknown>;
    }
    const last = path.at(-1)!;
    at[last] = typed(last, raw);
  }
  return { action: params.get('Action') ?? '', input };
}

/** JSON protocols carry times as epoch seconds. */
const jsonReplacer = function (this: Record<string, unknown>, key: string, value: unknown) {
  const original = this[key];
  return original instanceof Date ? original.getTime() / 1000 : value;
};

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body;
}

/**
 * Serves `fake` on 127.0.0.1 at a free port, speaking the AWS query protocol (RDS, Auto Scaling,
 * ELBv2, SNS, CloudFormation), the EC2 query protocol, the AWS JSON protocols (CloudWatch, Global
 * Accelerator, SSM, Service Quotas, Secrets Manager), and Lambda's REST-JSON `Invoke` of
 * `options.functions` (such as a shipped bundle: `bundledFunction`). The service and
 * region come from each request's SigV4 credential scope. A call to a region in an outage gets
 * its connection dropped, as an unreachable endpoint would; so does a call whose answer
 * {@link FakeAws.loseResponses} loses, after it has taken effect. A call signed with the keys
 * of a principal registered in {@link FakeAws.iam} is authorized first, as AWS would. DynamoDB
 * is not here: use dynalite (and `startDynamoGate` to authorize its calls).
 */
export async function startFakeAwsServer(fake: FakeAws, options: FakeAwsServerOptions = {}): Promise<FakeAwsServer> {
  const calls: string[] = [];
  const functions = new Map<string, FakeLambdaFunction>(Object.entries(options.functions ?? {}));
  const server = createServer((req, res) => void answer(req, res));

  /**
   * Lambda `Invoke` (RequestResponse), authorized by {@link FakeAws.iam} like every route: the
   * function's result as the body, or its error object with `X-Amz-Function-Error`; an unknown
   * function is a 404 `ResourceNotFoundException`. Only synchronous invocation is modelled.
   */
  async function invoke(
    req: IncomingMessage,
    res: ServerResponse,
    body: string,
    region: string,
    accessKeyId: string | undefined,
  ): Promise<void> {
    const match = LAMBDA_INVOKE_PATH.exec(req.url ?? '');
    const fail = (status: number, type: string, message: string) => {
      res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type });
      res.end(JSON.stringify({ Type: 'User', message }));
    };
    if (!match || req.method !== 'POST')
      return fail(400, 'InvalidRequestContentException', `${req.method} ${req.url} is not a Lambda Invoke`);
    calls.push('lambda:Invoke');
    if (fake.outages.has(region)) {
      req.socket.destroy();
      return;
    }
    const requested = decodeURIComponent(match[1]!);
    try {
      fake.iam.authorize(accessKeyId, 'lambda', 'Invoke', { FunctionName: requested }, region);
    } catch (e) {
      const denied = e as Error & { $metadata?: { httpStatusCode?: number } };
      return fail(denied.$metadata?.httpStatusCode ?? 403, denied.name, denied.message);
    }
    const name = lambdaFunctionName(requested);
    const fn = functions.get(name);
    if (!fn) return fail(404, 'ResourceNotFoundException', `Function not found: arn:aws:lambda:${region}:123456789012:function:${name}`);
    const invocationType = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    if (invocationType !== 'RequestResponse')
      return fail(400, 'InvalidParameterValueException', `the fake models only RequestResponse invocations; got ${invocationType}`);
    let event: unknown;
    try {
      event = body ? JSON.parse(body) : {};
    } catch {
      return fail(400, 'InvalidRequestContentException', 'Could not parse request body into json');
    }
    let outcome: Awaited<ReturnType<FakeLambdaFunction>>;
    try {
      outcome = await fn(event, { functionName: name, region });
    } catch (e) {
      // The fake function itself broke (not the handler it runs): Lambda's own failure.
      return fail(500, 'ServiceException', `the fake function ${name} failed: ${(e as Error).message}`);
    }
    if ('functionError' in outcome) {
      res.writeHead(200, {
        'content-type': 'application/json',
        'x-amz-function-error': outcome.functionError,
        'x-amz-executed-version': '$LATEST',
      });
      res.end(JSON.stringify({ errorType: outcome.errorType, errorMessage: outcome.errorMessage }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' });
    res.end(JSON.stringify(outcome.result ?? null));
  }

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    // The SigV4 credential: access key id, then the scope (date, region, service).
    const scope = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\//.exec(req.headers.authorization ?? '');
    const [accessKeyId, region, service] = [scope?.[1], scope?.[2] ?? 'us-east-1', scope?.[3] ?? ''];
    if (service === 'lambda') return invoke(req, res, body, region, accessKeyId);
    const target = req.headers['x-amz-target'];
    const json = typeof target === 'string';
    const ec2 = service === 'ec2';
    const { action, input } = json
      ? { action: target.split('.').at(-1) ?? '', input: body ? (JSON.parse(body) as Record<string, unknown>) : {} }
      : ec2
        ? fromEc2Query(body)
        : fromQuery(body);
    calls.push(`${service}:${action}`);
    try {
      const output = (await fake.handle(service, action, input, region, accessKeyId)) ?? {};
      if (json) {
        res.writeHead(200, { 'content-type': String(req.headers['content-type'] ?? 'application/x-amz-json-1.1') });
        res.end(JSON.stringify(output, jsonReplacer));
      } else if (ec2) {
        const result = Object.entries(output as Record<string, unknown>)
          .map(([k, v]) => toEc2Xml(k, v))
          .join('');
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(
          `<${action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>fake</requestId>${result}</${action}Response>`,
        );
      } else {
        const members = QUERY_MEMBER_NAMES[service] ?? {};
        const result = Object.entries(output as Record<string, unknown>)
          .map(([k, v]) => toXml(k, v, members))
          .join('');
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(
          `<${action}Response><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></${action}Response>`,
        );
      }
    } catch (e) {
      const error = e as Error & { code?: string; $metadata?: { httpStatusCode?: number } };
      if (error.code === 'ECONNREFUSED' || error.code === 'ECONNRESET') {
        req.socket.destroy();
        return;
      }
      const status = error.$metadata?.httpStatusCode ?? 400;
      if (json) {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': error.name });
        res.end(JSON.stringify({ __type: error.name, message: error.message }));
      } else if (ec2) {
        res.writeHead(status, { 'content-type': 'text/xml' });
        res.end(
          `<Response><Errors><Error><Code>${escapeXml(error.name)}</Code><Message>${escapeXml(error.message)}</Message></Error></Errors><RequestID>fake</RequestID></Response>`,
        );
      } else {
        res.writeHead(status, { 'content-type': 'text/xml' });
        res.end(
          `<ErrorResponse><Error><Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${escapeXml(error.name)}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>fake</RequestId></ErrorResponse>`,
        );
      }
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const env: Record<string, string> = { AWS_ACCESS_KEY_ID: 'fake', AWS_SECRET_ACCESS_KEY: 'fake', AWS_SESSION_TOKEN: 'fake' };
  for (const id of Object.values(SERVICE_IDS)) env[`AWS_ENDPOINT_URL_${id}`] = endpoint;
  return {
    endpoint,
    env,
    calls,
    functions,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
