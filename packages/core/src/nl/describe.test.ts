import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../policy/compile.js';
import { describeRule } from './describe.js';
import { conditionCel } from './meaning.js';

const policy = compilePolicy(`version: 1
tools:
  pay: { categories: [financial] }
rules:
  - { id: big, match: { categories: [financial] }, when: args.amount > 1000, effect: approve, approval: { approvers: 2 } }
  - { id: payees, match: { categories: [financial] }, require: { origin: { to: [user_input] } }, effect: deny }
  - { id: odd, when: 'size(args) > 3', effect: deny }
  - id: outside
    match: { categories: [financial] }
    when: ${JSON.stringify(conditionCel({ kind: 'recipients', arg: 'to', scope: 'outside', domain: 'example.com', list: true }))}
    effect: approve
  - { id: old-pattern, when: '!args.to.all(r, r.matches("^[^@,;<>\\\\s]+@example\\\\.com$"))', effect: deny }
  - { id: macro, when: '!args.to.all(r, !email(r).routed && email(r).domain == "example.com") && args.amount > 10', effect: deny }
  - { id: daily, match: { agents: [finance-agent], categories: [financial] }, effect: deny, quota: { max: 3, per: 1d } }
  - { id: hourly, match: { tools: [pay] }, when: args.amount > 100, effect: approve, quota: { max: 50, per: 2h } }
  - { id: never, match: { tools: [pay] }, effect: deny, quota: { max: 0, per: 1h } }
  - { id: hours, when: '!(now.getHours("UTC") >= 9 && now.getHours("UTC") < 17) && args.amount > 10', effect: deny }
`);
const sentence = (id: string) =>
  describeRule(policy.rules.find((r) => r.id === id) as (typeof policy.rules)[number]);

describe('describeRule', () => {
  it('renders thresholds and approvals in words', () => {
    expect(sentence('big')).toBe('Every agent must get 2 approvals to move money when amount is over 1,000.');
  });
  it('renders a require clause as an exception', () => {
    expect(sentence('payees')).toBe('No agent may move money unless to came from the user.');
  });
  it('renders the recipient condition the compiler writes, and quotes one written with another pattern', () => {
    expect(sentence('outside')).toBe(
      'Every agent must get 1 approval to move money when a to address is outside example.com.',
    );
    expect(sentence('old-pattern')).toContain('`!args.to.all(');
  });
  it('splits a condition only at its top-level &&, never inside a macro or a negated group', () => {
    expect(sentence('macro')).toBe(
      'No agent may call any tool when `!args.to.all(r, !email(r).routed && email(r).domain == "example.com")` holds and amount is over 10.',
    );
    expect(sentence('hours')).toBe(
      'No agent may call any tool when it is outside business hours (09:00–17:00 UTC) and amount is over 10.',
    );
  });
  it('renders a quota as a count per period', () => {
    expect(sentence('daily')).toBe('The agent finance-agent may move money at most 3 times per day.');
    expect(sentence('hourly')).toBe(
      'Every agent must get 1 approval to call pay more than 50 times per 2 hours when amount is over 100.',
    );
    expect(sentence('never')).toBe('No agent may call pay.');
  });
  it('quotes a condition it has no words for instead of guessing', () => {
    expect(sentence('odd')).toBe('No agent may call any tool when `size(args) > 3` holds.');
  });
});
