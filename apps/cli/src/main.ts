import { Command, CommanderError } from 'commander';
import { drillCommand } from './commands/drill.js';
import { EXIT, ExitError } from './errors.js';
import { Output } from './output.js';

/** What a command reports back to the entry point. */
export interface CommandContext {
  /** The exit code the command chose; 0 unless set. */
  exitCode: number;
}

/** Builds the `dr` program. Each command lives in `commands/<name>.ts`. */
export function buildProgram(context: CommandContext): Command {
  const program = new Command('dr')
    .description('Pilot-light disaster recovery for AWS: readiness, failover, switchover, failback and drills.')
    .version('0.1.0')
    .option('--debug', 'print stack traces of unexpected errors')
    .exitOverride()
    .configureOutput({ outputError: () => undefined });
  for (const command of [drillCommand(context)]) {
    // Commands built on their own do not inherit the program's error handling unless told to.
    program.addCommand(command.copyInheritedSettings(program));
  }
  return program;
}

/**
 * Runs the `dr` command and returns its exit code: 0 done, 1 failed, 2 bad input.
 * One catch maps every error to a code and a short message; a stack only with `--debug`.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const context: CommandContext = { exitCode: EXIT.ok };
  const program = buildProgram(context);
  const debug = argv.includes('--debug');
  const out = new Output();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return context.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return EXIT.ok;
      // `dr` with no command: the help went to stderr; that is a usage error.
      if (e.code === 'commander.help') return EXIT.badInput;
      out.error(`${e.message.replace(/^error: /, '')} (run dr --help for usage)`);
      return EXIT.badInput;
    }
    if (e instanceof ExitError) {
      out.error(e.message);
      if (debug && e.cause instanceof Error) process.stderr.write(`${e.cause.stack ?? ''}\n`);
      return e.exitCode;
    }
    out.error(`unexpected failure: ${e instanceof Error ? e.message : String(e)}${debug ? '' : ' (run with --debug for details)'}`);
    if (debug && e instanceof Error) process.stderr.write(`${e.stack ?? ''}\n`);
    return EXIT.failed;
  }
}
