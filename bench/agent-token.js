/**
 * For benches that run `gatehouse serve` in its own process: a fresh secret
 * for a policy-declared agent (through the CLI, against the same store) and
 * an access token from the server's token endpoint.
 */
import { join } from 'node:path';
import { runCli } from '@gatehouse/server';

/**
 * @param {{ url: string, dir: string, agent: string, resource?: string }} options
 * @returns {Promise<string>} the access token
 */
export async function agentToken({ url, dir, agent, resource }) {
  let rotated = '';
  await runCli(['agents', 'rotate', agent, '--json', '--config', join(dir, 'gatehouse.yaml')], {
    stdout: (t) => {
      rotated += t;
    },
    stderr: () => undefined,
    cwd: dir,
    env: {},
  });
  const { client_id, client_secret } = JSON.parse(rotated);
  await new Promise((resolve) => setTimeout(resolve, 400)); // the server's registry cache polls every 250 ms
  const response = await fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString('base64')}`,
    },
    body: `grant_type=client_credentials${resource ? `&resource=${encodeURIComponent(resource)}` : ''}`,
  });
  if (!response.ok) throw new Error(`the token endpoint answered ${response.status}`);
  return (await response.json()).access_token;
}
