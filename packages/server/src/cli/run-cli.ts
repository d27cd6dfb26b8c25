import { ConfigError, formatDiagnosticWithSource, GatehouseError } from '@gatehouse/core';
import { Command, CommanderError, Option } from 'commander';
import {
  agentsCreate,
  agentsList,
  agentsRotate,
  agentsSetStatus,
  agentsShow,
  STATUS_COMMANDS,
  usersCreate,
  usersList,
  usersRotateToken,
} from './agent-commands.js';
import { approvalsList, approvalsVote } from './approval-commands.js';
import {
  auditExport,
  auditKey,
  auditPrune,
  auditSearch,
  auditTail,
  auditVerify,
  sessionsReplay,
} from './audit-commands.js';
import { COMPLETION_SHELLS, completion } from './completion.js';
import { doctor } from './doctor-command.js';
import { mcpStdio, toolsApprove, toolsImport, toolsPins, toolsShow } from './gateway-commands.js';
import { init } from './init-command.js';
import { usersInvite } from './invite-command.js';
import { type CliIo, EXIT, UsageError } from './io.js';
import { policyCheck, policyCompile, policyExplain, policyTest } from './policy-commands.js';
import { type DraftOptions, policyDescribe, policyDraft } from './policy-draft-command.js';
import { type RedteamCommandOptions, redteam } from './redteam-command.js';
import { type ScanCommandOptions, scan } from './scan-command.js';
import {
  openVaultFor,
  type SecretValueOptions,
  secretsDelete,
  secretsList,
  secretsRewrap,
  secretsRotate,
  secretsSet,
} from './secret-commands.js';
import { serve } from './serve-command.js';
import { type TokenOptions, token } from './token-command.js';

const VERSION = '0.1.0';

