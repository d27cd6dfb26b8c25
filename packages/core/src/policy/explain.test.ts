import { describe, expect, it } from 'vitest';
import { compilePolicy } from './compile.js';
import { explain } from './explain.js';

const policy = compilePolicy({
  name: 'p.yaml',
  text: `version: 1
tools:
  email.send: { categories: [external_communication] }
  db.delete: { categories: [delete], resource: { env: production } }
agents:
  bot: { owner: o@example.com, grants: [email.send, db.delete] }
  idle: { owner: o@example.com, grants: [email.send], status: suspended }
rules:
  - id: no-prod-delete
    match: { categories: [delete] }
    when: resource.env == "production"
    effect: deny
  - id: only-ops
    match: { agents: [ops-*] }
    effect: deny
  - id: tainted
    match: { labels: [untrusted] }
    effect: approve
  - id: ext
    match: { tools: [email.send] }
    when: '!args.to.all(r, r.endsWith("@example.com"))'
    effect: approve
  - id: broken
    match: { tools: [email.send] }
    when: args.nothing.here == 1
    effect: allow
`,
});

describe('explain', () => {
  it('says for every rule whether it applied and why not', () => {
    const { decision, rules } = explain(policy, {
      agent: 'bot',
      tool: 'email.send',
      args: { to: ['x@elsewhere.org'] },
    });
    expect(decision.effect).toBe('approve');
    expect(rules.map((r) => [r.id, r.applied, r.stage])).toEqual([
      ['no-prod-delete', false, 'match'],
      ['only-ops', false, 'match'],
      ['tainted', false, 'match'],
      ['ext', true, 'when'],
      ['broken', false, 'when'],
    ]);
    expect(rules[0]?.why).toBe("tool 'email.send' has categories [external_communication], none of [delete]");
    expect(rules[1]?.why).toBe("agent 'bot' is not matched by [ops-*]");
    expect(rules[2]?.why).toBe('the request carries no labels, none of [untrusted]');
    expect(rules[3]?.why).toContain('its condition holds');
    expect(rules[4]?.why).toContain('counts as not holding');
    expect(rules[0]?.location).toEqual({ file: 'p.yaml', line: 9, column: 5 });
  });

  it('says that a false condition is why a rule did not apply', () => {
    const { rules } = explain(policy, { agent: 'bot', tool: 'email.send', args: { to: ['a@example.com'] } });
    expect(rules.find((r) => r.id === 'ext')).toMatchObject({
      applied: false,
      stage: 'when',
      why: expect.stringContaining('is false'),
    });
  });

  it('marks every rule as skipped when the request is refused before rules run', () => {
    const { decision, rules } = explain(policy, { agent: 'idle', tool: 'email.send', args: { to: [] } });
    expect(decision.code).toBe('agent-suspended');
    expect(rules.every((r) => r.stage === 'skipped' && !r.applied)).toBe(true);
    expect(rules[0]?.why).toBe("not evaluated: agent 'idle' is suspended");
  });
});
