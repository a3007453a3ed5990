import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakeAws } from './fake-aws.js';
import type { FakeLambdaFunction } from './fake-lambda.js';

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

/** What the fake server's Lambda service answers from: the fakes (outages, IAM), the functions by name, and the server's call log. */
export interface FakeLambdaService {
  readonly fake: FakeAws;
  readonly functions: ReadonlyMap<string, FakeLambdaFunction>;
  readonly calls: string[];
}

/**
 * Lambda `Invoke` (RequestResponse), authorized by {@link FakeAws.iam} like every route: the
 * function's result as the body, or its error object with `X-Amz-Function-Error`; an unknown
 * function is a 404 `ResourceNotFoundException`. Only synchronous invocation is modelled.
 */
export async function invokeFakeFunction(
  lambda: FakeLambdaService,
  req: IncomingMessage,
  res: ServerResponse,
  call: { readonly body: string; readonly region: string; readonly accessKeyId: string | undefined },
): Promise<void> {
  const { fake, functions, calls } = lambda;
  const { body, region, accessKeyId } = call;
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
