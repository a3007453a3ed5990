// Invokes a bundled handler as the Lambda runtime does: a fresh Node process imports the bundle,
// then calls handler(event, context) once with a context whose deadline is `timeoutMs` away.
// Prints the handler's result (or error) on a last line starting with @@RESULT or @@ERROR.
import { pathToFileURL } from 'node:url';

const [bundle, eventJson, timeoutMs, requestId] = process.argv.slice(2);
const deadline = Date.now() + Number(timeoutMs);
const context = {
  awsRequestId: requestId,
  functionName: 'lamp-dr-controller',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:lamp-dr-controller',
  memoryLimitInMB: '512',
  logGroupName: '/aws/lambda/lamp-dr-controller',
  logStreamName: 'lifecycle-check',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  done() {},
  fail() {},
  succeed() {},
};
const { handler } = await import(pathToFileURL(bundle).href);
try {
  const result = await handler(JSON.parse(eventJson), context);
  process.stdout.write(`@@RESULT ${JSON.stringify(result)}\n`);
  process.exit(0);
} catch (e) {
  process.stdout.write(`@@ERROR ${JSON.stringify(e instanceof Error ? e.message : String(e))}\n`);
  process.exit(1);
}
