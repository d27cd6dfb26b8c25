import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ApprovalRequirement } from '../policy/types.js';
import {
  type ApprovalRecord,
  canonicalHash,
  castVote,
  effectiveStatus,
  expire,
  requirementsHash,
  spend,
  stillApproved,
  type Voter,
} from './approval.js';

const GROUPS = new Map([['finance', ['carol@example.com', 'dave@example.com', 'fiona@example.com']]]);
const requirement = (overrides: Partial<ApprovalRequirement> = {}): ApprovalRequirement => ({
  rule: 'dual',
  approvers: 2,
  groups: ['finance'],
  timeoutMs: 60_000,
  denials: 1,
  allowSelfApproval: false,
  ...overrides,
});
const record = (requirements: ApprovalRequirement[] = [requirement()]): ApprovalRecord => ({
  id: 'apr_1',
  status: 'pending',
  version: 0,
  agent: { id: 'agt_1', name: 'finance-agent', owner: 'fiona@example.com' },
  user: { id: 'erin@example.com' },
  tool: 'payments.transfer',
  args: { amount: 1500, to: 'ACME' },
  argsHash: canonicalHash({ amount: 1500, to: 'ACME' }),
  decisionId: 'dec_1',
  rules: [{ id: 'dual', effect: 'approve', message: 'two people' }],
  requirements,
  requirementsHash: requirementsHash(requirements),
  votes: [],
  createdAt: 0,
  expiresAt: 60_000,
});
const person = (name: string, roles = ['approver']): Voter => ({
  id: `usr_${name}`,
  email: `${name}@example.com`,
  roles,
});
const approve = { vote: 'approve' as const };

describe('canonicalHash', () => {
  it('is the same for the same JSON whatever the key order, and differs for different values', () => {
    expect(canonicalHash({ a: 1, b: [1, 2] })).toBe(canonicalHash({ b: [1, 2], a: 1 }));
    expect(canonicalHash({ amount: 1500 })).not.toBe(canonicalHash({ amount: 1501 }));
    expect(canonicalHash({ amount: 1500 })).not.toBe(canonicalHash({ amount: '1500' }));
  });

  it('follows RFC 8785 for numbers (1.0 and 1 are one value) and escapes', () => {
    expect(canonicalHash({ n: 1.0 })).toBe(canonicalHash({ n: 1 }));
    // The RFC's example digest input: numbers in ES6 form, keys sorted by UTF-16 code units.
    expect(canonicalHash({ b: 1e21, a: 'é' })).toBe(canonicalHash(JSON.parse('{"a":"\\u00e9","b":1e+21}')));
  });

  it('is insensitive to key order for any JSON object (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (object) => {
        const reversed = Object.fromEntries(Object.entries(object).reverse());
        expect(canonicalHash(reversed)).toBe(canonicalHash(object));
      }),
    );
  });
});

