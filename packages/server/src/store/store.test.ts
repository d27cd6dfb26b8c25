import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { storeDialects, TEST_POSTGRES_URL } from '../testing/dialects.js';
import { openStore, redactConnectionString } from './index.js';

const { dialects, tempDir, newSchema, cleanup } = storeDialects('gh-store');
afterAll(cleanup);

describe.each(dialects)('store on %s', (dialect, configFor) => {
  const open = async (config = configFor()) => ({ store: await openStore(config), config });

  it('migrates on open, and opening again is a no-op', async () => {
    const { store, config } = await open();
    expect(store.dialect).toBe(dialect);
    await store.recordPolicyVersion({
      hash: 'a'.repeat(64),
      sources: [{ name: 'p.yaml', text: 'version: 1' }],
    });
    await store.close();
    const again = await openStore(config);
    expect((await again.currentPolicyVersion())?.hash).toBe('a'.repeat(64));
    await again.close();
  });

  it('records policy versions, upserting by hash, newest activation first', async () => {
    const { store } = await open();
    const t = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);
    await store.recordPolicyVersion({ hash: 'h1', sources: [{ name: 'a', text: '1' }], loadedAt: t(0) });
    await store.recordPolicyVersion({ hash: 'h2', sources: [{ name: 'a', text: '2' }], loadedAt: t(1000) });
    expect((await store.currentPolicyVersion())?.hash).toBe('h2');
    const again = await store.recordPolicyVersion({
      hash: 'h1',
      sources: [{ name: 'a', text: '1' }],
      loadedAt: t(2000),
    });
    expect(again.loadedAt).toEqual(t(2000));
    expect((await store.listPolicyVersions()).map((v) => v.hash)).toEqual(['h1', 'h2']);
    expect(await store.listPolicyVersions({ limit: 1 })).toHaveLength(1);
    await store.close();
  });

  it('round-trips times to the millisecond and unicode content exactly', async () => {
    const { store } = await open();
    const loadedAt = new Date('2026-05-17T13:45:12.345Z');
    const sources = [{ name: 'politique.yaml', text: '# règles — 🚦 ünïcødé\nversion: 1\n' }];
    await store.recordPolicyVersion({ hash: 'u', sources, loadedAt });
    const current = await store.currentPolicyVersion();
    expect(current?.loadedAt.toISOString()).toBe('2026-05-17T13:45:12.345Z');
    expect(current?.sources).toEqual(sources);
    await store.close();
  });

  it('pins tool definitions: first writer wins, and a swap applies only over what it expected', async () => {
    const { store } = await open();
    const pin = {
      upstream: 'files',
      tool: 'read_text_file',
      hash: 'a'.repeat(64),
      definition: '{"name":"read_text_file"}',
      updatedAt: new Date('2026-05-17T13:45:12.345Z'),
    };
    expect(await store.insertToolPin(pin)).toBe(true);
    expect(await store.insertToolPin({ ...pin, hash: 'b'.repeat(64) })).toBe(false);
    const held = { ...pin, pending: { hash: 'c'.repeat(64), definition: '{}', reason: 'changed' } };
    expect(await store.swapToolPin(held, { hash: pin.hash, pendingHash: undefined })).toBe(true);
    // A second writer that read the pin before the first swap loses.
    expect(
      await store.swapToolPin({ ...pin, hash: 'd'.repeat(64) }, { hash: pin.hash, pendingHash: undefined }),
    ).toBe(false);
    expect(await store.listToolPins('files')).toEqual([held]);
    expect(await store.listToolPins('other')).toEqual([]);
    const approved = { ...pin, hash: 'c'.repeat(64), definition: '{}', approvedBy: 'root@example.com' };
    expect(await store.swapToolPin(approved, { hash: pin.hash, pendingHash: 'c'.repeat(64) })).toBe(true);
    expect(await store.listToolPins()).toEqual([approved]);
    await store.close();
  });

  it('answers ping while open and refuses after close', async () => {
    const { store } = await open();
    await expect(store.ping()).resolves.toBeUndefined();
    await store.close();
    await expect(store.ping()).rejects.toMatchObject({ code: 'GH_STORE_UNAVAILABLE' });
  });

  it('keeps agents with unique names and bumps the registry revision on every change', async () => {
    const { store } = await open();
    const now = new Date('2026-02-01T00:00:00.123Z');
    const base = {
      owner: 'o@example.com',
      classification: 'internal',
      labels: [],
      grants: ['email.*'],
      source: 'api' as const,
    };
    const before = (await store.changesSince(0)).revision;
    const agent = await store.createAgent({ ...base, name: 'mailer' }, now);
    expect(agent).toMatchObject({ name: 'mailer', status: 'active', grants: ['email.*'], createdAt: now });
    expect(agent.id).toMatch(/^agt_/);
    await expect(store.createAgent({ ...base, name: 'mailer' }, now)).rejects.toMatchObject({
      code: 'GH_CONFLICT',
    });
    const suspended = await store.setAgentStatus(agent.id, 'suspended', new Date(now.getTime() + 5));
    expect(suspended.tokensValidAfter?.getTime()).toBe(now.getTime() + 5);
    const changes = await store.changesSince(before);
    expect(changes.agents.map((a) => [a.name, a.status])).toEqual([['mailer', 'suspended']]);
    expect(changes.revision).toBeGreaterThan(before);
    expect((await store.changesSince(changes.revision)).agents).toEqual([]);
    expect(await store.findAgent('mailer')).toMatchObject({ id: agent.id });
    expect(await store.findAgent(agent.id)).toMatchObject({ name: 'mailer' });
    await store.close();
  });

  it('upserts policy agents without clobbering api agents or resuming suspended ones', async () => {
    const { store } = await open();
    const now = new Date();
    const declared = {
      owner: 'o@example.com',
      classification: 'internal',
      labels: [],
      grants: ['a.*'],
      source: 'policy' as const,
    };
    await store.createAgent({ ...declared, name: 'taken', source: 'api' }, now);
    const first = await store.upsertPolicyAgents(
      [
        { ...declared, name: 'bot', id: 'agt_fixed1' },
        { ...declared, name: 'taken' },
      ],
      now,
    );
    expect(first).toEqual({ created: 1, updated: 0, conflicts: ['taken'] });
    await store.setAgentStatus('agt_fixed1', 'suspended', now);
    const second = await store.upsertPolicyAgents(
      [{ ...declared, name: 'bot', grants: ['a.*', 'b.*'] }],
      now,
    );
    expect(second).toEqual({ created: 0, updated: 1, conflicts: [] });
    expect(await store.findAgent('bot')).toMatchObject({
      id: 'agt_fixed1',
      status: 'suspended',
      grants: ['a.*', 'b.*'],
    });
    await store.close();
  });

  it('expires rotated credentials and remembers revocations and assertion ids', async () => {
    const { store } = await open();
    const now = new Date();
    const agent = await store.createAgent(
      { name: 'c', owner: 'o@x.io', classification: 'internal', labels: [], grants: [], source: 'api' },
      now,
    );
    await store.addCredential({
      id: 'crd_old',
      agentId: agent.id,
      kind: 'secret',
      secretHash: 'h1',
      createdAt: now,
    });
    await store.addCredential({
      id: 'crd_new',
      agentId: agent.id,
      kind: 'secret',
      secretHash: 'h2',
      createdAt: now,
    });
    const grace = new Date(now.getTime() + 60_000);
    await store.expireCredentials(agent.id, 'secret', 'crd_new', grace);
    const credentials = await store.listCredentials(agent.id);
    expect(credentials.find((c) => c.id === 'crd_old')?.expiresAt).toEqual(grace);
    expect(credentials.find((c) => c.id === 'crd_new')?.expiresAt).toBeUndefined();

    await store.revokeToken('jti-1', new Date(now.getTime() + 60_000));
    expect((await store.changesSince(0)).revokedTokens.map((r) => r.jti)).toContain('jti-1');
    expect(await store.rememberAssertion('agt:j1', grace)).toBe(true);
    expect(await store.rememberAssertion('agt:j1', grace)).toBe(false);
    await store.close();
  });

  it('keeps encrypted signing keys and drops them once expired', async () => {
    const { store } = await open();
    const at = (h: number) => new Date(Date.UTC(2026, 0, 1) + h * 3_600_000);
    const key = (kid: string, from: number) => ({
      kid,
      alg: 'EdDSA' as const,
      publicJwk: { kty: 'OKP', crv: 'Ed25519', x: kid },
      privateJwe: `jwe.${kid}`,
      createdAt: at(from),
      activatesAt: at(from),
      retiresAt: at(from + 24),
      expiresAt: at(from + 25),
    });
    await store.insertSigningKey(key('k1', 0));
    await store.insertSigningKey(key('k2', 24));
    expect((await store.listSigningKeys()).map((k) => [k.kid, k.activatesAt.toISOString()])).toEqual([
      ['k1', at(0).toISOString()],
      ['k2', at(24).toISOString()],
    ]);
    expect(await store.deleteSigningKeysExpiredBefore(at(25))).toBe(1);
    expect((await store.listSigningKeys()).map((k) => k.kid)).toEqual(['k2']);
    await store.close();
  });

  it('saves sessions, never lets another agent overwrite one, and prunes idle ones', async () => {
    const { store } = await open();
    const t = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);
    await store.saveSessions([{ id: 'ses_1', agentId: 'agt_a', state: '{"v":1}', updatedAt: t(0) }]);
    await store.saveSessions([{ id: 'ses_1', agentId: 'agt_a', state: '{"v":2}', updatedAt: t(1000) }]);
    await store.saveSessions([
      { id: 'ses_1', agentId: 'agt_intruder', state: '{"v":666}', updatedAt: t(2000) },
    ]);
    expect(await store.loadSession('ses_1')).toEqual({
      agentId: 'agt_a',
      state: '{"v":2}',
      updatedAt: t(1000),
    });
    await store.saveSessions([{ id: 'ses_2', agentId: 'agt_b', state: '{}', updatedAt: t(5000) }]);
    expect(await store.pruneSessions(t(3000))).toBe(1);
    expect(await store.loadSession('ses_1')).toBeUndefined();
    expect(await store.loadSession('ses_2')).toBeDefined();
    await store.close();
  });

  it('stores users by email and token digest', async () => {
    const { store } = await open();
    const user = await store.createUser(
      { email: 'carol@example.com', roles: ['approver'], tokenDigest: 'digest-1' },
      new Date(),
    );
    expect(user.id).toMatch(/^usr_/);
    expect(await store.findUserByTokenDigest('digest-1')).toMatchObject({
      email: 'carol@example.com',
      roles: ['approver'],
    });
    expect(await store.findUserByTokenDigest('nope')).toBeUndefined();
    await expect(
      store.createUser({ email: 'carol@example.com', roles: [], tokenDigest: 'd2' }, new Date()),
    ).rejects.toMatchObject({ code: 'GH_CONFLICT' });
    await store.close();
  });
});

