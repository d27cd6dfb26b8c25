import {
  type AgentIdentity,
  type ApprovalRecord,
  compilePolicy,
  decide,
  type PathRequest,
} from '@gatehouse/core';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../store/index.js';
import { storeDialects } from '../testing/dialects.js';
import { ApprovalService } from './approval-service.js';

const { dialects, cleanup } = storeDialects('gh-approvals');
afterAll(cleanup);

const APPROVERS = Array.from({ length: 24 }, (_, i) => `approver${i}@example.com`);
const policy = compilePolicy({
  name: 'policy.yaml',
  text: `
version: 1
tools:
  payments.transfer: { categories: [financial] }
agents:
  finance-agent: { owner: fiona@example.com, grants: [payments.*] }
groups:
  finance: [${APPROVERS.join(', ')}]
rules:
  - id: dual
    match: { categories: [financial] }
    when: args.amount > 1000
    effect: approve
    approval: { approvers: 2, groups: [finance], timeout: 10m }
`,
});
const agent = policy.agents.get('finance-agent') as AgentIdentity;
const transfer = (amount: number, to = 'ACME'): PathRequest => ({
  agent,
  tool: 'payments.transfer',
  args: { amount, to },
});
const voter = (i: number) => ({ id: `usr_${i}`, email: APPROVERS[i]!, roles: ['approver'] });