describe('castVote', () => {
  it('needs M distinct approvers: one vote is not enough, the second releases it', () => {
    const first = castVote(record(), person('carol'), approve, GROUPS, 1);
    expect(first.ok && first.record.status).toBe('pending');
    if (!first.ok) return;
    const again = castVote(first.record, person('carol'), approve, GROUPS, 2);
    expect(again).toMatchObject({ ok: false, code: 'already-voted' });
    const second = castVote(first.record, person('dave'), approve, GROUPS, 3);
    expect(second.ok && second.record).toMatchObject({ status: 'approved', version: 2, decidedAt: 3 });
  });

  it('refuses people without the approver role, outside the groups, and the agent’s owner', () => {
    expect(castVote(record(), person('carol', ['admin']), approve, GROUPS, 1)).toMatchObject({
      ok: false,
      code: 'not-an-approver',
    });
    expect(castVote(record(), person('mallory'), approve, GROUPS, 1)).toMatchObject({
      ok: false,
      code: 'not-in-group',
    });
    expect(castVote(record(), person('fiona'), approve, GROUPS, 1)).toMatchObject({
      ok: false,
      code: 'self-approval',
    });
  });

  it('refuses the user the agent acts for, unless the policy allows self-approval', () => {
    const open = record([requirement({ groups: [], approvers: 1 })]);
    expect(castVote(open, person('erin'), approve, GROUPS, 1)).toMatchObject({ code: 'self-approval' });
    const allowed = record([requirement({ groups: [], approvers: 1, allowSelfApproval: true })]);
    expect(castVote(allowed, person('erin'), approve, GROUPS, 1)).toMatchObject({
      ok: true,
      record: { status: 'approved' },
    });
  });

  it('denies on one deny vote by default, and on N when the rule says denials: N', () => {
    const denied = castVote(record(), person('dave'), { vote: 'deny', comment: 'wrong account' }, GROUPS, 1);
    expect(denied.ok && denied.record).toMatchObject({ status: 'denied' });
    expect(denied.ok && denied.record.votes[0]?.comment).toBe('wrong account');

    const twoDenials = record([requirement({ denials: 2 })]);
    const one = castVote(twoDenials, person('dave'), { vote: 'deny' }, GROUPS, 1);
    expect(one.ok && one.record.status).toBe('pending');
    if (!one.ok) return;
    const two = castVote(one.record, person('carol'), { vote: 'deny' }, GROUPS, 2);
    expect(two.ok && two.record.status).toBe('denied');
  });

  it('refuses everyone when the user the agent acts for is known only by an opaque id', () => {
    const opaque = { ...record([requirement({ groups: [], approvers: 1 })]), user: { id: '00u1erinOkta' } };
    expect(castVote(opaque, person('dave'), approve, GROUPS, 1)).toMatchObject({ code: 'self-approval' });
    const named = { ...opaque, user: { id: '00u1erinOkta', email: 'erin@example.com' } };
    expect(castVote(named, person('dave'), approve, GROUPS, 1)).toMatchObject({ ok: true });
    expect(castVote(named, person('erin'), approve, GROUPS, 1)).toMatchObject({ code: 'self-approval' });
  });

  it('refuses the owner of an agent that delegated the call, whatever the case of the address', () => {
    const delegated = { ...record(), delegationOwners: [' Dave@Example.com'] };
    expect(castVote(delegated, person('dave'), approve, GROUPS, 1)).toMatchObject({ code: 'self-approval' });
  });

  it('stops counting a vote once its voter leaves the group', () => {
    const first = castVote(record(), person('carol'), approve, GROUPS, 1);
    expect(first.ok).toBe(true);
    const without = new Map([['finance', ['dave@example.com', 'fiona@example.com', 'gina@example.com']]]);
    // Carol left finance: Dave's vote is the first that counts, so it is not yet approved.
    const second = castVote(first.ok ? first.record : record(), person('dave'), approve, without, 2);
    expect(second.ok && second.record.status).toBe('pending');
    // And an approval that was complete no longer holds when a voter leaves before it is spent.
    const both = castVote(first.ok ? first.record : record(), person('dave'), approve, GROUPS, 2);
    expect(both.ok && stillApproved(both.record, GROUPS)).toBe(true);
    expect(both.ok && stillApproved(both.record, without)).toBe(false);
  });

  it('counts one vote for every requirement the voter qualifies for', () => {
    const both = record([requirement({ rule: 'external', approvers: 1, groups: [] }), requirement()]);
    const carol = castVote(both, person('carol'), approve, GROUPS, 1);
    expect(carol.ok && carol.record.votes[0]?.counts).toEqual(['external', 'dual']);
    expect(carol.ok && carol.record.status).toBe('pending');
    // Someone outside finance can satisfy only the open requirement.
    const onlyOpen = castVote(both, person('olga'), approve, GROUPS, 1);
    expect(onlyOpen.ok && onlyOpen.record.votes[0]?.counts).toEqual(['external']);
  });

  it('takes no votes after the deadline, and an unused approval lapses', () => {
    expect(castVote(record(), person('carol'), approve, GROUPS, 60_000)).toMatchObject({
      ok: false,
      code: 'not-pending',
    });
    const approved: ApprovalRecord = { ...record(), status: 'approved' };
    expect(effectiveStatus(approved, 59_999)).toBe('approved');
    expect(effectiveStatus(approved, 60_000)).toBe('expired');
    expect(expire(approved, 60_000)).toMatchObject({ status: 'expired', version: 1 });
    expect(spend(approved, 60_000)).toBeUndefined();
  });

  it('spends an approved record once', () => {
    const approved: ApprovalRecord = { ...record(), status: 'approved' };
    const used = spend(approved, 10);
    expect(used).toMatchObject({ status: 'used', usedAt: 10, version: 1 });
    expect(used && spend(used, 11)).toBeUndefined();
  });

  it('never reaches approved with fewer than M distinct eligible approvals (property)', () => {
    const people = ['carol', 'dave', 'fiona', 'mallory', 'olga'].map((n) => person(n));
    fc.assert(
      fc.property(
        fc.array(fc.record({ who: fc.integer({ min: 0, max: 4 }), deny: fc.boolean() }), { maxLength: 12 }),
        (ballots) => {
          let current = record();
          for (const [i, b] of ballots.entries()) {
            const result = castVote(
              current,
              people[b.who]!,
              { vote: b.deny ? 'deny' : 'approve' },
              GROUPS,
              i,
            );
            if (result.ok) current = result.record;
          }
          const approvers = new Set(current.votes.filter((v) => v.vote === 'approve').map((v) => v.email));
          if (current.status === 'approved') {
            expect(approvers.size).toBeGreaterThanOrEqual(2);
            expect(approvers.has('fiona@example.com')).toBe(false);
            expect(current.votes.some((v) => v.vote === 'deny')).toBe(false);
          }
          expect(new Set(current.votes.map((v) => v.email)).size).toBe(current.votes.length);
        },
      ),
    );
  });
});
