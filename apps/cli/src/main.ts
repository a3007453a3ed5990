import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { completionCommand } from './commands/completion.js';
import { drillCommand } from './commands/drill.js';
import { operationCommand, planCommand } from './commands/operate.js';
import { snapshotCommand } from './commands/snapshot.js';
import { statusCommand } from './commands/status.js';
import { describeError, isConfigError, isDrError } from '@dr/failover-core';
import { isRegionUnreachable } from '@dr/failover-core/errors';
import { EXIT, ExitError, isAccessDenied, isMissingCredentials } from './errors.js';
import { Output } from './output.js';
import type { CommandContext } from './context.js';

/** The version `nx release` writes into package.json, read from beside `dist/` (and `src/`) so that `dr --version` never lags a release. */
const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** Builds the `dr` program. Each command lives in `commands/<name>.ts`. */
export function buildProgram(context: CommandContext): Command {
  const program = new Command('dr')
    .description(
      'Pilot-light disaster recovery for AWS: readiness, failover, switchover, failback, rebuilding the pilot light, and drills.',
    )
    .version(version)
    .option('--debug', 'print stack traces of unexpected errors')
    .exitOverride()
    .configureOutput({ outputError: () => undefined })
    .addHelpText(
      'after',
      '\nExamples:\n  dr drill                                   a failover drill on the built-in simulator\n  dr drill --operation lifecycle             failovers, failbacks and a switchover on one simulated world\n  dr status --app lamp --region us-east-1    both regions, and whether a failover would start\n  dr failover --app lamp --region us-east-1 --dry-run\n\nExit codes: 0 done, 1 failed operation, 2 bad input. dr <command> --help for each command.',
    );
  const commands = [
    statusCommand(context),
    planCommand(context),
    operationCommand('failover', context),
    operationCommand('switchover', context),
    operationCommand('failback', context),
    operationCommand('rebuild', context),
    drillCommand(context),
    snapshotCommand(context),
    completionCommand(() => program),
  ];
  // Commands built on their own do not inherit the program's error handling unless told to,
  // and neither do their own subcommands (`dr snapshot list`).
  const inherit = (command: Command, parent: Command): Command => {
    command.copyInheritedSettings(parent);
    for (const sub of command.commands) inherit(sub, command);
    return command;
  };
  for (const command of commands) program.addCommand(inherit(command, program));
  return program;
}

/**
 * For a call that got no answer because the connection was refused or the name did not resolve:
 * that usually lies on this side (VPN, proxy, resolver), though a region's outage can look the
 * same (`dr status` compares regions to tell which). Said as a possibility, not a verdict.
 */
function localHint(e: unknown): string {
  if (!isRegionUnreachable(e)) return '';
  const { reason } = e;
  return reason === 'refused' || reason === 'dns'
    ? ' (if every AWS call fails this way, AWS cannot be reached from here: check the VPN, proxy and DNS; dr status tells a region down from this side)'
    : '';
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
    // `dr help X` for a command that does not exist would otherwise print the whole help on stderr with no word of what was wrong.
    const [first, topic] = argv;
    if (
      first === 'help' &&
      topic !== undefined &&
      !topic.startsWith('-') &&
      topic !== 'help' &&
      !program.commands.some((c) => c.name() === topic || c.aliases().includes(topic))
    ) {
      out.error(`unknown command ${JSON.stringify(topic)} (run dr --help for the commands)`);
      return EXIT.badInput;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return context.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return EXIT.ok;
      // `dr help` and `dr help X` print the help on stdout as `--help` does (commander's code 0);
      // `dr` with no command prints it on stderr (code 1): that is a usage error.
      if (e.code === 'commander.help') return e.exitCode === 0 ? EXIT.ok : EXIT.badInput;
      out.error(`${e.message.replace(/^error: /, '')} (run dr --help for usage)`);
      return EXIT.badInput;
    }
    if (e instanceof ExitError) {
      out.error(e.message);
      if (debug && e.cause instanceof Error) process.stderr.write(`${e.cause.stack ?? ''}\n`);
      return e.exitCode;
    }
    if (isMissingCredentials(e)) {
      out.error(
        'no AWS credentials found: set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or sign in with aws sso login',
      );
      return EXIT.badInput;
    }
    if (isConfigError(e)) {
      // The config cannot support what was asked (a field the operation needs is missing): bad input.
      out.error(describeError(e));
      return EXIT.badInput;
    }
    if (isAccessDenied(e)) {
      // AWS answered, and refused these credentials: not a region's trouble but this caller's.
      out.error(
        `access denied: ${describeError(e)} (AWS refused these credentials; dr needs the <app>-dr-operator policy, see "Permissions" in the dr README)`,
      );
      if (debug && e instanceof Error) process.stderr.write(`${e.stack ?? ''}\n`);
      return EXIT.failed;
    }
    if (isDrError(e)) {
      // The engine's and adapters' errors name the resource and region: a failed operation, said plainly.
      out.error(`${describeError(e)}${localHint(e)}`);
      if (debug && e instanceof Error) process.stderr.write(`${e.stack ?? ''}\n`);
      return EXIT.failed;
    }
    out.error(`unexpected failure: ${e instanceof Error ? e.message : String(e)}${debug ? '' : ' (run with --debug for details)'}`);
    if (debug && e instanceof Error) process.stderr.write(`${e.stack ?? ''}\n`);
    return EXIT.failed;
  }
}
