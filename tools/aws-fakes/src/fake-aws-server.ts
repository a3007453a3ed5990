import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeAws } from './fake-aws.js';
import type { FakeLambdaFunction } from './fake-lambda.js';
import { invokeFakeFunction } from './fake-lambda-invoke.js';
import { readRequest, writeError, writeOutput, type WireProtocol } from './aws-wire-protocols.js';

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

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    // The SigV4 credential: access key id, then the scope (date, region, service).
    const scope = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\//.exec(req.headers.authorization ?? '');
    const [accessKeyId, region, service] = [scope?.[1], scope?.[2] ?? 'us-east-1', scope?.[3] ?? ''];
    if (service === 'lambda') return invokeFakeFunction({ fake, functions, calls }, req, res, { body, region, accessKeyId });
    const target = req.headers['x-amz-target'];
    const protocol: WireProtocol = typeof target === 'string' ? 'json' : service === 'ec2' ? 'ec2' : 'query';
    const { action, input } = readRequest(protocol, typeof target === 'string' ? target : undefined, body);
    calls.push(`${service}:${action}`);
    try {
      const output = (await fake.handle(service, action, input, region, accessKeyId)) ?? {};
      writeOutput(res, protocol, { service, action, contentType: req.headers['content-type'] }, output);
    } catch (e) {
      const error = e as Error & { code?: string; $metadata?: { httpStatusCode?: number } };
      // An outage, or an answer FakeAws.loseResponses loses: the connection drops, as an unreachable endpoint's would.
      if (error.code === 'ECONNREFUSED' || error.code === 'ECONNRESET') {
        req.socket.destroy();
        return;
      }
      writeError(res, protocol, error);
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
