import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentAdmin } from '../identity/agent-admin.js';
import { openStore } from '../store/index.js';
import { runCliCaptured } from '../testing/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'gh-agents-cli-'));
writeFileSync(
  join(dir, 'policy.yaml'),
  'version: 1\ntools:\n  email.send: { categories: [external_communication] }\n',
);
writeFileSync(join(dir, 'gatehouse.yaml'), 'policy: ./policy.yaml\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (argv: string[]) => runCliCaptured(argv, dir);

describe('gatehouse agents', () => {
  it('creates an agent, prints its secret once, and never shows it again', async () => {
    const created = await cli([
      'agents',
      'create',
      '--name',
      'mailer',
      '--owner',
      'alice@example.com',
      '--grants',
      'email.*, db.query',
      '--json',
    ]);
    expect(created.code).toBe(0);
    const agent = JSON.parse(created.stdout);
    expect(agent).toMatchObject({
      name: 'mailer',
      owner: 'alice@example.com',
      status: 'active',
      grants: ['email.*', 'db.query'],
      classification: 'internal',
    });
    expect(agent.client_id).toBe(agent.id);
    expect(agent.client_secret).toMatch(/^ghs_[A-Za-z0-9_-]{43}$/);

    const shown = await cli(['agents', 'show', 'mailer', '--json']);
    expect(shown.stdout).not.toContain(agent.client_secret);
    expect(shown.stdout).not.toContain('scrypt');
    expect(JSON.parse(shown.stdout).credentials).toEqual([expect.objectContaining({ kind: 'secret' })]);
    expect((await cli(['agents', 'list'])).stdout).toMatch(/agt_\w+ {2}mailer\s+active/);

    const store = await openStore({ sqlite: join(dir, '.gatehouse', 'gatehouse.db') });
    const [credential] = await store.listCredentials(agent.id);
    expect(credential?.secretHash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(credential?.secretHash).not.toContain(agent.client_secret);
    await store.close();
  });

  it('refuses a duplicate name and bad grants', async () => {
    expect(
      (await cli(['agents', 'create', '--name', 'dup', '--owner', 'a@x.io', '--grants', 'a.b'])).code,
    ).toBe(0);
    const again = await cli(['agents', 'create', '--name', 'dup', '--owner', 'a@x.io', '--grants', 'a.b']);
    expect(again).toMatchObject({
      code: 1,
      stderr: expect.stringContaining("an agent named 'dup' already exists"),
    });
    expect(
      (await cli(['agents', 'create', '--name', 'x', '--owner', 'a@x.io', '--grants', ' , '])).code,
    ).toBe(2);
  });

  it('rotates a secret, registers keys, and walks the lifecycle; a retired agent stays retired', async () => {
    await cli(['agents', 'create', '--name', 'cycler', '--owner', 'a@x.io', '--grants', 'email.*']);
    const rotated = JSON.parse((await cli(['agents', 'rotate', 'cycler', '--grace', '1h', '--json'])).stdout);
    expect(rotated.client_secret).toMatch(/^ghs_/);
    expect(new Date(rotated.previous_expire_at).getTime()).toBeGreaterThan(Date.now() + 59 * 60_000);
    expect((await cli(['agents', 'rotate', 'cycler', '--grace', 'soon'])).code).toBe(2);

    const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    writeFileSync(join(dir, 'public.jwk'), JSON.stringify(await exportJWK(publicKey)));
    writeFileSync(join(dir, 'private.jwk'), JSON.stringify(await exportJWK(privateKey)));
    expect((await cli(['agents', 'rotate', 'cycler', '--public-key', 'public.jwk'])).code).toBe(0);
    const refused = await cli(['agents', 'rotate', 'cycler', '--public-key', 'private.jwk']);
    expect(refused).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('register the public key only'),
    });

    for (const [command, status] of [
      ['suspend', 'suspended'],
      ['resume', 'active'],
      ['quarantine', 'quarantined'],
      ['retire', 'retired'],
    ]) {
      const result = await cli(['agents', command!, 'cycler', '--json']);
      expect(JSON.parse(result.stdout).status).toBe(status);
    }
    expect(await cli(['agents', 'resume', 'cycler'])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('retired'),
    });
    expect(await cli(['agents', 'suspend', 'ghost'])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining("no agent 'ghost'"),
    });
  });
});

