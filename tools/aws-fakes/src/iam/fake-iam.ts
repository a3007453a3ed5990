import { awsError } from '../errors.js';
import { evaluatePolicies, type PolicyDocument } from './policy-evaluator.js';
import { ROUTE_AUTHORIZATIONS, type RequiredPermission } from './route-authorizations.js';

/** A principal the fakes authorize calls for: a Lambda's role session, an operator's role. */
export interface FakePrincipal {
  /** The caller as AWS names it in an AccessDenied message (`arn:aws:sts::<account>:assumed-role/<role>/<session>`). */
  readonly arn: string;
  /** `aws:PrincipalArn`: for a role session, the role's ARN. */
  readonly principalArn: string;
  readonly account: string;
  /** Its identity-based policies, every intrinsic resolved. A test may replace them. */
  policies: readonly PolicyDocument[];
}

/** Credentials that identify one {@link FakePrincipal} to the fakes. */
export interface FakeCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  /** `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN` for a process. */
  readonly env: Readonly<Record<string, string>>;
}

/** One authorization the fakes decided. */
export interface FakeAuthorization extends RequiredPermission {
  readonly principal: string;
  readonly allowed: boolean;
}

/**
 * How each service says AccessDenied: its error code and HTTP status.
 * RDS, Auto Scaling, ELB and CloudWatch (query protocols) answer `AccessDenied` with 403; SNS
 * `AuthorizationError` with 403; EC2 `UnauthorizedOperation` with 403; the JSON services
 * (DynamoDB, SSM, Service Quotas, Global Accelerator, KMS) `AccessDeniedException` with 400.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
 * @see https://docs.aws.amazon.com/sns/latest/api/CommonErrors.html
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/CommonErrors.html
 * The query services' 403 and the JSON services' 400 other than DynamoDB's are what their SDK
 * errors show in practice: UNCONFIRMED by a published table.
 */
const DENIAL_SHAPES: Readonly<Record<string, { readonly code: string; readonly status: number }>> = {
  rds: { code: 'AccessDenied', status: 403 },
  autoscaling: { code: 'AccessDenied', status: 403 },
  elasticloadbalancing: { code: 'AccessDenied', status: 403 },
  monitoring: { code: 'AccessDenied', status: 403 },
  sns: { code: 'AuthorizationError', status: 403 },
  ec2: { code: 'UnauthorizedOperation', status: 403 },
};
const JSON_DENIAL = { code: 'AccessDeniedException', status: 400 };

/**
 * When a service is refused the caller's KMS permissions on a key it uses on the caller's
 * behalf, it answers with its own error.
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html#API_Publish_Errors (KMSAccessDenied)
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstanceReadReplica.html#API_CreateDBInstanceReadReplica_Errors (KMSKeyNotAccessibleFault)
 */
const KMS_DENIAL_SHAPES: Readonly<Record<string, { readonly code: string; readonly status: number }>> = {
  sns: { code: 'KMSAccessDenied', status: 400 },
  rds: { code: 'KMSKeyNotAccessibleFault', status: 400 },
};

/**
 * IAM as the fakes enforce it: callers by access key id, each with its identity-based policies;
 * every call a registered caller makes is authorized as AWS would (the route's actions,
 * resources and context from `route-authorizations.ts`, decided by `policy-evaluator.ts`), and
 * refused with the service's AccessDenied error naming the action and resource. Calls with keys
 * nobody registered are the test's own hand (arranging or reading the world) and are not checked.
 */
export class FakeIam {
  /** Registered callers by access key id. */
  readonly principals = new Map<string, FakePrincipal>();
  /** The customer managed key of each encrypted SNS topic, by topic ARN (SNS uses it with the publisher's permissions). */
  readonly topicKeys = new Map<string, string>();
  /** Every decision, in order. */
  readonly authorizations: FakeAuthorization[] = [];
  private issued = 0;

  /** Registers a caller and returns the credentials that identify it. */
  addPrincipal(principal: FakePrincipal): FakeCredentials {
    this.issued++;
    const accessKeyId = `ASIAFAKE${String(this.issued).padStart(12, '0')}`;
    this.principals.set(accessKeyId, principal);
    const secretAccessKey = `fake-secret-${this.issued}`;
    const sessionToken = `fake-session-${this.issued}`;
    return {
      accessKeyId,
      secretAccessKey,
      sessionToken,
      env: { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken },
    };
  }

  /** The decisions that refused a call. */
  denials(): FakeAuthorization[] {
    return this.authorizations.filter((a) => !a.allowed);
  }

  /**
   * Authorizes one call of `service` (signing name) `action` in `region` by the caller with
   * `accessKeyId`; throws the service's AccessDenied error when any authorization it needs is
   * not allowed. Unregistered keys pass unchecked.
   */
  authorize(accessKeyId: string | undefined, service: string, action: string, input: Record<string, unknown>, region: string): void {
    const principal = accessKeyId === undefined ? undefined : this.principals.get(accessKeyId);
    if (!principal) return;
    const shape = DENIAL_SHAPES[service] ?? JSON_DENIAL;
    const spec = ROUTE_AUTHORIZATIONS[`${service}:${action}`];
    if (!spec) {
      throw awsError(
        shape.code,
        `The fakes do not know how AWS authorizes ${service}:${action}: add it to tools/aws-fakes/src/iam/route-authorizations.ts`,
        shape.status,
      );
    }
    const needed = spec({ input, region, account: principal.account, topicKey: (arn) => this.topicKeys.get(arn) });
    for (const permission of needed) {
      const context = {
        'aws:RequestedRegion': permission.region ?? region,
        'aws:PrincipalArn': principal.principalArn,
        'aws:PrincipalAccount': principal.account,
        // The SDK calls AWS over TLS (the fakes' plain HTTP stands in for it).
        'aws:SecureTransport': true,
        ...permission.context,
      };
      const decision = evaluatePolicies(principal.policies, { action: permission.action, resource: permission.resource, context });
      const allowed = decision.decision === 'Allow';
      this.authorizations.push({ ...permission, principal: principal.arn, allowed });
      if (!allowed) {
        // The message AWS gives since 2021: who, what, on which resource, and why.
        // https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
        const why =
          decision.decision === 'ExplicitDeny'
            ? 'with an explicit deny in an identity-based policy'
            : `because no identity-based policy allows the ${permission.action} action`;
        const refusal = permission.action.startsWith('kms:') && service !== 'kms' ? (KMS_DENIAL_SHAPES[service] ?? shape) : shape;
        throw awsError(
          refusal.code,
          `User: ${principal.arn} is not authorized to perform: ${permission.action} on resource: ${permission.resource} ${why}`,
          refusal.status,
        );
      }
    }
  }
}
