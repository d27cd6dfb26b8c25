import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAuditEvent } from '@gatehouse/core';
import { AgentAdmin, loadConfig, type RunningServer, startServer } from '@gatehouse/server';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * `/v1/policy/drafts`: plain-English rules drafted, verified and adopted over the HTTP API, as
 * the console's form does it. Adoption is bound to the report the person read (its digest),
 * refuses widening unless accepted, needs an admin, writes into the policy folder, activates the
 * policy and is audited first.
 */

const QUICKSTART = new URL('../../examples/quickstart/policy.yaml', import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'gh-policy-drafts-'));
const policyDir = join(dir, 'policy');
let server: RunningServer;
const tokens: Record<string, string> = {};

const SEED = 'Financial transactions over $1,000 require dual authorization';
const WIDENING = 'The ops agent may delete production databases';

beforeAll(async () => {
  mkdirSync(policyDir);
  copyFileSync(QUICKSTART, join(policyDir, 'policy.yaml'));
  writeFileSync(join(dir, 'gatehouse.yaml'), ['policy: ./policy', 'server: { port: 0 }', ''].join('\n'));
  server = await startServer(await loadConfig(join(dir, 'gatehouse.yaml'), {}), { env: {}, watch: false });
  const admin = new AgentAdmin(server.store);
  for (const [email, roles] of [
    ['carol@example.com', ['approver']],
    ['root@example.com', ['admin']],
  ] as const)
    tokens[email.split('@')[0]!] = (await admin.createUser(email, roles)).token;
}, 60_000);

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function post(path: string, body: unknown, who = 'root', raw?: string) {
  const response = await fetch(`${server.listenUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': 'application/json' },
    body: raw ?? JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: the tests read the answers' JSON field by field
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

describe('drafting over the API', () => {
  it('drafts the seed sentence into a verified fragment with its report, for any signed-in person', async () => {
    const { status, body } = await post('/v1/policy/drafts', { sentences: [SEED], redteam: false }, 'carol');
    expect(status).toBe(200);
    expect(body.ok).toBe(true);
    expect(body.fragment).toContain(`description: ${SEED}`);
    expect(body.fragment).toContain('tests:');
    expect(body.report.widening).toBe(false);
    expect(body.report.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(body.report.checks.every((c: { passed: boolean }) => c.passed)).toBe(true);
    expect(body.file).toMatch(/^nl-.*\.yaml$/);
    // Nothing was written: a draft is only read.
    expect(existsSync(join(policyDir, body.file))).toBe(false);
  });

  it('replays the red-team suites before and after the rule when asked', async () => {
    const { body } = await post('/v1/policy/drafts', { sentences: [SEED] });
    expect(body.redteam.replayed.length + body.redteam.skipped.length).toBeGreaterThan(0);
  }, 60_000);

  it('refuses a sentence it cannot compile whole, with the reason, and drafts nothing', async () => {
    const { status, body } = await post('/v1/policy/drafts', {
      sentences: ['The Slack agent may not post to #general'],
      redteam: false,
    });
    expect(status).toBe(200);
    expect(body.ok).toBe(false);
    expect(body.refusals[0].sentence).toBe('The Slack agent may not post to #general');
    expect(body.refusals[0].refusal.message).toBeTruthy();
    expect(body.fragment).toBeUndefined();
  });

  it('answers a malformed body with 400 and a reason, never 500', async () => {
    for (const bad of [
      { sentences: Array.from({ length: 51 }, () => 'Agents may read email') },
      {},
      { sentences: [] },
      { sentences: ['   '] },
      { sentences: ['x'.repeat(1001)] },
    ]) {
      const { status, body } = await post('/v1/policy/drafts', bad);
      expect([JSON.stringify(bad).slice(0, 40), status]).toEqual([JSON.stringify(bad).slice(0, 40), 400]);
      expect(body.message).toEqual(expect.any(String));
    }
    expect((await post('/v1/policy/drafts', undefined, 'root', '{"sentences": [')).status).toBe(400);
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 3 }), async (value) => {
        const { status } = await post('/v1/policy/drafts', value);
        expect(status).toBeLessThan(500);
      }),
      { numRuns: 60 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ maxLength: 120 }), { minLength: 1, maxLength: 3 }),
        async (sentences) => {
          const { status, body } = await post('/v1/policy/drafts', { sentences, redteam: false });
          expect(status).toBeLessThan(500);
          if (status === 200) expect(typeof body.ok).toBe('boolean');
        },
      ),
      { numRuns: 60 },
    );
  }, 60_000);

  it('needs a signed-in person', async () => {
    const response = await fetch(`${server.listenUrl}/v1/policy/drafts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sentences: [SEED] }),
    });
    expect(response.status).toBe(401);
  });
});

