import { readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import {
  checkPolicy,
  type Draft,
  describeRule,
  draftFromFragment,
  draftFromSentences,
  type PolicySource,
  type VerificationReport,
} from '@gatehouse/core';
import { AuditLog } from '../audit/audit-log.js';
import { findConfigPath, type GatehouseConfig, loadConfig } from '../config/load.js';
import {
  adoptionEvent,
  type CompiledDraft,
  draftNotes,
  FRAGMENT_NAME,
  fragmentFileName,
  MAX_SENTENCES,
} from '../nl/adoption.js';
import { draftWithModel, LlmDraftError } from '../nl/llm-draft.js';
import { describeRedteamDiff, type RedteamDiff, redteamDiff } from '../nl/redteam-diff.js';
import { PolicyRuntime } from '../policy/runtime.js';
import { isPolicyFileName, readPolicySources } from '../policy/sources.js';
import { openStore } from '../store/index.js';
import { type CliIo, EXIT, printJson, UsageError } from './io.js';

/** Options of `gatehouse policy draft`. */
export interface DraftOptions {
  policy?: string;
  out?: string;
  json?: boolean;
  from?: string;
  llm?: boolean;
  apply?: boolean;
  yes?: boolean;
  allowWidening?: boolean;
  /** `--no-redteam` sets it false: skip replaying the red-team suites. */
  redteam?: boolean;
  config?: string;
}

/**
 * Finds the policy and the config a draft works with. `--policy` may name a project folder
 * (one holding gatehouse.yaml: its policy and its config), a policy folder, or a policy file.
 */
async function resolveTarget(
  io: CliIo,
  opts: DraftOptions,
): Promise<{ policyPath: string; config?: GatehouseConfig }> {
  const tryConfig = async (file: string) => loadConfig(file, io.env);
  if (opts.policy !== undefined) {
    const path = resolve(io.cwd, opts.policy);
    const info = await stat(path).catch(() => undefined);
    if (!info) throw new UsageError(`--policy ${opts.policy}: no such file or folder`);
    for (const name of ['gatehouse.yaml', 'gatehouse.yml']) {
      const file = info.isDirectory() ? join(path, name) : basename(path) === name ? path : undefined;
      if (file && (await stat(file).catch(() => undefined))) {
        const config = await tryConfig(file);
        return { policyPath: config.policyPath, config };
      }
    }
    const configFile = opts.config ?? io.env.GATEHOUSE_CONFIG;
    return { policyPath: path, ...(configFile && { config: await tryConfig(resolve(io.cwd, configFile)) }) };
  }
  const config = await tryConfig(findConfigPath({ flag: opts.config, env: io.env, cwd: io.cwd }));
  return { policyPath: config.policyPath, config };
}

async function sentencesOf(
  io: CliIo,
  sentence: string | undefined,
  from: string | undefined,
): Promise<string[]> {
  const sentences = sentence !== undefined ? [sentence] : [];
  if (from !== undefined) {
    const text = await readFile(resolve(io.cwd, from), 'utf8').catch(() => {
      throw new UsageError(`--from ${from}: cannot read the file`);
    });
    sentences.push(
      ...text
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== '' && !l.startsWith('#')),
    );
  }
  if (sentences.length === 0)
    throw new UsageError('give a sentence, or --from FILE with one sentence a line');
  if (sentences.length > MAX_SENTENCES) throw new UsageError(`at most ${MAX_SENTENCES} sentences per draft`);
  return sentences;
}

