import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { draftFromSentences } from '@gatehouse/core';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditSink } from '../audit/audit-log.js';
import { AgentAdmin } from '../identity/agent-admin.js';
import { FRAGMENT_NAME } from '../nl/adoption.js';
import { openStore } from '../store/index.js';
import { draftRoutes } from './draft-routes.js';
import { PolicyRuntime } from './runtime.js';

/** The adoption route when the audit log is missing or failing: the rule is never adopted unrecorded. */

const QUICKSTART = new URL('../../../../examples/quickstart/policy.yaml', import.meta.url);
const SENTENCE = 'The ops agent may not delete anything on weekends';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function adoptWith(audit: AuditSink | undefined) {
  const dir = mkdtempSync(join(tmpdir(), 'gh-draft-routes-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const policyDir = join(dir, 'policy');
  mkdirSync(policyDir);
  copyFileSync(QUICKSTART, join(policyDir, 'policy.yaml'));
  const opened = await PolicyRuntime.open(policyDir);
  if (!('runtime' in opened)) throw new Error('the quickstart policy does not compile');
  const { runtime } = opened;
  const store = await openStore({ sqlite: join(dir, 'store.db') });
  cleanups.push(() => store.close());
  const admin = new AgentAdmin(store);
  const { token } = await admin.createUser('root@example.com', ['admin']);
  const app = Fastify({ logger: false });
  await app.register(draftRoutes, { runtime, admin, ...(audit && { audit }) });
  cleanups.push(() => app.close());
  const draft = draftFromSentences([SENTENCE], runtime.sources, FRAGMENT_NAME);
  if (!draft.ok || !draft.report.ok) throw new Error('the sentence should draft into a verified fragment');
  const before = runtime.policy;
  const response = await app.inject({
    method: 'POST',
    url: '/v1/policy/drafts/apply',
    headers: { authorization: `Bearer ${token}` },
    payload: { sentences: [SENTENCE], report_digest: draft.report.digest },
  });
  return { response, files: readdirSync(policyDir), unchanged: runtime.policy === before };
}

describe('adopting a draft when the adoption cannot be audited', () => {
  it('answers 503 and writes nothing on a server without an audit log', async () => {
    const { response, files, unchanged } = await adoptWith(undefined);
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({
      error: 'unavailable',
      message: expect.stringMatching(/audit log/),
    });
    expect(files).toEqual(['policy.yaml']);
    expect(unchanged).toBe(true);
  });

  it('answers 503 with the reason, takes the file back out and keeps the policy when the audit write fails', async () => {
    const failing: AuditSink = { append: () => Promise.reject(new Error('disk I/O error')) };
    const { response, files, unchanged } = await adoptWith(failing);
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({
      error: 'audit_unavailable',
      message: 'the adoption could not be recorded in the audit log, so the rule was not adopted',
    });
    expect(files).toEqual(['policy.yaml']);
    expect(unchanged).toBe(true);
  });
});