describe('store on sqlite: file settings', () => {
  it('puts the database in WAL mode with full durability, creating its folder', async () => {
    const path = join(tempDir, 'nested', 'deeper', 'g.db');
    const store = await openStore({ sqlite: path });
    await store.close();
    const raw = new SqliteDatabase(path, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });
});

describe('store on postgres: several processes', () => {
  it('lets two stores open (and migrate) the same schema at once', async () => {
    const schema = newSchema();
    const [a, b] = await Promise.all([
      openStore({ postgres: TEST_POSTGRES_URL, schema }),
      openStore({ postgres: TEST_POSTGRES_URL, schema }),
    ]);
    await a.recordPolicyVersion({ hash: 'shared', sources: [] });
    expect((await b.currentPolicyVersion())?.hash).toBe('shared');
    await Promise.all([a.close(), b.close()]);
  });

  it('orders concurrent registry changes so that a poller never skips one', async () => {
    const schema = newSchema();
    const [a, b] = await Promise.all([
      openStore({ postgres: TEST_POSTGRES_URL, schema }),
      openStore({ postgres: TEST_POSTGRES_URL, schema }),
    ]);
    const base = {
      owner: 'o@x.io',
      classification: 'internal',
      labels: [],
      grants: [],
      source: 'api' as const,
    };
    const seen = new Set<string>();
    let revision = 0;
    const writes = Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b).createAgent({ ...base, name: `agent-${i}` }, new Date()),
      ),
    );
    while (seen.size < 20) {
      const changes = await a.changesSince(revision);
      for (const agent of changes.agents) seen.add(agent.name);
      revision = changes.revision;
      if (seen.size < 20) await new Promise((resolve) => setImmediate(resolve));
    }
    await writes;
    expect(seen.size).toBe(20);
    await Promise.all([a.close(), b.close()]);
  });

  it('reports an unreachable server as GH_STORE_UNAVAILABLE without the password', async () => {
    const error = await openStore({ postgres: 'postgres://gatehouse:hunter2@127.0.0.1:1/none' }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'GH_STORE_UNAVAILABLE' });
    expect(String((error as Error).message)).not.toContain('hunter2');
    expect(String((error as Error).message)).toContain('gatehouse:***@127.0.0.1:1');
  });
});

describe('redactConnectionString', () => {
  it.each([
    ['postgres://app:s3cret@db.internal:5432/prod', 'postgres://app:***@db.internal:5432/prod'],
    ['postgres://app@db/prod', 'postgres://app@db/prod'],
    ['postgres://db/prod?password=s3cret&sslmode=require', 'postgres://db/prod?password=***&sslmode=require'],
    ['not a url with s3cret', '(unparseable, redacted)'],
  ])('%s → %s', (input, expected) => {
    expect(redactConnectionString(input)).toBe(expected);
    expect(redactConnectionString(input)).not.toContain('s3cret');
  });
});
