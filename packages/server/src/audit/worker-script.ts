import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The path of a worker thread's compiled module in this folder. Under a test runner the
 * caller is TypeScript in `src/`, which a worker cannot load with its `.js` imports; the
 * build's copy in `dist/` is used instead.
 */
export function auditWorkerScript(name: string): string {
  const beside = fileURLToPath(new URL(`./${name}.js`, import.meta.url));
  if (existsSync(beside)) return beside;
  return fileURLToPath(new URL(`../../dist/audit/${name}.js`, import.meta.url));
}