describe('adopting a draft over the API', () => {
  it('adopts only for an admin, on the digest of the report read, audited, and the policy runs with it', async () => {
    const drafted = (await post('/v1/policy/drafts', { sentences: [SEED], redteam: false })).body;
    const apply = { sentences: [SEED], report_digest: drafted.report.digest };
    expect((await post('/v1/policy/drafts/apply', apply, 'carol')).status).toBe(403);
    // A digest of some other report is refused: the person did not read this one.
    const stale = await post('/v1/policy/drafts/apply', { ...apply, report_digest: '0'.repeat(64) });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toBe('report_changed');
    expect(existsSync(join(policyDir, drafted.file))).toBe(false);

    const before = server.runtime.policy.hash;
    const applied = await post('/v1/policy/drafts/apply', apply);
    expect(applied.status).toBe(200);
    expect(applied.body.applied).toBe(drafted.file);
    expect(readFileSync(join(policyDir, drafted.file), 'utf8')).toBe(drafted.fragment);
    expect(server.runtime.policy.hash).toBe(applied.body.hash);
    expect(applied.body.hash).not.toBe(before);
    expect(server.runtime.policy.rules.some((r) => r.description === SEED)).toBe(true);

    const events = (await server.store.queryAudit({ order: 'desc', limit: 50 })).map(openAuditEvent);
    const adoption = events.find((e) => e.what.action === 'policy.draft.applied');
    expect(adoption?.who.person).toBe('root@example.com');
    expect(adoption?.where?.door).toBe('admin-api');
    expect(adoption?.what.args).toMatchObject({
      sentences: [SEED],
      compiler: 'grammar',
      report_digest: drafted.report.digest,
      widening: false,
    });

    // The same sentence again: the policy has changed, so its draft and report are new ones.
    const again = await post('/v1/policy/drafts/apply', apply);
    expect(again.status).toBe(409);
  });

  it('refuses a widening fragment unless the widening is accepted', async () => {
    const drafted = (await post('/v1/policy/drafts', { sentences: [WIDENING], redteam: false })).body;
    expect(drafted.report.widening).toBe(true);
    const apply = { sentences: [WIDENING], report_digest: drafted.report.digest };
    const refused = await post('/v1/policy/drafts/apply', apply);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe('widening');
    expect(existsSync(join(policyDir, drafted.file))).toBe(false);
    const accepted = await post('/v1/policy/drafts/apply', { ...apply, allow_widening: true });
    expect(accepted.status).toBe(200);
    expect(existsSync(join(policyDir, drafted.file))).toBe(true);
  });

  it('refuses to adopt when the policy is one file, and writes nothing', async () => {
    const single = mkdtempSync(join(tmpdir(), 'gh-policy-drafts-file-'));
    copyFileSync(QUICKSTART, join(single, 'policy.yaml'));
    writeFileSync(
      join(single, 'gatehouse.yaml'),
      ['policy: ./policy.yaml', 'server: { port: 0 }', ''].join('\n'),
    );
    const other = await startServer(await loadConfig(join(single, 'gatehouse.yaml'), {}), {
      env: {},
      watch: false,
    });
    try {
      const { token } = await new AgentAdmin(other.store).createUser('root@example.com', ['admin']);
      const call = (path: string, body: unknown) =>
        fetch(`${other.listenUrl}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const sentence = 'Agents must not send email after reading confidential data';
      const drafted = (await (
        await call('/v1/policy/drafts', { sentences: [sentence], redteam: false })
      ).json()) as {
        report: { digest: string };
      };
      const response = await call('/v1/policy/drafts/apply', {
        sentences: [sentence],
        report_digest: drafted.report.digest,
      });
      expect(response.status).toBe(409);
      expect(((await response.json()) as { error: string }).error).toBe('not_a_folder');
    } finally {
      await other.close();
      rmSync(single, { recursive: true, force: true });
    }
  }, 60_000);
});
