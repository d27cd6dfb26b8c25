import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { type Diagnostic, MAX_POLICY_SOURCE_LENGTH, type PolicySource } from '@gatehouse/core';

/**
 * Whether a file name is one a policy folder's loader reads and an adoption may write: a plain
 * `.yaml`/`.yml` name, no path and no dotfile.
 */
export function isPolicyFileName(name: string): boolean {
  return /^[\w.-]+\.ya?ml$/.test(name) && !name.startsWith('.');
}

/** Most policy files a folder may hold: a bound on what one reload reads. */
const MAX_POLICY_FILES = 1000;

/**
 * Reads a policy file, or every `*.yaml`/`*.yml` file below a folder (sorted
 * by path, dotfiles skipped), as named sources. A file over the size limit is
 * refused from its `stat`, before a byte of it is read.
 */
export async function readPolicySources(
  path: string,
  displayBase = process.cwd(),
): Promise<{ sources: PolicySource[]; diagnostics: Diagnostic[] }> {
  const display = (p: string) => {
    const rel = relative(displayBase, p);
    return rel.startsWith('..') || rel === '' ? p : rel;
  };
  const problem = (file: string, message: string): Diagnostic => ({
    severity: 'error',
    code: 'GH_POLICY_YAML',
    message,
    file: display(file),
    line: 0,
    column: 0,
  });
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch {
    return { sources: [], diagnostics: [problem(path, 'no such file or folder')] };
  }
  const files = info.isDirectory() ? await listPolicyFiles(path) : [path];
  if (files.length === 0)
    return {
      sources: [],
      diagnostics: [
        { ...problem(path, 'the folder holds no *.yaml or *.yml file'), code: 'GH_POLICY_EMPTY' },
      ],
    };
  if (files.length > MAX_POLICY_FILES)
    return { sources: [], diagnostics: [problem(path, `more than ${MAX_POLICY_FILES} policy files`)] };
  const sources: PolicySource[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const file of files) {
    let size: number;
    try {
      size = (await stat(file)).size;
    } catch (err) {
      // Gone between listing and reading (an editor's swap, a deploy): reported, not thrown.
      diagnostics.push(problem(file, `cannot read: ${(err as NodeJS.ErrnoException).code ?? 'error'}`));
      continue;
    }
    if (size > MAX_POLICY_SOURCE_LENGTH) {
      diagnostics.push({
        ...problem(file, `file is ${size} bytes; the limit is ${MAX_POLICY_SOURCE_LENGTH}`),
        code: 'GH_POLICY_TOO_LARGE',
      });
      continue;
    }
    try {
      sources.push({ name: display(file), text: await readFile(file, 'utf8') });
    } catch (err) {
      diagnostics.push(problem(file, `cannot read: ${(err as NodeJS.ErrnoException).code ?? 'error'}`));
    }
  }
  return { sources, diagnostics };
}

async function listPolicyFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && /\.ya?ml$/i.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .filter(
      (p) =>
        !relative(dir, p)
          .split(/[\\/]/)
          .some((part) => part.startsWith('.')),
    )
    .sort();
}
