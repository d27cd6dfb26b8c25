import type { Command } from 'commander';
import { type CommandKit, examples } from './command-kit.js';
import { policyCheck, policyCompile, policyExplain, policyTest } from './policy-commands.js';
import { type DraftOptions, policyDescribe, policyDraft } from './policy-draft-command.js';
import { type RedteamCommandOptions, redteam } from './redteam-command.js';
import { type ScanCommandOptions, scan } from './scan-command.js';

/** Registers `policy` (check, test, explain, compile, draft, describe), `redteam` and `scan`: writing policy and trying it. */
export function registerPolicyCommands(program: Command, { io, run, json, config }: CommandKit): void {
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
    .option('--usage <json>', 'quota rule id → calls the agent already made in its window (default: none)')
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
}
