import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compilePolicy, decide } from '@gatehouse/core';
import { afterAll, describe, expect, it } from 'vitest';
import { ApprovalService } from '../approvals/approval-service.js';
import { loadConfig } from '../config/load.js';
import { openStore } from '../store/index.js';
import { runCliCaptured } from '../testing/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'gh-approvals-cli-'));
const QUICKSTART = new URL('../../../../examples/quickstart/policy.yaml', import.meta.url);
copyFileSync(QUICKSTART, join(dir, 'policy.yaml'));
writeFileSync(join(dir, 'gatehouse.yaml'), 'policy: ./policy.yaml\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (argv: string[]) => runCliCaptured(argv, dir);

/** Opens an approval the way the server's path does, for a $1,500 transfer. */
async function openTransferApproval(to: string): Promise<string> {
  const config = await loadConfig(join(dir, 'gatehouse.yaml'), {});
  const store = await openStore(config.storage);
  const { readFileSync } = await import('node:fs');
  const policy = compilePolicy({ name: 'policy.yaml', text: readFileSync(QUICKSTART, 'utf8') });
  const service = new ApprovalService({ store, groups: () => policy.groups });
  const request = {
    agent: policy.agents.get('finance-agent')!,
    tool: 'payments.transfer',
    args: { amount: 1500, to },
    reasoning: 'quarterly invoice',
    // The user named the payee: only the dual authorization asks.
    origin: { to: ['user_input'] },
  };
  const verdict = await service.port(request, decide(policy, request), {
    decisionId: 'dec_1',
    sessionId: 'ses_1',
  });
  await store.close();
  if (verdict.status !== 'pending') throw new Error('expected a pending approval');
  return verdict.id;
}

describe('gatehouse approvals', () => {
  it('lists what waits with everything needed to judge it, and takes votes by the rules', async () => {
    for (const [email, roles] of [
      ['carol@example.com', 'approver'],
      ['dave@example.com', 'approver'],
      ['erin@example.com', 'approver'],
    ])
      expect((await cli(['users', 'create', '--email', email!, '--roles', roles!])).code).toBe(0);
    const id = await openTransferApproval('ACME');

    const listed = await cli(['approvals', 'list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`${id}  pending  expires in 3h 59m`);
    expect(listed.stdout).toContain('finance-agent (owner fiona@example.com)');
    expect(listed.stdout).toContain('payments.transfer {"amount":1500,"to":"ACME"}');
    expect(listed.stdout).toContain('reasoning  quarterly invoice');
    expect(listed.stdout).toContain('0 of 2 approvals from finance (dual-authorization)');

    const outsider = await cli(['approvals', 'approve', id, '--as', 'erin@example.com']);
    expect(outsider).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('not in the group(s) finance'),
    });
    expect(
      (await cli(['approvals', 'approve', id, '--as', 'carol@example.com', '--comment', 'ok'])).code,
    ).toBe(0);
    expect((await cli(['approvals', 'approve', id, '--as', 'carol@example.com'])).stderr).toContain(
      'already voted',
    );
    const released = await cli(['approvals', 'approve', id, '--as', 'dave@example.com', '--json']);
    expect(JSON.parse(released.stdout)).toMatchObject({
      id,
      status: 'approved',
      requirements: [{ approved_by: ['carol@example.com', 'dave@example.com'] }],
    });

    const denyId = await openTransferApproval('SHELL-CO');
    const denied = await cli([
      'approvals',
      'deny',
      denyId,
      '--as',
      'dave@example.com',
      '--comment',
      'who is this',
    ]);
    expect(denied.stdout).toContain(`${denyId}  denied`);
    const all = JSON.parse((await cli(['approvals', 'list', '--status', 'all', '--json'])).stdout) as {
      id: string;
      status: string;
    }[];
    expect(all.map((a) => [a.id, a.status]).sort()).toEqual(
      [
        [denyId, 'denied'],
        [id, 'approved'],
      ].sort(),
    );
  });

  it('records a vote cast with --as as break-glass, before it counts', async () => {
    const id = await openTransferApproval('BREAK-GLASS');
    expect((await cli(['approvals', 'deny', id, '--as', 'carol@example.com'])).code).toBe(0);
    const config = await loadConfig(join(dir, 'gatehouse.yaml'), {});
    const store = await openStore(config.storage);
    try {
      const events = (await store.queryAudit({ order: 'asc', limit: 1000 })).map((r) => JSON.parse(r.text));
      const glass = events.findIndex(
        (e) => e.what.action === 'approval.break-glass-vote' && e.approval_id === id,
      );
      expect(glass).toBeGreaterThanOrEqual(0);
      expect(events[glass]).toMatchObject({ who: { person: 'carol@example.com' }, where: { door: 'cli' } });
      expect(events[glass].what.args.os_user).toMatch(/^cli/);
      // The vote's own event comes after the break-glass record.
      const voted = events.findIndex((e, i) => i > glass && e.approval_id === id && e.type === 'approval');
      expect(voted).toBeGreaterThan(glass);
    } finally {
      await store.close();
    }
  });

  it('refuses bad input with a usage error', async () => {
    expect((await cli(['approvals', 'approve', 'nope', '--as', 'carol@example.com'])).code).toBe(2);
    expect((await cli(['approvals', 'approve', 'apr_x'])).code).toBe(2);
    expect((await cli(['approvals', 'approve', 'apr_x', '--as', 'nobody@example.com'])).code).toBe(2);
    expect((await cli(['approvals', 'list', '--status', 'maybe'])).code).toBe(2);
    expect((await cli(['approvals', 'deny', 'apr_missing', '--as', 'carol@example.com'])).stderr).toContain(
      'no approval',
    );
  });
});
