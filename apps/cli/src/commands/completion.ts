import { Command } from 'commander';
import { UsageError } from '../errors.js';

/** Every command path of the program (`snapshot list`) with its subcommands and options, for completion. */
function table(program: Command): Map<string, string[]> {
  const words = new Map<string, string[]>();
  const walk = (command: Command, path: string) => {
    const subs = command.commands.map((c) => c.name());
    const options = command.options.flatMap((o) => [o.long, o.short].filter((x): x is string => x !== undefined));
    words.set(path, [...subs, ...options, '--help']);
    for (const sub of command.commands) walk(sub, path ? `${path} ${sub.name()}` : sub.name());
  };
  walk(program, '');
  return words;
}

/** A bash completion script (zsh loads it through bashcompinit): the words come from the program itself, so they never drift. */
function bashScript(program: Command): string {
  const cases = [...table(program)].map(([path, words]) => `    "${path}") words="${words.join(' ')}" ;;`).join('\n');
  return `# dr completion for bash; for zsh: autoload -U +X bashcompinit && bashcompinit first.
# Install: dr completion bash > /etc/bash_completion.d/dr   (or: source <(dr completion bash))
_dr_complete() {
  local cur path="" i words
  cur="\${COMP_WORDS[COMP_CWORD]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in -*) ;; *) path="\${path:+$path }\${COMP_WORDS[i]}" ;; esac
  done
  case "$path" in
${cases}
    *) words="" ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _dr_complete dr
`;
}

/** `dr completion <shell>`: prints a shell completion script. */
export function completionCommand(program: () => Command): Command {
  return new Command('completion')
    .argument('<shell>', 'bash or zsh')
    .description('Print a shell completion script for dr.')
    .addHelpText('after', '\nExamples:\n  source <(dr completion bash)\n  dr completion zsh >> ~/.zshrc')
    .action((shell: string) => {
      if (shell !== 'bash' && shell !== 'zsh') throw new UsageError(`shell must be bash or zsh; got ${JSON.stringify(shell)}`);
      const script = bashScript(program());
      process.stdout.write(shell === 'zsh' ? `autoload -U +X bashcompinit && bashcompinit\n${script}` : script);
    });
}
