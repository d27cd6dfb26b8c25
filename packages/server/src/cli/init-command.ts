import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DEFAULT_MASTER_KEY_FILE } from '../config/load.js';
import { createMasterKeyFile, MASTER_KEY_ENV } from '../identity/master-key.js';
import { type CliIo, EXIT } from './io.js';

const TEMPLATES = ['gatehouse.yaml', 'policy.yaml'] as const;

/**
 * `gatehouse init [dir]`: writes a commented config and the quickstart policy, never overwriting,
 * and creates the master key file (0600) unless `GATEHOUSE_MASTER_KEY` provides the key or the
 * file exists. The key itself is never printed.
 */
export async function init(io: CliIo, dir: string | undefined): Promise<number> {
  const target = resolve(io.cwd, dir ?? '.');
  const existing: string[] = [];
  for (const name of TEMPLATES) {
    if (await exists(join(target, name))) existing.push(name);
  }
  if (existing.length > 0) {
    io.stderr(`refusing to overwrite ${existing.join(' and ')} in ${target}; nothing was written\n`);
    return EXIT.failed;
  }
  await mkdir(target, { recursive: true });
  for (const name of TEMPLATES) {
    const text = await readFile(new URL(`../../templates/${name}`, import.meta.url), 'utf8');
    await writeFile(join(target, name), text, { flag: 'wx' });
  }
  const keyFile = resolve(target, DEFAULT_MASTER_KEY_FILE);
  const keyNote = io.env[MASTER_KEY_ENV]
    ? `the master key comes from ${MASTER_KEY_ENV}; no key file was created\n`
    : (await createMasterKeyFile(keyFile))
      ? `created the master key file ${keyFile} (mode 0600): back it up; without it the secrets and keys in the store cannot be read\n`
      : `kept the existing master key file ${keyFile}\n`;
  io.stdout(
    `wrote ${join(target, 'gatehouse.yaml')} and ${join(target, 'policy.yaml')}\n` +
      keyNote +
      'next:\n  gatehouse policy check policy.yaml\n  gatehouse policy test policy.yaml\n  gatehouse serve\n',
  );
  return EXIT.ok;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
