import { describe, expect, it } from 'vitest';
import { checkPolicy, compilePolicy } from './compile.js';
import { decide } from './decide.js';

const source = (rules: string) => `version: 1
tools:
  crm.lookup: { categories: [read] }
  crm.delete: { categories: [delete] }
agents:
  helper:
    owner: alice@example.com
    grants: [crm.*]
rules:
${rules}`;

describe('obligations in the policy language', () => {
  it('carries redact and withhold of the rules that applied in the decision', () => {
    const policy = compilePolicy(
      source(`  - id: redact-crm
    match: { tools: [crm.*] }
    effect: allow
    redact: [pii]
  - id: withhold-secrets
    effect: allow
    withhold: [secret, injection_suspected]
    redact: [secret]
`),
    );
    expect(decide(policy, { agent: 'helper', tool: 'crm.lookup' }).obligations).toEqual({
      redact: ['pii', 'secret'],
      withhold: ['secret', 'injection_suspected'],
      rules: ['redact-crm', 'withhold-secrets'],
    });
  });

  it('keeps the obligation of an allow rule whose condition fails (fail closed)', () => {
    const policy = compilePolicy(
      source(`  - id: redact-when-external
    effect: allow
    when: args.audience.startsWith("ext")
    redact: [email]
`),
    );
    const decision = decide(policy, { agent: 'helper', tool: 'crm.lookup', args: {} });
    expect(decision.effect).toBe('allow');
    expect(decision.obligations?.redact).toEqual(['email']);
  });

  it('adds nothing to decisions when no rule has obligations', () => {
    const policy = compilePolicy(source('  - id: plain\n    effect: allow\n'));
    expect(decide(policy, { agent: 'helper', tool: 'crm.lookup' })).not.toHaveProperty('obligations');
  });

  it('rejects an obligation on a deny rule, pointing at the key', () => {
    const { diagnostics } = checkPolicy({
      name: 'p.yaml',
      text: source(`  - id: no-delete
    match: { tools: [crm.delete] }
    effect: deny
    redact: [pii]
`),
    });
    expect(diagnostics).toContainEqual(
      expect.objectContaining({
        severity: 'error',
        code: 'GH_POLICY_SCHEMA',
        line: 13,
        message: expect.stringMatching(/redact/),
      }),
    );
  });

  it('rejects a redaction class that does not exist', () => {
    const { policy, diagnostics } = checkPolicy({
      name: 'p.yaml',
      text: source(`  - id: typo
    effect: allow
    redact: [secrets]
`),
    });
    expect(policy).toBeUndefined();
    expect(diagnostics[0]).toMatchObject({ severity: 'error', code: 'GH_POLICY_SCHEMA', line: 12 });
  });
});

describe('withhold labels', () => {
  it('warns about a label nothing sets, which would withhold nothing', () => {
    const { diagnostics } = checkPolicy([
      {
        name: 'p.yaml',
        text: [
          'version: 1',
          'tools:',
          '  crm.lookup: { categories: [read], labels: [confidential] }',
          'rules:',
          '  - id: typo',
          '    match: { tools: [crm.lookup] }',
          '    effect: allow',
          '    withhold: [secrets, confidential, injection_suspected]',
          '',
        ].join('\n'),
      },
    ]);
    const warnings = diagnostics.filter((d) => d.code === 'GH_POLICY_NEVER_APPLIES');
    expect(warnings.map((d) => d.message)).toEqual([expect.stringContaining("withhold label 'secrets'")]);
  });
});
