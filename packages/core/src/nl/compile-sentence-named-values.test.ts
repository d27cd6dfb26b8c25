import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../policy/compile.js';
import { type DecisionExtra, decisionsOn } from './sentence-decisions.fixture.js';
import { vocabularyOf } from './vocabulary.js';

// The origin of an argument said by its noun (the SQL, the subject line, the body) rather than
// of a recipient or an account. A small catalog: one tool takes SQL, one takes mail.
const POLICY = `
version: 1
tools:
  warehouse.query:
    categories: [read]
    resource: { system: warehouse, env: production }
    schema: { type: object, properties: { sql: { type: string } } }
  warehouse.drop: { categories: [delete], resource: { system: warehouse, env: production } }
  mail.send:
    categories: [external_communication]
    resource: { system: mail, env: saas }
    schema:
      type: object
      properties:
        to: { type: array, items: { type: string } }
        subject: { type: string }
        body: { type: string }
  mail.fetch: { categories: [read], labels: [untrusted], resource: { system: mail, env: saas } }
agents:
  analyst: { owner: ann@example.com, grants: ["*"] }
groups:
  data: [dan@example.com]
`;
const vocabulary = vocabularyOf(compilePolicy({ name: 'policy.yaml', text: POLICY }));
const decider = (sentence: string) => {
  const d = decisionsOn(POLICY, vocabulary, sentence);
  return (tool: string, args: Record<string, unknown>, extra: DecisionExtra = {}) =>
    d('analyst', tool, args, extra).effect;
};
const SQL = { sql: 'SELECT 1' };

describe('the origin of a named argument', () => {
  it('"unless the SQL came from the user" requires the user as the origin of the SQL', () => {
    const d = decider(
      'Warehouse queries need approval from the data group unless the SQL came from the user.',
    );
    expect(d('warehouse.query', SQL, { origin: { sql: ['user_input'] } })).toBe('allow');
    expect(d('warehouse.query', SQL, { origin: { sql: ['mail.fetch'] } })).toBe('approve');
    expect(d('warehouse.drop', {})).toBe('allow');
  });
  it('"SQL the model wrote itself, rather than the user typing it" is SQL no origin vouches for', () => {
    const d = decider('SQL that the model wrote itself, rather than the user typing it, is denied.');
    expect(d('warehouse.query', SQL)).toBe('deny');
    expect(d('warehouse.query', SQL, { origin: { sql: ['user_input'] } })).toBe('allow');
  });
  it('"if the model came up with the recipient on its own" asks for that mail', () => {
    const d = decider('If the model came up with the recipient on its own, sending needs approval.');
    const mail = { to: ['x@example.com'], subject: 's', body: 'b' };
    expect(d('mail.send', mail)).toBe('approve');
    expect(d('mail.send', mail, { origin: { 'to[0]': ['user_input'] } })).toBe('allow');
  });
  it('"message bodies copied from an email" is the body argument, labelled by its source', () => {
    const d = decider('Message bodies copied from an email are not allowed.');
    const mail = { to: ['x@example.com'], subject: 's', body: 'b' };
    expect(d('mail.send', mail, { provenance: { body: ['untrusted'] } })).toBe('deny');
    expect(d('mail.send', mail, { origin: { body: ['user_input'] } })).toBe('allow');
  });
});