/** `gatehouse policy draft`: a sentence in, a verified fragment and its report out. */
export async function policyDraft(
  io: CliIo,
  sentence: string | undefined,
  opts: DraftOptions,
): Promise<number> {
  const sentences = await sentencesOf(io, sentence, opts.from);
  const { policyPath, config } = await resolveTarget(io, opts);
  const read = await readPolicySources(policyPath, io.cwd);
  if (read.diagnostics.length > 0)
    throw new UsageError(`cannot read the policy: ${read.diagnostics[0]?.message}`);
  const sources: PolicySource[] = read.sources;
  const fragmentName = opts.out ? basename(opts.out) : FRAGMENT_NAME;
  const compiler = opts.llm ? 'llm' : 'grammar';
  let draft: Draft;
  if (opts.llm) {
    if (!config?.nl)
      throw new UsageError("--llm needs an 'nl: { baseUrl, model }' section in gatehouse.yaml");
    const base = checkPolicy(sources);
    if (!base.policy) throw new UsageError('the policy does not compile: run gatehouse policy check');
    let text: string;
    try {
      text = await draftWithModel(sentences, base.policy, config.nl);
    } catch (err) {
      if (!(err instanceof LlmDraftError)) throw err;
      return refuseCompletion(io, opts, err.message);
    }
    draft = draftFromFragment(text, sentences, sources, fragmentName);
  } else {
    draft = draftFromSentences(sentences, sources, fragmentName);
  }
  if (!draft.ok) {
    if (opts.json) printJson(io, { ok: false, compiler, refusals: draft.refusals });
    else
      for (const { sentence: s, refusal } of draft.refusals) {
        io.stderr(`refused: "${s}"\n  ${refusal.message} (${refusal.code})\n`);
        if (refusal.suggestions.length > 0) io.stderr(`  did you mean: ${refusal.suggestions.join(', ')}?\n`);
      }
    return EXIT.failed;
  }
  const notes = draftNotes(draft);
  // Item 4 of the report; only for a fragment that passed the other checks.
  const redteam =
    opts.redteam === false || !draft.report.ok
      ? undefined
      : await redteamDiff({
          sentences,
          ...(opts.llm && { rules: draft.rules as Parameters<typeof redteamDiff>[0]['rules'] }),
        });
  if (opts.json)
    printJson(io, {
      ok: draft.report.ok,
      compiler,
      fragment: draft.fragment.text,
      notes,
      report: draft.report,
      ...(redteam && { redteam }),
    });
  else {
    if (!opts.out) io.stdout(`${draft.fragment.text}\n`);
    printReport(io, draft.report, compiler, notes, redteam);
  }
  if (opts.out && !opts.apply) await writeFragment(resolve(io.cwd, opts.out), draft.fragment.text);
  if (!draft.report.ok) return EXIT.failed;
  if (!opts.apply) return EXIT.ok;
  return apply(io, opts, { sentences, compiler, draft, policyPath, ...(config && { config }) });
}

function refuseCompletion(io: CliIo, opts: DraftOptions, reason: string): number {
  if (opts.json) printJson(io, { ok: false, compiler: 'llm', refused: reason });
  else io.stderr(`refused: the model's completion was not taken: ${reason}\n`);
  return EXIT.failed;
}

/** Prints the verification report: each check, widening, the decision changes, the notes. */
export function printReport(
  io: CliIo,
  report: VerificationReport,
  compiler: string,
  notes: readonly string[],
  redteam?: RedteamDiff,
): void {
  io.stdout(
    `verification (${compiler}): ${report.ok ? 'passed' : 'FAILED'} — digest ${report.digest.slice(0, 16)}\n`,
  );
  for (const c of report.checks) io.stdout(`  ${c.passed ? '✓' : '✗'} ${c.name}: ${c.detail}\n`);
  io.stdout(`  widening: ${report.widening ? `yes — ${report.wideningReasons.join('; ')}` : 'no'}\n`);
  io.stdout(`decision changes: ${report.changedCount} of ${report.probes} generated requests\n`);
  for (const c of report.changes)
    io.stdout(`  ${c.before} → ${c.after}  ${c.agent} → ${c.tool}${c.summary ? ` (${c.summary})` : ''}\n`);
  if (report.changedCount > report.changes.length)
    io.stdout(`  … ${report.changedCount - report.changes.length} more\n`);
  if (redteam) {
    io.stdout(`red-team suites replayed before → after the rules (${redteam.ms} ms):\n`);
    for (const line of describeRedteamDiff(redteam)) io.stdout(`  ${line}\n`);
  }
  for (const n of notes) io.stdout(`note: ${n}\n`);
}

async function writeFragment(path: string, text: string): Promise<void> {
  // Never overwrite: a fragment already adopted is edited through its sentence, not replaced.
  await writeFile(path, text, { flag: 'wx' }).catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(
      err.code === 'EEXIST' ? `${path} exists; choose another --out` : `cannot write ${path}: ${err.code}`,
    );
  });
}

