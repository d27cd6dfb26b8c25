import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../policy/compile.js';
import { compileSentence } from './compile-sentence.js';
import { ruleFromMeaning } from './emit-rule.js';
import { vocabularyOf } from './vocabulary.js';

const quickstart = readFileSync(
  new URL('../../../../examples/quickstart/policy.yaml', import.meta.url),
  'utf8',
);
const vocabulary = vocabularyOf(compilePolicy({ name: 'policy.yaml', text: quickstart }));

function rule(sentence: string) {
  const r = compileSentence(sentence, vocabulary);
  if (!r.ok) throw new Error(`refused: ${r.refusal.message}`);
  if (r.meanings.length !== 1) throw new Error(`${r.meanings.length} rules`);
  return ruleFromMeaning(r.meanings[0] as (typeof r.meanings)[number], 'r');
}
function refusal(sentence: string) {
  const r = compileSentence(sentence, vocabulary);
  if (r.ok) throw new Error(`compiled: ${JSON.stringify(r.meanings.map((m) => ruleFromMeaning(m, 'r')))}`);
  return r.refusal;
}

describe('compileSentence on the seed sentences', () => {
  it('denies deleting production databases and leaves reading to the grants', () => {
    expect(rule('Agents can read but not delete production databases')).toMatchObject({
      match: { categories: ['delete'] },
      when: 'has(resource.env) && resource.env == "production"',
      effect: 'deny',
    });
  });
  it('asks a person for communication outside the company domain', () => {
    expect(rule('All external communications require human approval')).toMatchObject({
      match: { categories: ['external_communication'] },
      when: '!args.to.all(r, r.lowerAscii().matches("^[^@,;<>\\\\s%!]+@example\\\\.com$"))',
      effect: 'approve',
      approval: { approvers: 1 },
    });
  });
  it('reads $1,000 as a threshold and dual authorization as two approvers', () => {
    expect(rule('Financial transactions over $1,000 require dual authorization')).toMatchObject({
      match: { categories: ['financial'] },
      when: 'args.amount > 1000',
      effect: 'approve',
      approval: { approvers: 2 },
    });
  });
  it('resolves "financial systems" to the finance and payments tools', () => {
    expect(rule('The email assistant cannot access financial systems')).toMatchObject({
      match: { agents: ['email-assistant'], tools: ['payments.*', 'finance.*'] },
      effect: 'deny',
    });
  });
  it('turns "came only from an email" into the provenance of the recipient the user did not give', () => {
    expect(rule('Never send email to an address that came only from an email')).toMatchObject({
      when: '"untrusted" in provenance["to"] && !("user_input" in origin["to"])',
      effect: 'deny',
    });
  });
  it('turns "only … the user gave" into a require clause', () => {
    expect(rule('Only pay accounts the user gave')).toMatchObject({
      match: { categories: ['financial'] },
      require: { origin: { to: ['user_input'] } },
      effect: 'deny',
    });
    expect(
      rule('Only pay accounts the user gave or a trusted tool returned, otherwise ask a person'),
    ).toMatchObject({
      require: { origin: { to: ['user_input', 'trusted'] } },
      effect: 'approve',
    });
  });
});

describe('compileSentence on the common shapes', () => {
  it('takes approvals from a named group', () => {
    expect(rule('Payments over 5k need two approvals from the finance group')).toMatchObject({
      when: 'args.amount > 5000',
      approval: { approvers: 2, groups: ['finance'] },
    });
  });
  it('puts an exemption in the condition', () => {
    expect(rule('Agents may not send email outside the company except the email assistant').when).toContain(
      '!(agent.name in ["email-assistant"])',
    );
  });
  it('reads "only X may" as a deny for everyone else', () => {
    expect(rule('Only the ops agent may delete production databases')).toMatchObject({
      when: '!(agent.name in ["ops-agent"]) && has(resource.env) && resource.env == "production"',
      effect: 'deny',
    });
  });
  it('reads time windows, days, freezes and session labels', () => {
    expect(rule('Agents cannot delete email on weekends').when).toBe('now.getDayOfWeek("UTC") in [0, 6]');
    expect(rule('No agent may delete anything during a change freeze').when).toBe(
      'has(resource.state) && resource.state == "frozen"',
    );
    expect(rule('Agents must not send email after reading confidential data').when).toBe(
      '"confidential" in session.labels',
    );
  });
  it('negates the condition of "only" sentences', () => {
    expect(rule('The email assistant may only send email to example.com')).toMatchObject({
      when: '!args.to.all(r, r.lowerAscii().matches("^[^@,;<>\\\\s%!]+@example\\\\.com$"))',
      effect: 'deny',
    });
  });
  it('names only the tools it sees today in an allow rule', () => {
    expect(rule('The ops agent may delete production databases')).toMatchObject({
      match: { agents: ['ops-agent'], tools: ['orders_db.delete', 'sandbox_db.delete'] },
      effect: 'allow',
    });
  });
});

describe('compileSentence refuses what it cannot compile whole', () => {
  it('names the words it did not understand, with suggestions from the vocabulary', () => {
    const r = refusal('The email asistant cannot delete production databases');
    expect(r.code).toBe('GH_NL_UNPARSED');
    expect(r.unparsed).toContain('asistant');
    expect(r.suggestions).toContain('email assistant');
  });
  it('refuses a sentence without an effect', () => {
    expect(refusal('Payments over $1,000').code).toBe('GH_NL_NO_EFFECT');
  });
  it('refuses sums per period, which a rule cannot state', () => {
    expect(refusal('Agents cannot pay more than 500 dollars per day').code).toBe('GH_NL_UNSUPPORTED');
  });
  it('refuses a tool the catalog does not have', () => {
    expect(refusal('Agents cannot run code').code).toBe('GH_NL_NO_TOOL');
  });
  it('refuses a group too small for the approvals it asks', () => {
    expect(refusal('Payments need 3 approvals from finance').message).toContain('never be given');
  });
  it('refuses characters outside the grammar instead of passing them into CEL', () => {
    expect(refusal('Agents cannot delete "x" || true').code).toBe('GH_NL_UNPARSED');
  });
});

describe('compileSentence on times', () => {
  it('reads whole hours with am/pm or minutes', () => {
    expect(rule('Payments are only allowed between 9am and 5pm').when).toBe(
      '!(now.getHours("UTC") >= 9 && now.getHours("UTC") < 17)',
    );
    expect(rule('Agents cannot pay after 6pm').when).toBe(
      'now.getHours("UTC") >= 18 && now.getHours("UTC") < 24',
    );
  });
  it('refuses a time it cannot state exactly, and a bare number that may be a count', () => {
    expect(refusal('Agents cannot pay after 6:30pm').code).toBe('GH_NL_UNPARSED');
    expect(refusal('Agents cannot pay after 20').code).toBe('GH_NL_UNPARSED');
  });
});
