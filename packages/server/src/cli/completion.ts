import type { Command } from 'commander';
import { type CliIo, EXIT, UsageError } from './io.js';

/** The shells `gatehouse completion` writes a script for. */
export const COMPLETION_SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof COMPLETION_SHELLS)[number];

interface CommandShape {
  readonly name: string;
  readonly description: string;
  readonly options: readonly string[];
  readonly subcommands: readonly CommandShape[];
}

/** The command tree as completion needs it, read from the program itself so it never drifts. */
function shapeOf(command: Command): CommandShape {
  return {
    name: command.name(),
    description: command.description(),
    options: [
      ...command.options.filter((o) => !o.hidden).map((o) => o.long ?? o.short ?? ''),
      '--help',
    ].filter((o) => o !== ''),
    subcommands: command.commands.map(shapeOf),
  };
}

/**
 * `gatehouse completion bash|zsh|fish`: prints a completion script for the shell, built from the
 * CLI's own command tree. `eval "$(gatehouse completion bash)"` in ~/.bashrc enables it.
 */
export function completion(io: CliIo, program: Command, shell: string): number {
  if (!(COMPLETION_SHELLS as readonly string[]).includes(shell))
    throw new UsageError(`completion is written for ${COMPLETION_SHELLS.join(', ')}, not '${shell}'`);
  const root = shapeOf(program);
  io.stdout(SCRIPTS[shell as Shell](root));
  return EXIT.ok;
}

const words = (list: readonly string[]) => list.join(' ');

function bash(root: CommandShape): string {
  const leafCases = (command: CommandShape) =>
    command.subcommands
      .map((sub) => `          ${sub.name}) COMPREPLY=($(compgen -W "${words(sub.options)}" -- "$cur")) ;;`)
      .join('\n');
  const topCases = root.subcommands
    .map((command) =>
      command.subcommands.length === 0
        ? `      ${command.name}) COMPREPLY=($(compgen -W "${words(command.options)}" -- "$cur")) ;;`
        : `      ${command.name})
        if [ "$COMP_CWORD" -eq 2 ]; then
          COMPREPLY=($(compgen -W "${words(command.subcommands.map((s) => s.name))}" -- "$cur"))
        else
          case "$sub" in
${leafCases(command)}
          esac
        fi ;;`,
    )
    .join('\n');
  return `# gatehouse completion for bash: eval "$(gatehouse completion bash)"
_gatehouse() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" cmd="\${COMP_WORDS[1]}" sub="\${COMP_WORDS[2]}"
  COMPREPLY=()
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${words(root.subcommands.map((c) => c.name))} --help --version" -- "$cur"))
    return
  fi
  case "$cmd" in
${topCases}
  esac
}
complete -o default -F _gatehouse gatehouse
`;
}

function zsh(root: CommandShape): string {
  // zsh runs the bash function through its own bashcompinit layer: one script, one behaviour.
  return `#compdef gatehouse
# gatehouse completion for zsh: eval "$(gatehouse completion zsh)"
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bash(root)}`;
}

function fish(root: CommandShape): string {
  const quote = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const flag = (option: string) =>
    option.startsWith('--') ? `-l ${option.slice(2)}` : `-s ${option.slice(1)}`;
  const lines = [
    '# gatehouse completion for fish: gatehouse completion fish | source',
    'complete -c gatehouse -f',
  ];
  for (const command of root.subcommands) {
    lines.push(
      `complete -c gatehouse -n '__fish_use_subcommand' -a ${command.name} -d ${quote(command.description)}`,
    );
    const inCommand = `__fish_seen_subcommand_from ${command.name}`;
    if (command.subcommands.length === 0) {
      for (const option of command.options)
        lines.push(`complete -c gatehouse -n '${inCommand}' ${flag(option)}`);
      continue;
    }
    const subs = words(command.subcommands.map((s) => s.name));
    for (const sub of command.subcommands) {
      lines.push(
        `complete -c gatehouse -n '${inCommand}; and not __fish_seen_subcommand_from ${subs}' -a ${sub.name} -d ${quote(sub.description)}`,
      );
      for (const option of sub.options)
        lines.push(
          `complete -c gatehouse -n '${inCommand}; and __fish_seen_subcommand_from ${sub.name}' ${flag(option)}`,
        );
    }
  }
  return `${lines.join('\n')}\n`;
}

const SCRIPTS: Record<Shell, (root: CommandShape) => string> = { bash, zsh, fish };
