/** The oldest Node.js the CLI runs on: the `engines` line of every package. */
export const MINIMUM_NODE = [22, 12] as const;

/**
 * Why this Node.js cannot run Gatehouse, or undefined when it can. Checked before any native
 * module loads: on Node 20, better-sqlite3 dies with a bare "Segmentation fault" instead.
 */
export function nodeVersionProblem(version: string): string | undefined {
  const [major = 0, minor = 0] = version.split('.').map((part) => Number.parseInt(part, 10));
  const [needMajor, needMinor] = MINIMUM_NODE;
  if (major > needMajor || (major === needMajor && minor >= needMinor)) return undefined;
  return (
    `error: Gatehouse needs Node.js ${needMajor}.${needMinor} or newer; this is Node.js ${version}.\n` +
    'Put Node 24 on your PATH first (no root needed), then reinstall:\n' +
    '  npm i --prefix ~/.cache/gh-node node@24 && export PATH=~/.cache/gh-node/node_modules/node/bin:$PATH\n'
  );
}
