/**
 * Test support for the workspace (never published): stateful fakes of the AWS SDK v3 clients
 * for two regions, SDK-shaped errors, a local DynamoDB-compatible server, a DNS server for the
 * Route 53 health records, a model of CloudWatch alarm evaluation (metric math, missing data), a
 * MySQL wire-protocol server that records statements, and Lambda functions (shipped bundles)
 * behind the fake server's Lambda Invoke; and a synthesized `PilotLight` deployed on all of them
 * (`FakeDeployment`), for the CLI's and the Lambdas' process tests.
 * @packageDocumentation
 */
export { FakeAws, FakeOutages, type FakeSnapshot, type FakeService } from './fake-aws.js';
export { FakeAurora, failoverSnapshotId } from './fake-aurora.js';
export type {
  FakeAuroraInstance,
  FakeAuroraKnobs,
  FakeAuroraState,
  FakeCluster,
  FakeClusterParameterGroup,
  FakeClusterSnapshot,
  FakeGlobalCluster,
  FakeGlobalMember,
} from './fake-aurora-model.js';
export { FakeDns, type FakeDnsFailure, type FakeDnsOptions } from './fake-dns.js';
export {
  DEFAULT_PARAMETER_GROUP,
  type FakeDb,
  type FakeDbState,
  type FakeDbSettings,
  type FakeDbStep,
  type FakeParameterGroup,
  type FakeRdsKnobs,
} from './fake-rds.js';
export { awsError, networkError, lostResponseError } from './errors.js';
export { startDynalite, type LocalDynamo } from './dynalite.js';
export { startFakeAwsServer, type FakeAwsServer, type FakeAwsServerOptions } from './fake-aws-server.js';
export { bundledFunction, type BundledFunctionOptions, type FakeLambdaFunction, type FakeLambdaOutcome } from './fake-lambda.js';
export { HealthEndpoint } from './health-endpoint.js';
export {
  invokeLambda,
  runNodeScript,
  scheduledEvent,
  type InvokeLambdaOptions,
  type LambdaInvocation,
  type ProcessRun,
} from './invoke-lambda.js';
export { FakeMysql, type FakeMysqlError, type FakeMysqlOptions, type FakeMysqlStatement } from './fake-mysql.js';
export { FakeReadiness, type FakeLaunchTemplate, type FakePublished } from './fake-readiness.js';
export {
  breaches,
  datapointsToFill,
  defaultEvaluationRange,
  evaluateAlarm,
  evaluateExpression,
  evaluateQueries,
  simulateAlarm,
  type AlarmEvaluation,
  type AlarmRule,
  type AlarmState,
  type ComparisonOperator,
  type MetricQuery,
  type ModelledAlarm,
  type Series,
  type TreatMissingData,
} from './cloudwatch-alarm-model.js';
export {
  actionMatches,
  arnMatches,
  evaluatePolicies,
  KNOWN_CONDITION_KEYS,
  PolicyNotUnderstoodError,
  type AuthorizationRequest,
  type ContextValue,
  type PolicyConditionValue,
  type PolicyDecision,
  type PolicyDocument,
  type PolicyStatement,
} from './iam/policy-evaluator.js';
export {
  autoScalingGroupArn,
  ROUTE_AUTHORIZATIONS,
  type CallFacts,
  type RequiredPermission,
  type RouteAuthorization,
} from './iam/route-authorizations.js';
export { FakeIam, type FakeAuthorization, type FakeCredentials, type FakePrincipal } from './iam/fake-iam.js';
export { startDynamoGate, type DynamoGate } from './iam/dynamo-gate.js';
export {
  TemplateResolver,
  type CfnResource,
  type CfnTemplate,
  type FoundResource,
  type SynthesizedStack,
} from './iam/template-resolver.js';
export { enforceSynthesizedDrApp, readSynthesizedDrApp, type SynthesizedCaller, type SynthesizedDrApp } from './iam/synthesized-dr-app.js';
export {
  FAKE_DEPLOYMENT_POLL_SECONDS,
  FakeDeployment,
  HEALTH_RECORD_READER_TIMEOUT_MS,
  type FakeDeploymentOptions,
  type ServiceEndpoint,
} from './fake-deployment.js';
export {
  REFERENCE_ACCOUNT,
  synthesizeReferenceDrApp,
  type DrAppConstructors,
  type ReferenceDrAppOptions,
  type ReferencePilotLightProps,
  type ReferencePilotLightRegion,
  type SynthesizableApp,
  type SynthesizedCdkStack,
} from './reference-dr-app.js';
