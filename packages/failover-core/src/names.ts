/**
 * Names and formats that several packages must agree on: the constructs create what the engine,
 * the adapters, the Lambdas and `dr` later look up, so each is defined once, here.
 */

/**
 * Global Accelerator's control plane: its API answers only in us-west-2, whatever regions the
 * accelerator routes to, so an endpoint group is read and changed there (and a Global
 * Accelerator stack is deployed there).
 * @see https://docs.aws.amazon.com/global-accelerator/latest/dg/preserve-client-ip-address.regions.html
 * @see https://docs.aws.amazon.com/global-accelerator/latest/api/Welcome.html
 */
export const GLOBAL_ACCELERATOR_CONTROL_REGION = 'us-west-2';

/** The state table's name when the config names none: `<app>-dr-state`, as the constructs create it. */
export const defaultStateTableName = (app: string): string => `${app}-dr-state`;

/** The CloudWatch namespace of the Lambdas' EMF metrics (the constructs' alarms and dashboard read it). */
export const METRICS_NAMESPACE = 'PilotLightDR';

/** The CloudWatch namespace of the readiness metrics (one per check, dimension `App`). */
export const READINESS_NAMESPACE = 'DR/Readiness';

/**
 * An RDS DB instance identifier: 1–63 letters, digits or hyphens; first a letter; no trailing
 * or double hyphen.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html
 */
export const RDS_INSTANCE_IDENTIFIER = /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{0,62}(?<!-)$/;
