// Invokes a bundled handler as the Lambda runtime does: a fresh Node process imports the bundle,
// then calls handler(event, context) once with a context whose deadline is `timeoutMs` away.
// Prints the handler's result (or error) on a last line starting with @@RESULT or @@ERROR.
// Run by invokeLambda (src/invoke-lambda.ts); argv: bundle, event JSON, timeoutMs, requestId, functionName.
import { pathToFileURL } from 'node:url';

const [bundle, eventJson, timeoutMs, requestId, functionName] = process.argv.slice(2);
const deadline = Date.now() + Number(timeoutMs);
const context = {
  awsRequestId: requestId,
  functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
  memoryLimitInMB: '512',
  logGroupName: `/aws/lambda/${functionName}`,
  logStreamName: requestId,
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
