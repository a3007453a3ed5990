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
