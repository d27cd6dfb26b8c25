import { describe, expect, it } from 'vitest';
import { decider, mail, refusal } from './eval-set.fixture.js';

// Wordings of the tenth blind set (round 13). The evaluation set's policy has no rules, so each
// decision is the sentence's alone.
describe('an agent said by the word of its name and "agent"', () => {
  it.each(['The email bot must never delete emails.', 'The email agent must never delete emails.'])(
    '"%s" is the email assistant: the one agent named for email',
    (sentence) => {
      const d = decider(sentence);
      expect(d('email-assistant', 'email.delete')).toBe('deny');
      expect(d('ops-agent', 'email.delete')).toBe('allow');
      expect(d('email-assistant', 'email.send', mail('bob@example.com'))).toBe('allow');
    },
  );
  it('"the operations agent" is the ops agent', () => {
    const d = decider('The operations agent may not delete anything.');
    expect(d('ops-agent', 'orders_db.delete')).toBe('deny');
    expect(d('finance-agent', 'orders_db.delete')).toBe('allow');
  });
  it.each([
    'The support agent must never delete emails.',
    'The billing agent must never delete emails.',
    'The orders agent must never delete emails.',
    'The inbox agent must never delete emails.',
    'The sandbox agent may not delete anything.',
    'The production agent may not delete anything.',
  ])('refuses "%s": an agent the policy does not name is not every agent', (sentence) => {
    expect(refusal(sentence).message).toMatch(/agent/);
  });
});
