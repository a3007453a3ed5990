/** Exit codes of the `dr` command. */
export const EXIT = { ok: 0, failed: 1, badInput: 2 } as const;

/** An error that ends the command with a given exit code and a message for people (no stack). */
export class ExitError extends Error {
  override readonly name = 'ExitError';
  constructor(
    message: string,
    readonly exitCode: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Bad input: an unknown option value, an unreadable or invalid config. Exit code 2. */
export class UsageError extends ExitError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, EXIT.badInput, options);
  }
}

/** Whether an error (or one it wraps) is the SDK finding no credentials anywhere in its chain. */
export function isMissingCredentials(e: unknown): boolean {
  for (let at: unknown = e, depth = 0; at instanceof Error && depth < 5; at = at.cause, depth++) {
    if (at.name === 'CredentialsProviderError' || /Could not load credentials/i.test(at.message)) return true;
  }
  return false;
}

/**
 * Error names with which AWS refuses the caller rather than the request: no permission
 * (`AccessDenied` of the query services, `AccessDeniedException` of the JSON ones, EC2's
 * `UnauthorizedOperation`, SNS's `AuthorizationError`), or credentials AWS does not accept
 * (unknown key: `UnrecognizedClientException`, `InvalidClientTokenId`; expired session:
 * `ExpiredToken`, `ExpiredTokenException`; wrong secret: `SignatureDoesNotMatch`,
 * `InvalidSignatureException`, EC2's `AuthFailure`).
 * @see https://docs.aws.amazon.com/awsconsolehelpdocs/latest/gsg/common-errors.html (AccessDeniedException, ExpiredTokenException, UnrecognizedClientException)
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/CommonErrors.html (InvalidClientTokenId)
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html (AuthFailure, UnauthorizedOperation)
 * @see https://docs.aws.amazon.com/sns/latest/api/CommonErrors.html (AuthorizationError)
 * `AccessDenied` (query services), `ExpiredToken`, `SignatureDoesNotMatch` and
 * `InvalidSignatureException` are the names the SDK reports from those services' answers; no
 * common-errors table lists them: UNCONFIRMED by a published table.
 */
const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'AuthorizationError',
  'AuthFailure',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
]);

/** Whether an error (or one it wraps) is AWS refusing the caller: no permission, or credentials it does not accept. */
export function isAccessDenied(e: unknown): boolean {
  for (let at: unknown = e, depth = 0; at instanceof Error && depth < 5; at = at.cause, depth++) {
    if (ACCESS_DENIED.has(at.name) || ACCESS_DENIED.has((at as { Code?: string }).Code ?? '')) return true;
  }
  return false;
}
