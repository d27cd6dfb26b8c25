import type { ApprovalRecord } from '@gatehouse/core';
import { describe, expect, it } from 'vitest';
import { argumentChanges, closestApproved } from './closest-approval.js';

const approval = (id: string, args: Record<string, unknown>, createdAt: number, tool = 'payments.transfer') =>
  ({ id, agent: { id: 'agt_1', name: 'finance-agent' }, tool, args, createdAt }) as unknown as ApprovalRecord;

describe('argumentChanges', () => {
  it('names each changed, added and removed leaf by its path', () => {
    expect(
      argumentChanges(
        { amount: 100, to: ['a@x.test'], memo: 'x' },
        { amount: 1000, to: ['a@x.test', 'b@y.test'] },
      ),
    ).toEqual([
      { path: 'amount', before: 100, after: 1000 },
      { path: 'memo', before: 'x' },
      { path: 'to[1]', after: 'b@y.test' },
    ]);
  });

  it('finds nothing between equal arguments', () => {
    expect(argumentChanges({ a: { b: [1, {}] } }, { a: { b: [1, {}] } })).toEqual([]);
  });
});

describe('closestApproved', () => {
  const asked = approval('apr_now', { amount: 5000, to: 'ACME' }, 10);

  it('picks the approved action of the same agent and tool with the fewest changes', () => {
    const found = closestApproved(asked, [
      approval('apr_far', { amount: 10, to: 'OTHER' }, 3),
      approval('apr_near', { amount: 1500, to: 'ACME' }, 2),
      approval('apr_other_tool', { amount: 5000, to: 'ACME' }, 4, 'payments.refund'),
    ]);
    expect(found?.approval.id).toBe('apr_near');
    expect(found?.changes).toEqual([{ path: 'amount', before: 1500, after: 5000 }]);
  });

  it('prefers the most recent on a tie, and finds none without candidates', () => {
    const found = closestApproved(asked, [
      approval('apr_old', { amount: 1, to: 'ACME' }, 1),
      approval('apr_new', { amount: 2, to: 'ACME' }, 5),
    ]);
    expect(found?.approval.id).toBe('apr_new');
    expect(closestApproved(asked, [asked])).toBeUndefined();
  });
});
