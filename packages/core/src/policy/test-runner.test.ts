import { describe, expect, it } from 'vitest';
import { compilePolicy } from './compile.js';
import { runPolicyTests } from './test-runner.js';

const head = `version: 1
tools:
  db.delete: { categories: [delete], resource: { env: production } }
  db.query: { categories: [read], resource: { env: production } }
agents:
  ops: { owner: o@example.com, grants: [db.*] }
rules:
  - id: no-prod-delete
    match: { categories: [delete] }
    when: resource.env == "production"
    effect: deny
  - id: night
    when: now.getHours("UTC") < 6
    effect: approve
tests:
`;

describe('runPolicyTests', () => {
  it('passes cases whose effect and applied rules are as expected', () => {
    const policy = compilePolicy({
      name: 'p.yaml',
      text: `${head}  - name: delete is denied\n    request: { agent: ops, tool: db.delete }\n    expect: deny\n    applies: [no-prod-delete]\n  - name: night query waits\n    request: { agent: ops, tool: db.query, now: "2026-01-01T03:00:00Z" }\n    expect: approve\n  - name: day query runs\n    request: { agent: ops, tool: db.query, now: "2026-01-01T13:00:00+02:00" }\n    expect: allow\n`,
    });
    const results = runPolicyTests(policy);
    expect(results.map((r) => [r.name, r.passed])).toEqual([
      ['delete is denied', true],
      ['night query waits', true],
      ['day query runs', true],
    ]);
  });

  it('fails a case with the wrong effect and says what happened instead', () => {
    const policy = compilePolicy({
      name: 'p.yaml',
      text: `${head}  - name: wrong\n    request: { agent: ops, tool: db.delete, now: "2026-01-01T12:00:00Z" }\n    expect: allow\n`,
    });
    const [result] = runPolicyTests(policy);
    expect(result).toMatchObject({ passed: false, expected: 'allow', actual: 'deny' });
    expect(result?.failure).toContain("denied by rule 'no-prod-delete'");
    expect(result?.location).toEqual({ file: 'p.yaml', line: 16, column: 5 });
  });

  it('fails a case whose expected rule did not apply even if the effect matches', () => {
    const policy = compilePolicy({
      name: 'p.yaml',
      text: `${head}  - name: right effect, wrong reason\n    request: { agent: ops, tool: db.query, now: "2026-01-01T03:00:00Z" }\n    expect: approve\n    applies: [no-prod-delete]\n`,
    });
    expect(runPolicyTests(policy)[0]?.failure).toBe(
      'expected rule(s) no-prod-delete to apply; applied: night',
    );
  });
});
