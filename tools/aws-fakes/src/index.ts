/**
 * Test support for the workspace (never published): stateful fakes of the AWS SDK v3 clients
 * for two regions, SDK-shaped errors, and a local DynamoDB-compatible server.
 * @packageDocumentation
 */
export { FakeAws, type FakeSnapshot } from './fake-aws.js';
export { awsError, networkError } from './errors.js';
export { startDynalite, type LocalDynamo } from './dynalite.js';
export { startFakeAwsServer, type FakeAwsServer } from './fake-aws-server.js';
export { HealthEndpoint } from './health-endpoint.js';
