import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeIam } from './fake-iam.js';

/** An authorizing front for a DynamoDB-compatible server. */
export interface DynamoGate {
  readonly endpoint: string;
  stop(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Serves on 127.0.0.1 at a free port in front of `target` (dynalite): each DynamoDB JSON call
 * (`X-Amz-Target: DynamoDB_20120810.<Action>`) signed with a principal's keys is authorized by
 * `iam` on the table it names (`dynamodb:<Action>` on `arn:aws:dynamodb:<region>:<account>:table/<name>`)
 * before it is passed on; a refused call gets DynamoDB's `AccessDeniedException` (HTTP 400).
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/CommonErrors.html
 */
export async function startDynamoGate(iam: FakeIam, target: string): Promise<DynamoGate> {
  const upstream = new URL(target);
  const server = createServer((req, res) => void pass(req, res));

  async function pass(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const scope = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\//.exec(req.headers.authorization ?? '');
    const action =
      String(req.headers['x-amz-target'] ?? '')
        .split('.')
        .at(-1) ?? '';
    try {
      const input = body.length > 0 ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
      iam.authorize(scope?.[1], 'dynamodb', action, input, scope?.[2] ?? 'us-east-1');
    } catch (e) {
      const error = e as Error & { $metadata?: { httpStatusCode?: number } };
      res.writeHead(error.$metadata?.httpStatusCode ?? 400, {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-errortype': error.name,
      });
      res.end(JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${error.name}`, message: error.message }));
      return;
    }
    const forward = request(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 500, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => req.socket.destroy());
    forward.end(body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
