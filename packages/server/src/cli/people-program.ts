import type { Command } from 'commander';
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
import { type CommandKit, examples } from './command-kit.js';
import { usersInvite } from './invite-command.js';

/** Registers `agents`, `users` and `approvals`: the identities Gatehouse knows and the people who decide. */
export function registerPeopleCommands(program: Command, { io, run, json, config }: CommandKit): void {
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
}
