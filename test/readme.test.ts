import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { runCli } from '@gatehouse/server';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The README is the first test: its TypeScript and JavaScript blocks compile against the
 * packages, and the sample outputs of `policy test` and `policy explain` are what those
 * commands print in a project `gatehouse init` just wrote. A snippet or a sample that drifts
 * from the code fails here.
 */

const REPO = fileURLToPath(new URL('..', import.meta.url));
const README = readFileSync(join(REPO, 'README.md'), 'utf8');
const root = mkdtempSync(join(tmpdir(), 'gh-readme-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Block {
  readonly lang: string;
  readonly line: number;
  readonly text: string;
}

/** Every fenced block of the README, with the line it starts on. */
function blocks(markdown: string): Block[] {
  const found: Block[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\w*)/.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j]!); j++) body.push(lines[j]!.slice(indent));
    found.push({ lang: open[2]!, line: i + 1, text: body.join('\n') });
    i = j;
  }
  return found;
}

/**
 * What the README leaves to the reader (the model, the mailer, the schema, the webhook's input),
 * declared in each snippet that uses one without declaring it.
 */
const READER_PROVIDES: Record<string, string> = {
  policyYaml: 'string',
  accessToken: 'string',
  mailer: '{ send(input: { to: string[]; subject: string; body: string }): Promise<string> }',
  sendSchema:
    "import('zod').ZodObject<{ to: import('zod').ZodArray<import('zod').ZodString>; subject: import('zod').ZodString; body: import('zod').ZodString }>",
  model: "import('ai').LanguageModel",
  prompt: 'string',
  picked: 'unknown',
  instructions: 'string',
  guard: "import('@gatehouse/sdk').Guard",
  header: 'string',
  secret: 'string',
  rawBody: 'string',
  clientId: 'string',
  clientSecret: 'string',
};

function withReaderValues(snippet: string): string {
  const declared = (name: string) =>
    new RegExp(`\\b(const|let|var|function|class)\\s+${name}\\b|import[^;]*\\b${name}\\b[^;]*from`).test(
      snippet,
    );
  const used = Object.entries(READER_PROVIDES).filter(
    ([name]) => new RegExp(`\\b${name}\\b`).test(snippet) && !declared(name),
  );
  return `${snippet}\n${used.map(([name, type]) => `declare const ${name}: ${type};`).join('\n')}\nexport {};\n`;
}

const code = blocks(README).filter((b) => b.lang === 'ts' || b.lang === 'js');

describe('README code blocks', () => {
  it('has code blocks to check', () => {
    expect(code.length).toBeGreaterThanOrEqual(6);
  });

  it('compile against the packages, as a user would write them', { timeout: 120_000 }, async () => {
    const project = mkdtempSync(join(root, 'snippets-'));
    symlinkSync(join(REPO, 'node_modules'), join(project, 'node_modules'), 'dir');
    const files = code.map((block) => {
      // JavaScript blocks are checked for syntax and imports; TypeScript blocks for types too.
      const name = `readme-line-${block.line}.${block.lang}`;
      // Each snippet is its own module; a snippet without imports still is one.
      writeFileSync(
        join(project, name),
        block.lang === 'ts' ? withReaderValues(block.text) : `${block.text}\nexport {};\n`,
      );
      return name;
    });
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'es2023',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
          // A snippet shows one step: what it declares and leaves unused is not a mistake.
          noUnusedLocals: false,
          allowJs: true,
          checkJs: false,
        },
        files,
      }),
    );
    writeFileSync(join(project, 'package.json'), JSON.stringify({ type: 'module' }));
    const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await promisify(execFile)(process.execPath, [tsc, '-p', project]).catch(
      (err: { stdout: string }) => err,
    );
    // The file name names the README line the failing block starts on.
    expect(result.stdout).toBe('');
  });
});

/** Splits a shell command line the way sh would for these samples: quotes, and `\` line joins. */
function shellWords(command: string): string[] {
  const words: string[] = [];
  let current = '';
  let quote: string | undefined;
  let started = false;
  const text = command.replace(/\\\n\s*/g, ' ');
  for (const char of text) {
    if (quote) {
      if (char === quote) quote = undefined;
      else current += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      started = true;
    } else if (/\s/.test(char)) {
      if (started || current !== '') words.push(current);
      current = '';
      started = false;
    } else current += char;
  }
  if (started || current !== '') words.push(current);
  return words;
}

/** The sample matches the output line by line; a line `…` stands for any number of lines. */
function matchesSample(sample: string[], actual: string[]): boolean {
  const at = (i: number, j: number): boolean => {
    if (i === sample.length) return j === actual.length;
    if (sample[i]!.trim() === '…') {
      for (let k = j; k <= actual.length; k++) if (at(i + 1, k)) return true;
      return false;
    }
    return j < actual.length && sample[i]!.trimEnd() === actual[j]!.trimEnd() && at(i + 1, j + 1);
  };
  return at(0, 0);
}

/** Runs the CLI in process in `cwd`; what it printed on standard output. */
async function cliOutput(argv: string[], cwd: string): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const code = await runCli(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: () => undefined,
    cwd,
    env: { GATEHOUSE_MASTER_KEY: Buffer.alloc(32, 2).toString('base64url') },
  });
  return { code, stdout };
}

const samples = blocks(README)
  .filter((b) => b.lang === 'text' && /^\$ gatehouse policy (test|explain)\b/.test(b.text))
  .map((b) => {
    const [first, ...rest] = b.text.split('\n');
    let command = first!.slice(2);
    while (command.endsWith('\\') && rest.length > 0) command = `${command}\n${rest.shift()}`;
    return { line: b.line, argv: shellWords(command).slice(1), expected: rest };
  });

describe('README sample outputs', () => {
  it('has samples to check', () => {
    expect(samples.map((s) => s.argv.slice(0, 2).join(' '))).toEqual(['policy test', 'policy explain']);
  });

  it.each(samples)(
    'are what the command prints in a fresh project (README line $line)',
    async ({ argv, expected }) => {
      const project = mkdtempSync(join(root, 'init-'));
      expect((await cliOutput(['init'], project)).code).toBe(0);
      const { stdout } = await cliOutput(argv, project);
      const actual = stdout.replace(/\n$/, '').split('\n');
      if (!matchesSample(expected, actual)) expect(actual.join('\n')).toBe(expected.join('\n'));
    },
  );
});
