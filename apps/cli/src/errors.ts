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