describe.each(dialects)('approvals on %s', (_dialect, configFor) => {
  const setup = async (now?: () => number) => {
    const store = await openStore(configFor());
    const service = new ApprovalService({
      store,
      groups: () => policy.groups,
      pollMs: 20,
      ...(now && { now }),
    });
    return { store, service };
  };
  const ask = async (service: ApprovalService, request: PathRequest) => {
    const decision = decide(policy, { ...request, agent: request.agent });
    expect(decision.effect).toBe('approve');
    return service.port(request, decision, { decisionId: 'dec_x', sessionId: 'ses_x' });
  };

  it('opens one approval per exact action, matches retries, and is spent once', async () => {
    const { store, service } = await setup();
    const first = await ask(service, transfer(1500));
    expect(first.status).toBe('pending');
    if (first.status !== 'pending') return;
    // The same arguments in another key order are the same action.
    const retry = await ask(service, { ...transfer(1500), args: { to: 'ACME', amount: 1500 } });
    expect(retry).toMatchObject({ status: 'pending', id: first.id });
    const otherAccount = await ask(service, transfer(1500, 'EVIL'));
    expect(otherAccount.status === 'pending' && otherAccount.id).not.toBe(first.id);

    expect((await service.vote(first.id, voter(0), { vote: 'approve' })).ok).toBe(true);
    expect((await service.vote(first.id, voter(1), { vote: 'approve' })).ok).toBe(true);
    expect(await ask(service, transfer(1500))).toEqual({ status: 'approved', id: first.id });
    expect((await service.get(first.id))?.status).toBe('used');
    // Spent: the same transfer again needs a new approval.
    const again = await ask(service, transfer(1500));
    expect(again.status === 'pending' && again.id).not.toBe(first.id);
    await store.close();
  });

  it('binds an approval to the user and resource it was asked for, not only the arguments', async () => {
    const { store, service } = await setup();
    const forAlice = { ...transfer(1500), user: { id: 'u1', email: 'alice@example.com' } };
    const asked = await ask(service, forAlice);
    if (asked.status !== 'pending') throw new Error('expected pending');
    expect((await service.vote(asked.id, voter(0), { vote: 'approve' })).ok).toBe(true);
    expect((await service.vote(asked.id, voter(1), { vote: 'approve' })).ok).toBe(true);
    // The same arguments for someone else, or against another resource, do not spend it.
    const forMallory = await ask(service, {
      ...transfer(1500),
      user: { id: 'u2', email: 'mallory@example.com' },
    });
    expect(forMallory.status === 'pending' && forMallory.id).not.toBe(asked.id);
    const onProd = await ask(service, { ...forAlice, resource: { env: 'prod' } });
    expect(onProd.status === 'pending' && onProd.id).not.toBe(asked.id);
    expect(await ask(service, forAlice)).toEqual({ status: 'approved', id: asked.id });
    await store.close();
  });

  it('keeps one pending approval per exact action across replicas, and opens anew once it lapsed', async () => {
    let clock = 1_000_000;
    const config = configFor();
    const stores = [await openStore(config), await openStore(config)];
    const [a, b] = stores.map(
      (store) => new ApprovalService({ store, groups: () => policy.groups, now: () => clock }),
    ) as [ApprovalService, ApprovalService];
    const [fromA, fromB] = await Promise.all([ask(a, transfer(7777)), ask(b, transfer(7777))]);
    expect(fromA.status).toBe('pending');
    expect(fromB).toEqual(fromA);
    // Past its deadline and never written down as expired: asking again opens a new one.
    clock += 24 * 60 * 60_000;
    const later = await ask(b, transfer(7777));
    expect(later.status === 'pending' && later.id).not.toBe(fromA.status === 'pending' && fromA.id);
    await Promise.all(stores.map((s) => s.close()));
  });

  it('keeps a denied action denied until its deadline, and refuses late or repeated votes', async () => {
    const { store, service } = await setup();
    const asked = await ask(service, transfer(2000));
    if (asked.status !== 'pending') throw new Error('expected pending');
    expect(await service.vote(asked.id, voter(0), { vote: 'deny', comment: 'unknown payee' })).toMatchObject({
      ok: true,
      record: { status: 'denied' },
    });
    const again = await ask(service, transfer(2000));
    expect(again).toMatchObject({ status: 'denied' });
    // The agent is told the action was denied, not by whom.
    expect(again.status === 'denied' && again.reason).not.toContain('@');
    expect(await service.vote(asked.id, voter(1), { vote: 'approve' })).toMatchObject({
      ok: false,
      code: 'not-pending',
    });
    expect(await service.vote('apr_nope', voter(1), { vote: 'approve' })).toMatchObject({
      ok: false,
      code: 'not-found',
    });
    await store.close();
  });

  it('settles many concurrent votes on one approval in exactly one final state, losing no vote', async () => {
    const { store, service } = await setup();
    const asked = await ask(service, transfer(5000));
    if (asked.status !== 'pending') throw new Error('expected pending');
    const results = await Promise.all(
      APPROVERS.map((_, i) => service.vote(asked.id, voter(i), { vote: i % 5 === 4 ? 'deny' : 'approve' })),
    );
    const final = (await service.get(asked.id)) as ApprovalRecord;
    expect(['approved', 'denied']).toContain(final.status);
    const accepted = results.filter((r) => r.ok);
    // Every accepted vote is in the record, and nothing else is.
    expect(final.votes.map((v) => v.email).sort()).toEqual(
      accepted.map((r) => (r.ok ? r.record.votes.at(-1)?.email : '')).sort(),
    );
    // The vote that ended it was the last accepted: two approvals, or the first deny.
    const approvals = final.votes.filter((v) => v.vote === 'approve').length;
    const denials = final.votes.filter((v) => v.vote === 'deny').length;
    if (final.status === 'approved') expect([approvals, denials]).toEqual([2, 0]);
    else expect(denials).toBe(1);
    expect(approvals).toBeLessThanOrEqual(2);
    // Everyone else was told it was over.
    for (const r of results) if (!r.ok) expect(r.code).toBe('not-pending');
    expect(final.version).toBe(final.votes.length);
    await store.close();
  });

  it('lets only one of many concurrent identical calls spend an approval', async () => {
    const { store, service } = await setup();
    const asked = await ask(service, transfer(3000));
    if (asked.status !== 'pending') throw new Error('expected pending');
    await service.vote(asked.id, voter(0), { vote: 'approve' });
    await service.vote(asked.id, voter(1), { vote: 'approve' });
    const raced = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        service.port(transfer(3000), decide(policy, transfer(3000)), {
          decisionId: `dec_${i}`,
          sessionId: `ses_${i}`,
        }),
      ),
    );
    expect(raced.filter((r) => r.status === 'approved')).toHaveLength(1);
    await store.close();
  });

  it('survives a restart with pending approvals, which still lapse on time', async () => {
    const config = configFor();
    let clock = Date.UTC(2026, 10, 25, 12);
    const now = () => clock;
    let store: Store = await openStore(config);
    let service = new ApprovalService({ store, groups: () => policy.groups, now });
    const asked = await service.port(transfer(1200), decide(policy, transfer(1200)), {
      decisionId: 'dec_1',
      sessionId: 'ses_1',
    });
    if (asked.status !== 'pending') throw new Error('expected pending');
    await store.close();

    store = await openStore(config);
    service = new ApprovalService({ store, groups: () => policy.groups, now });
    expect((await service.get(asked.id))?.status).toBe('pending');
    clock += 10 * 60_000 - 1;
    expect(await service.sweep()).toBe(0);
    clock += 1;
    expect(await service.sweep()).toBe(1);
    const lapsed = await service.get(asked.id);
    expect(lapsed).toMatchObject({ status: 'expired' });
    expect(await service.vote(asked.id, voter(0), { vote: 'approve' })).toMatchObject({
      code: 'not-pending',
    });
    await store.close();
  });

  it('wakes a waiter when the approval is decided, and returns pending when the wait ends first', async () => {
    const { store, service } = await setup();
    const asked = await ask(service, transfer(1800));
    if (asked.status !== 'pending') throw new Error('expected pending');
    expect((await service.wait(asked.id, 30))?.status).toBe('pending');
    const waiting = service.wait(asked.id, 10_000);
    await service.vote(asked.id, voter(2), { vote: 'approve' });
    await service.vote(asked.id, voter(3), { vote: 'approve' });
    expect((await waiting)?.status).toBe('approved');
    await store.close();
  });
});
