import { type Command, Option } from 'commander';
import { type CommandKit, examples } from './command-kit.js';
import { mcpStdio, toolsApprove, toolsImport, toolsPins, toolsShow } from './gateway-commands.js';
import {
  openVaultFor,
  type SecretValueOptions,
  secretsDelete,
  secretsList,
  secretsRewrap,
  secretsRotate,
  secretsSet,
} from './secret-commands.js';

/** Registers `tools`, `mcp` and `secrets`: the MCP gateway's upstream tools and the credentials it brokers. */
export function registerGatewayCommands(program: Command, { io, run, json, config }: CommandKit): void {
  const tools = program
    .command('tools')
    .description('upstream MCP tools: pinned definitions and catalog import');
  tools
    .command('approve')
    .description('approve the held (changed) definition of an upstream tool, as the admin named by --as')
    .argument('<tool>', '<upstream>.<tool>, e.g. files.read_text_file')
    .requiredOption('--hash <hex>', 'the held hash you reviewed with `tools show` (12+ hex digits)')
    .requiredOption('--as <email>', 'the admin approving it')
    .addOption(json())
    .addOption(config())
    .action(run((name: string, opts: Parameters<typeof toolsApprove>[2]) => toolsApprove(io, name, opts)));
  tools
    .command('show')
    .description('the pinned definition of an upstream tool, and a held one to review')
    .argument('<tool>', '<upstream>.<tool>')
    .addOption(json())
    .addOption(config())
    .action(run((name: string, opts: Parameters<typeof toolsShow>[2]) => toolsShow(io, name, opts)));
  tools
    .command('pins')
    .description('pinned tool definitions, and those held until an admin approves them')
    .option('--upstream <name>', 'only this upstream')
    .addOption(json())
    .addOption(config())
    .action(run((opts: Parameters<typeof toolsPins>[1]) => toolsPins(io, opts)));
  tools
    .command('import')
    .description("write an upstream's tools as a catalog YAML, for review")
    .argument('<upstream>', 'an upstream named in the config')
    .option('-o, --out <file>', 'write here (never overwrites) instead of standard output')
    .addOption(config())
    .action(
      run((name: string, opts: Parameters<typeof toolsImport>[2]) =>
        toolsImport(io, name, opts, (config, store, log) => openVaultFor(config, store, log, io)),
      ),
    );

  const mcp = program.command('mcp').description('the MCP gateway, for clients');
  mcp
    .command('stdio')
    .description('relay an MCP client that only launches stdio servers to the gateway at /mcp/<upstream>')
    .requiredOption('--upstream <name>', 'the upstream to reach')
    .option('--url <url>', "the Gatehouse server (default: $GATEHOUSE_URL, then the config's server)")
    .option(
      '--token <token>',
      'a fixed access token (prefer $GATEHOUSE_CLIENT_ID and $GATEHOUSE_CLIENT_SECRET, which renew; arguments show in ps)',
    )
    .addOption(config())
    .action(run((opts: Parameters<typeof mcpStdio>[1]) => mcpStdio(io, opts)));
  const secrets = program
    .command('secrets')
    .description('brokered credentials: stored encrypted, injected into upstreams, never shown again');
  for (const [verb, action, what] of [
    ['set', secretsSet, 'store a new secret; the value is read from standard input or --from-file'],
    ['rotate', secretsRotate, 'replace a secret with a new value (new version, new data key)'],
  ] as const) {
    secrets
      .command(verb)
      .description(what)
      .addHelpText(
        'after',
        examples(
          `gatehouse secrets ${verb} crm-token        # at a terminal: asks, without echo`,
          `printf '%s' "$CRM_TOKEN" | gatehouse secrets ${verb} crm-token`,
        ),
      )
      .argument('<name>', 'secret name: a-z 0-9 . _ -')
      .option('--from-file <path>', 'read the value from this file instead of standard input')
      // Accepted only to be refused with a clear message that does not echo them: a value given
      // as an argument or an option (`--value=…`, any `--token=…`) is in argv, visible to `ps`.
      .addOption(new Option('--value <value>').hideHelp())
      .allowExcessArguments()
      .allowUnknownOption()
      .addOption(json())
      .addOption(config())
      .action(
        run((name: string, opts: SecretValueOptions, command: Command) =>
          action(io, name, command.args.slice(1), opts),
        ),
      );
  }
  secrets
    .command('list')
    .description('list secrets: name, version, times, master key id; never a value')
    .addOption(json())
    .addOption(config())
    .action(run((opts: { json?: boolean; config?: string }) => secretsList(io, opts)));
  secrets
    .command('delete')
    .description('delete a secret')
    .argument('<name>', 'secret name')
    .addOption(json())
    .addOption(config())
    .action(run((name: string, opts: { json?: boolean; config?: string }) => secretsDelete(io, name, opts)));
  secrets
    .command('rewrap')
    .description(
      're-encrypt every secret, signing key and audit key under the current master key (master-key rotation)',
    )
    .addOption(json())
    .addOption(config())
    .action(run((opts: { json?: boolean; config?: string }) => secretsRewrap(io, opts)));
}
