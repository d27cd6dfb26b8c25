import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../policy/compile.js';
import { decide } from '../policy/decide.js';
import { runPolicyTests } from '../policy/test-runner.js';
import { argumentContentLabels, decideAsThePath, explainAsThePath, prepareAsThePath } from './offline.js';

const QUICKSTART = new URL('../../../../examples/quickstart/policy.yaml', import.meta.url);
const quickstart = compilePolicy({ name: 'policy.yaml', text: readFileSync(QUICKSTART, 'utf8') });
const TOKEN = 'ghp_4Vq8ZrT2mXb9LkP0sW3nYd7HcJ5fGu1eAa6R';
const sendToken = {
  agent: 'email-assistant',
  tool: 'email.send',
  args: { to: ['bob@example.com'], subject: 'the key', body: `here it is: ${TOKEN}` },
  // The user named the recipient: only the credential in the body is at stake.
  origin: { 'to[0]': ['user_input'] },
};

describe('deciding offline as the enforcement path does', () => {
  it('labels an argument holding a credential, so no-secrets-out refuses it as the server does', () => {
    // The bare decision point sees no provenance: it is the path that reads the arguments.
    expect(decide(quickstart, sendToken).effect).toBe('allow');
    const decision = decideAsThePath(quickstart, sendToken);
    expect(decision.effect).toBe('deny');
    expect(decision.rules.map((r) => r.id)).toContain('no-secrets-out');
    const explanation = explainAsThePath(quickstart, sendToken);
    expect(explanation.decision.effect).toBe('deny');
    expect(explanation.rules.find((r) => r.id === 'no-secrets-out')?.applied).toBe(true);
  });

  it("refuses arguments the tool's schema refuses, before any rule", () => {
    const missing = { agent: 'finance-agent', tool: 'payments.transfer', args: { to: 'ACME' } };
    const decision = decideAsThePath(quickstart, missing);
    expect(decision).toMatchObject({ effect: 'deny', code: 'invalid-request' });
    expect(decision.reasons[0]).toContain("missing required property 'amount'");
    const explanation = explainAsThePath(quickstart, missing);
    expect(explanation.rules.every((r) => r.stage === 'skipped')).toBe(true);
    // Turned off explicitly, the rule beneath the schema decides.
    expect(decideAsThePath(quickstart, missing, { validate: false }).effect).toBe('approve');
  });

  it('keeps the provenance a request states and joins what the detectors find', () => {
    const prepared = prepareAsThePath(quickstart, { ...sendToken, provenance: { 'to[0]': ['untrusted'] } });
    expect(prepared.ok && prepared.request.provenance).toMatchObject({
      'to[0]': expect.arrayContaining(['untrusted']),
      body: expect.arrayContaining(['secret']),
    });
  });

  it('runs policy tests through the same steps: a test cannot pass what the server refuses', () => {
    const policy = compilePolicy({
      name: 'p.yaml',
      text: `version: 1
tools:
  email.send:
    categories: [external_communication]
    schema: { type: object, required: [to], properties: { to: { type: string } } }
agents:
  a: { owner: o@example.com, grants: [email.send] }
rules:
  - id: no-secrets-out
    match: { categories: [external_communication] }
    when: 'provenance.exists(p, "secret" in provenance[p])'
    effect: deny
tests:
  - name: a token in the body is allowed
    request: { agent: a, tool: email.send, args: { to: b@example.com, body: "${TOKEN}" } }
    expect: allow
  - name: a number as recipient is allowed
    request: { agent: a, tool: email.send, args: { to: 42 } }
    expect: allow
  - name: beneath the schema, a number as recipient is allowed
    request: { agent: a, tool: email.send, args: { to: 42 } }
    validate: false
    expect: allow
`,
    });
    expect(runPolicyTests(policy).map((r) => [r.name, r.passed, r.actual])).toEqual([
      ['a token in the body is allowed', false, 'deny'],
      ['a number as recipient is allowed', false, 'deny'],
      ['beneath the schema, a number as recipient is allowed', true, 'allow'],
    ]);
  });
});

describe('argumentContentLabels, asked again', () => {
  it('labels a repeated argument as the first time, with a list no caller can change', () => {
    const body = `deploy with ${TOKEN} please`;
    const first = argumentContentLabels(body);
    expect(first).toContain('secret');
    expect(() => (first as string[]).push('clean')).toThrow(TypeError);
    expect(argumentContentLabels(body)).toEqual(first);
    expect(argumentContentLabels('lunch on Friday')).toEqual([]);
  });
});
