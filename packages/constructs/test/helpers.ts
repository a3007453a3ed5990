import { App, Stack } from 'aws-cdk-lib';

/** A stack in a concrete account and region, as the reference app's stacks are. */
export function stackIn(region: string, id = 'Test'): Stack {
  const app = new App({ context: { '@aws-cdk/core:validateAgainstDefaultRules': true } });
  return new Stack(app, id, { env: { account: '123456789012', region } });
}
