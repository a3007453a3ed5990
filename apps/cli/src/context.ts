/** What a command reports back to the entry point. In its own module so that commands need not import `main.ts`, which imports them. */
export interface CommandContext {
  /** The exit code the command chose; 0 unless set. */
  exitCode: number;
}