/** An `Examples:` block for a command's --help. */
const examples = (...lines: string[]) => `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;

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

  const policy = program.command('policy').description('check, test, explain and compile policies');
  policy
    .command('check')
    .description('validate a policy file or folder; list every error and warning')
    .addHelpText('after', examples('gatehouse policy check', 'gatehouse policy check policy.yaml --json'))
    .argument('[path]', "policy file or folder (default: the config's policy)")
    .addOption(json())
    .addOption(config())
    .action(
      run((path: string | undefined, opts: { json?: boolean; config?: string }) =>
        policyCheck(io, path, opts),
      ),
    );
  policy
    .command('test')
    .description('run the tests: blocks of a policy')
    .addHelpText('after', examples('gatehouse policy test', 'gatehouse policy test policies/ --json'))
    .argument('[path]', 'policy file or folder')
    .addOption(json())
    .addOption(config())
    .action(
      run((path: string | undefined, opts: { json?: boolean; config?: string }) =>
        policyTest(io, path, opts),
      ),
    );
  policy
    .command('explain')
    .description('decide one request and say, for every rule, whether it applied and why')
    .addHelpText(
      'after',
      examples(
        `gatehouse policy explain --agent email-assistant --tool email.send --args '{"to":["partner@elsewhere.org"],"subject":"hi","body":"hello"}'`,
        `gatehouse policy explain --agent email-assistant --tool email.send --args '{"to":["x@evil.test"],"subject":"s","body":"b"}' --provenance '{"to[0]":["untrusted"]}'`,
      ),
    )
    .option('--policy <path>', "policy file or folder (default: the config's policy)")
    .requiredOption('--agent <name>', 'agent name declared in the policy')
    .requiredOption('--tool <name>', 'tool name')
    .option('--args <json>', 'tool arguments as a JSON object')
    .option('--resource <json>', 'extra resource facts as a JSON object')
    .option('--session-labels <labels>', 'labels seen in the session, comma separated')
    .option('--provenance <json>', 'argument path → labels, e.g. {"to[0]":["untrusted"]}')
    .option('--context <json>', 'caller context as a JSON object')
    .addOption(json())
    .addOption(config())
    .action(run((opts: Parameters<typeof policyExplain>[1]) => policyExplain(io, opts)));
  policy
    .command('compile')
    .description('compile a policy and summarise it')
    .argument('[path]', 'policy file or folder')
    .addOption(json())
    .addOption(config())
    .action(
      run((path: string | undefined, opts: { json?: boolean; config?: string }) =>
        policyCompile(io, path, opts),
      ),
    );

  policy
    .command('draft')
    .description('compile a sentence into a verified policy fragment: rules, generated tests, and a report')
    .argument('[sentence]', 'the rule in plain English')
    .option('--policy <path>', 'a project folder (with gatehouse.yaml), a policy folder or a policy file')
    .option('--from <file>', 'sentences, one a line, for one fragment')
    .option('--out <file>', 'write the fragment to this file (never overwrites)')
    .option('--llm', "ask the model configured under 'nl:' instead of the grammar; verified the same way")
    .option('--apply', 'write the fragment beside the policy files after the report, once confirmed')
    .option('--yes', 'confirm --apply without asking (scripts)')
    .option('--allow-widening', 'let --apply adopt a fragment that widens access')
    .option('--no-redteam', 'skip replaying the red-team suites before and after the rules')
    .addOption(json())
    .addOption(config())
    .action(run((sentence: string | undefined, opts: DraftOptions) => policyDraft(io, sentence, opts)));
  policy
    .command('describe')
    .description('each rule of a policy rendered back as one English sentence')
    .argument('[path]', 'policy file or folder')
    .addOption(json())
    .addOption(config())
    .action(
      run((path: string | undefined, opts: { json?: boolean; config?: string }) =>
        policyDescribe(io, path, opts),
      ),
    );

  const agents = program.command('agents').description('register agents and manage their lifecycle');
  agents
    .command('create')
    .description(
      'register an agent, or give an agent the policy declares its credentials; prints its client secret once',
    )
    .addHelpText(
      'after',
      examples(
        'gatehouse agents create --name inbox-triage --owner alice@example.com --grants email.list,email.read',
        'gatehouse agents create --name email-assistant    # an agent the policy declares',
        'gatehouse agents create --name signer --owner bob@example.com --grants docs.* --public-key signer.jwk',
      ),
    )
    .requiredOption('--name <name>', 'unique agent name')
    .option('--owner <email>', 'the accountable human (from the policy for an agent it declares)')
    .option(
      '--grants <patterns>',
      "tool patterns it may call at all, comma separated: 'email.*,db.query' (from the policy for an agent it declares)",
    )
    .option('--classification <class>', 'internal, customer_facing, autonomous, …')
    .option('--description <text>', 'what the agent is for')
    .option('--public-key <file>', 'a public JWK for private_key_jwt instead of a client secret')
    .addOption(json())
    .addOption(config())
    .action(run((opts: Parameters<typeof agentsCreate>[1]) => agentsCreate(io, opts)));
  agents
    .command('list')
    .description('list agents')
    .addOption(json())
    .addOption(config())
    .action(run((opts: { json?: boolean; config?: string }) => agentsList(io, opts)));
  agents
    .command('show')
    .description('show one agent and its credentials (never their secrets)')
    .argument('<agent>', 'id or name')
    .addOption(json())
    .addOption(config())
    .action(run((agent: string, opts: { json?: boolean; config?: string }) => agentsShow(io, agent, opts)));
  agents
    .command('rotate')
    .description('issue a new client secret (or register a new key); older ones work for the grace period')
    .argument('<agent>', 'id or name')
    .option('--grace <duration>', 'how long older secrets keep working (default: identity.secretGracePeriod)')
    .option('--public-key <file>', 'rotate to this public JWK instead of a new secret')
    .addOption(json())
    .addOption(config())
    .action(run((agent: string, opts: Parameters<typeof agentsRotate>[2]) => agentsRotate(io, agent, opts)));
  for (const [command, status] of STATUS_COMMANDS) {
    agents
      .command(command)
      .description(
        `${command} an agent${status === 'active' ? '' : '; its live tokens stop working at once'}`,
      )
      .argument('<agent>', 'id or name')
      .addOption(json())
      .addOption(config())
      .action(
        run((agent: string, opts: { json?: boolean; config?: string }) =>
          agentsSetStatus(io, agent, status, opts),
        ),
      );
  }

  const users = program.command('users').description('human users: approvers, admins, auditors');
  users
    .command('create')
    .description('create a user; prints their personal API token once')
    .requiredOption('--email <email>', 'email address')
    .requiredOption('--roles <roles>', 'comma list of approver, admin, auditor')
    .addOption(json())
    .addOption(config())
    .action(run((opts: Parameters<typeof usersCreate>[1]) => usersCreate(io, opts)));
  users
    .command('rotate-token')
    .description("replace a user's API token: the old one stops working at once (a leak, a departure)")
    .requiredOption('--email <email>', 'the user')
    .addOption(json())
    .addOption(config())
    .action(run((opts: Parameters<typeof usersRotateToken>[1]) => usersRotateToken(io, opts)));
  users
    .command('invite')
    .description(
      'print a one-time link that enrols a passkey for the console (creates the user with --roles)',
    )
    .requiredOption('--email <email>', 'the person')
    .option('--roles <roles>', 'comma list of approver, admin, auditor, for a new user')
    .option('--expires <duration>', 'how long the link works', '24h')
    .addOption(json())
    .addOption(config())
    .action(run((opts: Parameters<typeof usersInvite>[1]) => usersInvite(io, opts)));
  users
    .command('list')
    .description('list users')
    .addOption(json())
    .addOption(config())
    .action(run((opts: { json?: boolean; config?: string }) => usersList(io, opts)));

  const approvals = program.command('approvals').description('actions waiting for people, and their votes');
  approvals
    .command('list')
    .description('list approvals with the full action, who asks, why, and what is still needed')
    .option(
      '--status <statuses>',
      'comma list of pending, approved, denied, expired, cancelled, used, or all',
      'pending',
    )
    .addOption(json())
    .addOption(config())
    .action(run((opts: Parameters<typeof approvalsList>[1]) => approvalsList(io, opts)));
  for (const vote of ['approve', 'deny'] as const) {
    approvals
      .command(vote)
      .description(`${vote} an action, as the person named by --as`)
      .addHelpText(
        'after',
        examples(
          `gatehouse approvals ${vote} apr_2538f82f6a2847f799e90782 --as carol@example.com --comment "checked"`,
        ),
      )
      .argument('<id>', 'approval id (apr_…)')
      .requiredOption('--as <email>', 'the user casting the vote')
      .option('--comment <text>', 'why, for the record')
      .addOption(json())
      .addOption(config())
      .action(
        run((id: string, opts: Parameters<typeof approvalsVote>[3]) => approvalsVote(io, vote, id, opts)),
      );
  }

  const audit = program.command('audit').description('the tamper-evident audit log');
  audit
    .command('verify')
    .description('recompute the hash chain and check every signed checkpoint; exit 1 at the first break')
    .addHelpText(
      'after',
      examples(
        'gatehouse audit verify',
        'gatehouse audit verify --file audit.jsonl --public-key audit-key.json',
      ),
    )
    .option('--from <seq>', 'verify from this sequence number on')
    .option('--file <export>', 'verify an exported JSON Lines file instead of the store (needs --public-key)')
    .option('--public-key <file>', 'trust only this public key (a JWK or JWK Set from `audit key`)')
    .option('--checkpoints <file>', 'checkpoints kept outside the database (audit.checkpoints.file)')
    .option('--partial', 'the --file is a partial export (--since): verify from its first event')
    .addOption(json())
    .addOption(config())
    .action(run((opts: Parameters<typeof auditVerify>[1]) => auditVerify(io, opts)));
  audit
    .command('key')
    .description('print the public key(s) that verify checkpoints, as a JWK Set')
    .addOption(config())
    .action(run((opts: { config?: string }) => auditKey(io, opts)));
  audit
    .command('tail')
    .description('print the latest events; --follow keeps printing new ones')
    .option('-n, --lines <n>', 'how many', '20')
    .option('-f, --follow', 'keep printing events as they are committed')
    .addOption(json())
    .addOption(config())
    .action(run((opts: Parameters<typeof auditTail>[1]) => auditTail(io, opts)));
  audit
    .command('search')
    .description('events matching every filter given, oldest first')
    .option('--agent <agent>', 'agent id or name')
    .option('--session <id>', 'session id')
    .option('--tool <tool>', 'tool name')
    .option('--outcome <outcome>', 'allowed, denied, escalated, approved, succeeded, failed or error')
    .option('--type <type>', 'decision, execution, approval, token, agent, policy, alert or admin')
    .option('--since <time>', 'RFC 3339 time, or a duration back from now (15m, 7d)')
    .option('--until <time>', 'RFC 3339 time, or a duration back from now')
    .option('--limit <n>', 'at most this many (1 to 1000)', '100')
    .addOption(json())
    .addOption(config())
    .action(run((opts: Parameters<typeof auditSearch>[1]) => auditSearch(io, opts)));
  audit
    .command('export')
    .description('export events: jsonl (verifiable offline), ocsf, or otel (OTLP JSON spans)')
    .option('--format <format>', 'jsonl, ocsf or otel', 'jsonl')
    .option('--since <time>', 'RFC 3339 time, or a duration back from now')
    .option('--until <time>', 'RFC 3339 time, or a duration back from now')
    .option('--out <file>', 'write here instead of standard output')
    .addOption(config())
    .action(run((opts: Parameters<typeof auditExport>[1]) => auditExport(io, opts)));
  audit
    .command('prune')
    .description('delete events older than --before, up to a signed checkpoint (the rest still verifies)')
    .requiredOption('--before <time>', 'RFC 3339 time, or a duration back from now (90d)')
    .option('--public-key <file>', "trust only checkpoints signed by this key (default: the store's)")
    .addOption(config())
    .action(run((opts: Parameters<typeof auditPrune>[1]) => auditPrune(io, opts)));

  program
    .command('redteam')
    .description(
      'replay recorded injected and benign agent runs through the enforcement path and report what got through',
    )
    .option('--suite <names...>', 'only these suites (banking, messaging, workspace, travel, multi-agent)')
    .option(
      '--policy <file-or-dir>',
      "your own policy: one file for every suite, or a folder of '<suite>.yaml'",
    )
    .option('--traces <file>', 'more runs of your own, one JSON trace a line')
    .option('--only-traces', 'replay only the --traces runs, not the shipped ones')
    .addOption(json())
    .action(run((opts: RedteamCommandOptions) => redteam(io, opts)));

  program
    .command('scan')
    .description('run the injection, secret and PII detectors over a file or standard input')
    .addHelpText(
      'after',
      examples(
        'gatehouse scan page.html',
        'gatehouse scan --kind tool-description --fail-on injection_suspected tool.txt',
        'cat export.json | gatehouse scan - --json --fail-on secret,pii',
      ),
    )
    .argument('[file]', "a file, or '-' for standard input (the default)")
    .option('--kind <kind>', 'output, args or tool-description', 'output')
    .option(
      '--fail-on <labels>',
      'exit 1 when one of these labels is found, comma separated (injection_suspected, secret, pii, oversize)',
    )
    .option('--threshold <score>', 'injection score that sets injection_suspected (0..1, default 0.5)')
    .addOption(json())
    .action(run((file: string | undefined, opts: ScanCommandOptions) => scan(io, file, opts)));

  const sessions = program.command('sessions').description('recorded agent sessions');
  sessions
    .command('replay')
    .description('a session call by call: arguments, decisions, approvals, outcomes')
    .argument('<id>', 'session id')
    .addOption(json())
    .addOption(config())
    .action(run((id: string, opts: { json?: boolean; config?: string }) => sessionsReplay(io, id, opts)));

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
