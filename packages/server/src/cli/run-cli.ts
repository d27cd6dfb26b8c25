import { ConfigError, formatDiagnosticWithSource, GatehouseError } from '@gatehouse/core';
import { Command, CommanderError, Option } from 'commander';
import { type CommandKit, examples } from './command-kit.js';
import { COMPLETION_SHELLS, completion } from './completion.js';
import { doctor } from './doctor-command.js';
import { registerGatewayCommands } from './gateway-program.js';
import { init } from './init-command.js';
import { type CliIo, EXIT, UsageError } from './io.js';
import { registerPeopleCommands } from './people-program.js';
import { registerPolicyCommands } from './policy-program.js';
import { registerRecordCommands } from './record-program.js';
import { serve } from './serve-command.js';
import { type TokenOptions, token } from './token-command.js';

const VERSION = '0.1.0';

/**
 * Runs the `gatehouse` CLI on `argv` (without `node` and the script) and
 * resolves to the exit code: 0 ok, 1 check failed, 2 usage error.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  const run =
    <A extends unknown[]>(action: (...args: A) => Promise<number>) =>
    async (...args: A) => {
      exitCode = await action(...args);
    };
  const json = () => new Option('--json', 'print JSON');
  const config = () =>
    new Option('-c, --config <file>', 'config file (default: $GATEHOUSE_CONFIG, then ./gatehouse.yaml)');

  const program = new Command('gatehouse')
    .description('Gatehouse: a security control plane for AI agents')
    .version(VERSION)
    .exitOverride()
    .showSuggestionAfterError()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) });
  program.addHelpText(
    'after',
    examples(
      'gatehouse init my-agents && cd my-agents',
      'gatehouse policy check && gatehouse policy test',
      'gatehouse serve',
      'gatehouse agents create --name inbox-triage --owner alice@example.com --grants email.read,email.send',
      'gatehouse COMMAND --help    # options and examples of one command',
    ),
  );

  const kit: CommandKit = { io, run, json, config };
  program
    .command('init')
    .description('write a commented gatehouse.yaml and the quickstart policy.yaml into a folder')
    .addHelpText('after', examples('gatehouse init', 'gatehouse init my-agents'))
    .argument('[dir]', 'folder (default: the current one)')
    .action(run((dir: string | undefined) => init(io, dir)));

  program
    .command('serve')
    .description('run the server: health endpoints, OAuth, and policy reload on change')
    .addOption(config())
    .option('-p, --port <port>', 'port (default 4470)')
    .option('--host <host>', 'address to bind (default 127.0.0.1)')
    .addHelpText(
      'after',
      examples('gatehouse serve', 'gatehouse serve --config prod/gatehouse.yaml --port 8080'),
    )
    .action(run((opts: { config?: string; port?: string; host?: string }) => serve(io, opts)));

  registerPolicyCommands(program, kit);
  registerPeopleCommands(program, kit);
  registerRecordCommands(program, kit);
  registerGatewayCommands(program, kit);

  program
    .command('doctor')
    .description('check config, policy, store, master key, Redis and clock, and start each upstream once')
    .addOption(json())
    .addOption(config())
    .addHelpText(
      'after',
      examples('gatehouse doctor', 'gatehouse doctor --config prod/gatehouse.yaml --json'),
    )
    .action(run((opts: { json?: boolean; config?: string }) => doctor(io, opts)));

  program
    .command('token')
    .description("mint an access token for an agent from the store's signing keys, for curl and tests")
    .requiredOption('--agent <agent>', 'agent id or name')
    .option(
      '--scope <scopes>',
      "space-separated tool patterns within the agent's grants (default: all of them)",
    )
    .option('--resource <url>', 'bind the token to this audience, e.g. http://127.0.0.1:4470/mcp/files')
    .option('--url <url>', "the server's URL, its issuer (default: $GATEHOUSE_URL, then the config's server)")
    .addOption(json())
    .addOption(config())
    .addHelpText('after', examples('TOKEN=$(gatehouse token --agent inbox-triage --scope email.read)'))
    .action(run((opts: TokenOptions) => token(io, opts)));

  program
    .command('completion')
    .description('print a shell completion script')
    .argument('<shell>', COMPLETION_SHELLS.join(', '))
    .addHelpText(
      'after',
      examples(
        'eval "$(gatehouse completion bash)"    # in ~/.bashrc',
        'eval "$(gatehouse completion zsh)"     # in ~/.zshrc',
        'gatehouse completion fish | source     # in ~/.config/fish/config.fish',
      ),
    )
    .action(run(async (shell: string) => completion(io, program, shell)));

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (err) {
    return reportError(io, err);
  }
}

/** Turns an error into a message and an exit code; never prints a stack for an expected failure. */
function reportError(io: CliIo, err: unknown): number {
  if (err instanceof CommanderError) {
    if (
      err.code === 'commander.helpDisplayed' ||
      err.code === 'commander.version' ||
      err.code === 'commander.help'
    )
      return EXIT.ok;
    // commander has already printed the message.
    return EXIT.usage;
  }
  if (err instanceof UsageError) {
    io.stderr(`error: ${err.message}\n`);
    return EXIT.usage;
  }
  if (err instanceof ConfigError) {
    io.stderr(`error: ${err.message}\n`);
    for (const d of err.diagnostics) io.stderr(`${formatDiagnosticWithSource(d)}\n`);
    return EXIT.failed;
  }
  if (err instanceof GatehouseError) {
    io.stderr(`error: ${err.message}\n`);
    return EXIT.failed;
  }
  io.stderr(`error: unexpected failure: ${err instanceof Error ? err.message : String(err)}\n`);
  return EXIT.failed;
}
