import { invokeLambda } from './invoke-lambda.js';

/**
 * What one invocation of a fake Lambda function gave, as the Invoke API reports it: the
 * function's result (the response payload), or a function error (`X-Amz-Function-Error`, with
 * Lambda's error object as the payload).
 * @see https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
 */
export type FakeLambdaOutcome =
  | { readonly result: unknown }
  | { readonly functionError: 'Handled' | 'Unhandled'; readonly errorType: string; readonly errorMessage: string };

/** A function the fake Lambda service invokes: the event (the request payload), and which function and region were asked. */
export type FakeLambdaFunction = (
  event: unknown,
  invocation: { readonly functionName: string; readonly region: string },
) => Promise<FakeLambdaOutcome>;

/** Options of {@link bundledFunction}. */
export interface BundledFunctionOptions {
  /** The function's environment (nothing is inherited). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The function's timeout: an invocation still running then is killed and reads as Lambda's timeout error. */
  readonly timeoutMs: number;
}

/**
 * A shipped bundle as a function of the fake Lambda service: each invocation runs the bundle as
 * the Lambda runtime would, in a fresh Node process ({@link invokeLambda}: a cold start every
 * time, the slowest case), killed at `timeoutMs`. A handler that throws is an `Unhandled`
 * function error with its message, as the Node.js runtime reports it; one killed at its timeout
 * is Lambda's `Sandbox.Timedout`.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-exceptions.html
 */
export function bundledFunction(bundle: string, options: BundledFunctionOptions): FakeLambdaFunction {
  return async (event, { functionName }) => {
    const run = await invokeLambda(bundle, { event, timeoutMs: options.timeoutMs, env: options.env, functionName, killAtTimeout: true });
    if (run.signal !== null) {
      return {
        functionError: 'Unhandled',
        errorType: 'Sandbox.Timedout',
        errorMessage: `Task timed out after ${(options.timeoutMs / 1000).toFixed(2)} seconds`,
      };
    }
    if (run.code !== 0) return { functionError: 'Unhandled', errorType: 'Error', errorMessage: run.error ?? 'the handler failed' };
    return { result: run.result ?? null };
  };
}
