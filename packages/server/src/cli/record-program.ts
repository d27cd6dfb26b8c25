import type { Command } from 'commander';
import {
  auditExport,
  auditKey,
  auditPrune,
  auditSearch,
  auditTail,
  auditVerify,
  sessionsReplay,
} from './audit-commands.js';
import { type CommandKit, examples } from './command-kit.js';

/** Registers `audit` and `sessions`: what happened, from the tamper-evident log. */
export function registerRecordCommands(program: Command, { io, run, json, config }: CommandKit): void {
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

  const sessions = program.command('sessions').description('recorded agent sessions');
  sessions
    .command('replay')
    .description('a session call by call: arguments, decisions, approvals, outcomes')
    .argument('<id>', 'session id')
    .addOption(json())
    .addOption(config())
    .action(run((id: string, opts: { json?: boolean; config?: string }) => sessionsReplay(io, id, opts)));
}
