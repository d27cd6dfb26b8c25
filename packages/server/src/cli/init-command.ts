import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type CliIo, EXIT } from './io.js';

const TEMPLATES = ['gatehouse.yaml', 'policy.yaml'] as const;

/** `gatehouse init [dir]`: writes a commented config and the quickstart policy, never overwriting. */
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
  io.stdout(
    `wrote ${join(target, 'gatehouse.yaml')} and ${join(target, 'policy.yaml')}\n` +
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