async function confirm(io: CliIo, question: string): Promise<boolean> {
  if (!io.stdin?.isTTY) throw new UsageError('--apply needs --yes when standard input is not a terminal');
  const rl = createInterface({ input: io.stdin as NodeJS.ReadableStream, terminal: false });
  try {
    io.stdout(question);
    const answer = await rl.question('');
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** Writes a verified fragment beside the policy's files, checks the folder again, audits the write. */
async function apply(
  io: CliIo,
  opts: DraftOptions,
  ctx: {
    sentences: string[];
    compiler: string;
    draft: CompiledDraft;
    policyPath: string;
    config?: GatehouseConfig;
  },
): Promise<number> {
  const { draft } = ctx;
  if (draft.report.widening && !opts.allowWidening) {
    io.stderr(
      `not applied: the fragment widens access (${draft.report.wideningReasons.join('; ')}); pass --allow-widening to adopt it\n`,
    );
    return EXIT.failed;
  }
  // An adoption is recorded or it does not happen (the HTTP door answers 503 alike).
  if (!ctx.config)
    throw new UsageError(
      '--apply records the adoption in the audit log: run it in the project folder (gatehouse.yaml) or pass --config',
    );
  const folder = resolve(ctx.policyPath);
  if (!(await stat(folder)).isDirectory())
    throw new UsageError('the policy is one file: make it a folder to adopt fragments beside it');
  const target = opts.out ? resolve(io.cwd, opts.out) : join(folder, fragmentFileName(draft));
  // The folder is the only place an adoption may write: a file elsewhere is never loaded, so
  // "applied" would be untrue, and --out must not become a way to write anywhere.
  if (dirname(target) !== folder || !isPolicyFileName(basename(target)))
    throw new UsageError(
      `--apply writes only a .yaml file directly in the policy folder ${relative(io.cwd, folder) || '.'}`,
    );
  if (!opts.yes && !(await confirm(io, `Write this fragment to ${target}? [y/N] `))) {
    io.stderr('not applied\n');
    return EXIT.failed;
  }
  // The same adoption as the HTTP door's: written only if new, the folder compiled whole with it
  // (a file changed since the draft takes it back out), recorded before it counts.
  const opened = await PolicyRuntime.open(folder, io.cwd);
  if ('diagnostics' in opened) {
    io.stderr('not applied: the policy folder no longer compiles (a file changed since the draft)\n');
    return EXIT.failed;
  }
  const config = ctx.config;
  let unrecorded: Error | undefined;
  const adopted = await opened.runtime
    .adoptFile(basename(target), draft.fragment.text, (path) =>
      auditApply(config, ctx, path).catch((err: Error) => {
        unrecorded = err;
        throw err;
      }),
    )
    .catch((err: unknown) => {
      if (!unrecorded) throw err;
      // An adoption that cannot be recorded does not happen: adoptFile took the file back out.
      return { ok: false as const, message: `the audit log could not record it (${unrecorded.message})` };
    });
  if (!adopted.ok) {
    io.stderr(`not applied: ${adopted.message}\n`);
    return EXIT.failed;
  }
  io.stdout(`applied: ${relative(io.cwd, target)} (audited)\n`);
  return EXIT.ok;
}

async function auditApply(
  config: GatehouseConfig,
  ctx: { sentences: string[]; compiler: string; draft: CompiledDraft },
  target: string,
): Promise<void> {
  const store = await openStore(config.storage);
  const audit = new AuditLog(store);
  try {
    await audit.append(adoptionEvent({ ...ctx, file: target, who: {}, door: 'cli' }));
  } finally {
    await audit.close();
    await store.close();
  }
}

/** `gatehouse policy describe`: each rule as one English sentence, beside its description. */
export async function policyDescribe(
  io: CliIo,
  path: string | undefined,
  opts: { json?: boolean; config?: string },
): Promise<number> {
  const policyPath =
    path !== undefined
      ? resolve(io.cwd, path)
      : (await loadConfig(findConfigPath({ flag: opts.config, env: io.env, cwd: io.cwd }), io.env))
          .policyPath;
  const read = await readPolicySources(policyPath, io.cwd);
  const { policy, diagnostics } =
    read.diagnostics.length > 0
      ? { policy: undefined, diagnostics: read.diagnostics }
      : checkPolicy(read.sources);
  if (!policy) {
    for (const d of diagnostics.filter((x) => x.severity === 'error'))
      io.stderr(`${d.file}:${d.line}:${d.column}: ${d.message}\n`);
    return EXIT.failed;
  }
  const rules = policy.rules.map((r) => ({
    id: r.id,
    sentence: describeRule(r),
    ...(r.description && { description: r.description }),
    location: r.location,
  }));
  if (opts.json) printJson(io, { rules });
  else
    for (const r of rules) {
      io.stdout(`${r.id}: ${r.sentence}\n`);
      if (r.description) io.stdout(`  described as: ${r.description}\n`);
    }
  return EXIT.ok;
}