describe('gatehouse users', () => {
  it('creates a user with roles and prints the API token once', async () => {
    const created = JSON.parse(
      (
        await cli([
          'users',
          'create',
          '--email',
          'Carol@Example.com',
          '--roles',
          'approver,auditor',
          '--json',
        ])
      ).stdout,
    );
    expect(created).toMatchObject({ email: 'carol@example.com', roles: ['approver', 'auditor'] });
    expect(created.token).toMatch(/^ghu_/);
    const listed = await cli(['users', 'list', '--json']);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ email: 'carol@example.com' })]);
    expect(listed.stdout).not.toContain(created.token);

    // A leaked token is replaced: the old one stops working at once.
    const rotated = JSON.parse(
      (await cli(['users', 'rotate-token', '--email', 'carol@example.com', '--json'])).stdout,
    );
    expect(rotated.token).toMatch(/^ghu_/);
    const store = await openStore({ sqlite: join(dir, '.gatehouse', 'gatehouse.db') });
    const admin = new AgentAdmin(store);
    expect(await admin.authenticateUser(created.token)).toBeUndefined();
    expect((await admin.authenticateUser(rotated.token))?.email).toBe('carol@example.com');
    await store.close();
    expect((await cli(['users', 'rotate-token', '--email', 'nobody@example.com'])).code).toBe(1);
  });

  it('refuses unknown roles and bad emails as usage errors', async () => {
    expect((await cli(['users', 'create', '--email', 'd@x.io', '--roles', 'superuser'])).code).toBe(2);
    expect((await cli(['users', 'create', '--email', 'not-an-email', '--roles', 'admin'])).code).toBe(2);
  });
});

describe('one inventory of agents', () => {
  const project = () => {
    const root = mkdtempSync(join(tmpdir(), 'gh-agents-inventory-'));
    writeFileSync(
      join(root, 'policy.yaml'),
      `version: 1
tools:
  email.read: { categories: [read] }
  email.send: { categories: [external_communication] }
agents:
  email-assistant: { owner: alice@example.com, grants: [email.read] }
`,
    );
    writeFileSync(join(root, 'gatehouse.yaml'), 'policy: ./policy.yaml\n');
    return root;
  };
  const run = (root: string, argv: string[]) => runCliCaptured(argv, root, { GATEHOUSE_MASTER_KEY: KEY });
  const KEY = Buffer.alloc(32, 3).toString('base64url');

  it('lists the agents the policy declares, under column headers', async () => {
    const root = project();
    const { stdout } = await run(root, ['agents', 'list']);
    expect(stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+STATUS\s+SOURCE\s+CREDENTIALS\s+OWNER\s+GRANTS$/);
    expect(stdout).toMatch(/email-assistant\s+active\s+policy\s+none\s+alice@example.com\s+\[email.read\]/);
  });

  it('refuses a second agent of a name the policy declares, with other grants', async () => {
    const root = project();
    const { code, stderr } = await run(root, [
      'agents',
      'create',
      '--name',
      'email-assistant',
      '--owner',
      'mallory@example.com',
      '--grants',
      'email.*',
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain("the policy declares 'email-assistant' with owner alice@example.com");
    const listed = JSON.parse((await run(root, ['agents', 'list', '--json'])).stdout) as { name: string }[];
    expect(listed.filter((a) => a.name === 'email-assistant')).toHaveLength(1);
  });

  it("gives a declared agent credentials bound to the declaration's owner and grants, once", async () => {
    const root = project();
    const created = await run(root, ['agents', 'create', '--name', 'email-assistant', '--json']);
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({
      name: 'email-assistant',
      owner: 'alice@example.com',
      grants: ['email.read'],
      source: 'policy',
      client_secret: expect.stringMatching(/^ghs_/),
    });
    const again = await run(root, ['agents', 'create', '--name', 'email-assistant']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("'gatehouse agents rotate email-assistant' issues new ones");
    expect((await run(root, ['agents', 'list'])).stdout).toMatch(/email-assistant\s+active\s+policy\s+yes/);
  });

  it('warns about a grant that matches no tool in the catalog', async () => {
    const root = project();
    const { code, stderr } = await run(root, [
      'agents',
      'create',
      '--name',
      'typo',
      '--owner',
      'o@example.com',
      '--grants',
      'email.read,emial.send',
    ]);
    expect(code).toBe(0);
    expect(stderr).toContain("warning: grant 'emial.send' matches no tool in the catalog");
    expect(stderr).not.toContain("'email.read'");
  });

  it('prints column headers over users', async () => {
    const root = project();
    await run(root, ['users', 'create', '--email', 'carol@example.com', '--roles', 'approver']);
    const { stdout } = await run(root, ['users', 'list']);
    expect(stdout.split('\n')[0]).toMatch(/^ID\s+EMAIL\s+ROLES$/);
  });
});
