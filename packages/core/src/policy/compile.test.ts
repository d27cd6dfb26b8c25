import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type Diagnostic, formatDiagnosticWithSource, PolicyCompileError } from '../errors.js';
import { checkPolicy, compilePolicy, MAX_POLICY_SOURCE_LENGTH } from './compile.js';

const BASE = `version: 1
tools:
  email.send: { categories: [external_communication] }
  db.delete: { categories: [delete], resource: { env: production } }
agents:
  bot: { owner: o@example.com, grants: [email.send, db.delete] }
`;

function diagnose(text: string, name = 'policy.yaml'): readonly Diagnostic[] {
  const { policy, diagnostics } = checkPolicy({ name, text });
  if (diagnostics.some((d) => d.severity === 'error')) expect(policy).toBeUndefined();
  return diagnostics;
}

const errors = (text: string) => diagnose(text).filter((d) => d.severity === 'error');
const warnings = (text: string) => diagnose(text).filter((d) => d.severity === 'warning');

describe('compilePolicy: bad input names the place and loads nothing', () => {
  it('reports malformed YAML with its line', () => {
    const [e, ...rest] = errors(`${BASE}rules:\n  - id: x\n    effect: [deny\n`);
    expect(rest).toEqual([]);
    expect(e).toMatchObject({ code: 'GH_POLICY_YAML', file: 'policy.yaml' });
    expect(e!.line).toBeGreaterThan(7);
  });

  it('reports an unknown key at the key, with a suggestion', () => {
    const [e] = errors(`${BASE}rules:\n  - id: x\n    efect: deny\n`).filter((d) =>
      d.message.includes('unknown key'),
    );
    expect(e).toMatchObject({ code: 'GH_POLICY_SCHEMA', line: 9, column: 5 });
    expect(e!.message).toBe("unknown key 'efect' in rules[0] (did you mean 'effect'?)");
  });

  it('reports a wrong type at the value', () => {
    const [e] = errors(`${BASE}rules:\n  - id: x\n    effect: deny\n    when: 42\n`);
    expect(e).toMatchObject({ code: 'GH_POLICY_SCHEMA', line: 10, column: 11 });
    expect(e!.message).toContain('rules[0].when must be string');
  });

  it('reports an unknown effect and category with the allowed values', () => {
    const list = errors(
      `${BASE}rules:\n  - id: x\n    match: { categories: [deleet] }\n    effect: forbid\n`,
    );
    expect(list.map((d) => d.message)).toEqual([
      expect.stringContaining('rules[0].match.categories[0] must be one of "read"'),
      expect.stringContaining('rules[0].effect must be one of "allow", "deny", "approve"'),
    ]);
  });

  it('requires version 1', () => {
    expect(errors('tools: {}\n')[0]?.message).toContain("missing required key 'version'");
    expect(errors('version: 2\n')[0]?.message).toContain('version must be one of 1');
  });

  it('reports a CEL syntax error at the column inside the condition', () => {
    const [e] = errors(`${BASE}rules:\n  - id: x\n    effect: deny\n    when: args.amount >\n`);
    expect(e).toMatchObject({ code: 'GH_POLICY_CEL_SYNTAX', line: 10, column: 24 });
    expect(e!.message).toContain("rule 'x'");
  });

  it('reports a reference to an undeclared variable', () => {
    const [e] = errors(`${BASE}rules:\n  - id: x\n    effect: deny\n    when: 'amount > 3'\n`);
    expect(e).toMatchObject({ code: 'GH_POLICY_CEL_TYPE', line: 10, column: 12 });
    expect(e!.message).toContain('Unknown variable: amount');
  });

  it('reports an unknown field of a fixed-shape variable', () => {
    const [e] = errors(`${BASE}rules:\n  - id: x\n    effect: deny\n    when: agent.nmae == "bot"\n`);
    expect(e?.code).toBe('GH_POLICY_CEL_TYPE');
    expect(e?.message).toContain("agent has no field 'nmae'");
  });

  it('does not mistake a comprehension variable for a fixed-shape variable', () => {
    const text = `${BASE}rules:\n  - id: x\n    effect: deny\n    when: 'args.to.exists(agent, agent.foo == 1)'\n`;
    expect(errors(text)).toEqual([]);
  });

  it('rejects a condition whose type is not bool', () => {
    expect(errors(`${BASE}rules:\n  - id: x\n    effect: deny\n    when: '1 + 2'\n`)[0]?.message).toContain(
      'must be a bool',
    );
  });

  it('rejects a tool glob that matches no catalog tool', () => {
    const [e] = errors(`${BASE}rules:\n  - id: x\n    match: { tools: [emial.*] }\n    effect: deny\n`);
    expect(e).toMatchObject({ code: 'GH_POLICY_GLOB_UNMATCHED', line: 9 });
    expect(e!.message).toContain("'emial.*'");
  });

  it('rejects duplicate rule ids at the second one, naming the first', () => {
    const [e] = errors(`${BASE}rules:\n  - id: x\n    effect: deny\n  - id: x\n    effect: allow\n`);
    expect(e).toMatchObject({ code: 'GH_POLICY_DUPLICATE', line: 10 });
    expect(e!.message).toContain('already declared at policy.yaml:8');
  });

  it('rejects the same tool declared in two files', () => {
    const { diagnostics } = checkPolicy([
      { name: 'a.yaml', text: BASE },
      { name: 'b.yaml', text: 'version: 1\ntools:\n  email.send: { categories: [read] }\n' },
    ]);
    expect(diagnostics).toEqual([
      expect.objectContaining({ code: 'GH_POLICY_DUPLICATE', file: 'b.yaml', line: 3 }),
    ]);
  });

  it('refuses a source over the size limit without parsing it', () => {
    const huge = `${BASE}# ${'x'.repeat(MAX_POLICY_SOURCE_LENGTH)}\n`;
    const [e] = errors(huge);
    expect(e).toMatchObject({ code: 'GH_POLICY_TOO_LARGE', line: 0 });
  });

  it('refuses an alias bomb', () => {
    const bomb = ['version: 1', 'a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 8; i++)
      bomb.push(
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`,
      );
    const [e] = errors(bomb.join('\n'));
    expect(e?.code).toBe('GH_POLICY_YAML');
  });

  it('refuses an empty source and an empty source list', () => {
    expect(errors('')[0]?.code).toBe('GH_POLICY_EMPTY');
    expect(checkPolicy([]).diagnostics[0]?.code).toBe('GH_POLICY_EMPTY');
  });

  it('checks approval settings: effect, groups and satisfiability', () => {
    const base = `${BASE}groups:\n  finance: [c@x.io]\nrules:\n`;
    const list = errors(
      `${base}  - id: a\n    effect: deny\n    approval: { approvers: 1 }\n` +
        `  - id: b\n    effect: approve\n    approval: { groups: [finanse] }\n` +
        `  - id: c\n    effect: approve\n    approval: { approvers: 2, groups: [finance] }\n` +
        `  - id: d\n    effect: approve\n    approval: { timeout: 30d }\n`,
    );
    expect(list.map((d) => d.code)).toEqual([
      'GH_POLICY_SCHEMA',
      'GH_POLICY_REFERENCE',
      'GH_POLICY_UNSATISFIABLE',
      'GH_POLICY_SCHEMA',
    ]);
  });

  it('checks that tests name declared agents and existing rules', () => {
    const list = errors(
      `${BASE}rules:\n  - id: r\n    effect: deny\ntests:\n  - name: t\n    request: { agent: ghost, tool: email.send }\n    expect: deny\n    applies: [nope]\n`,
    );
    expect(list.map((d) => d.message)).toEqual([
      expect.stringContaining("agent 'ghost'"),
      expect.stringContaining("rule 'nope'"),
    ]);
  });

  it('does not report a test naming a broken rule as naming a missing one', () => {
    const list = errors(
      `${BASE}rules:\n  - id: r\n    efect: deny\ntests:\n  - name: t\n    request: { agent: bot, tool: db.delete }\n    expect: deny\n    applies: [r]\n`,
    );
    expect(list.map((d) => d.message)).toEqual([
      expect.stringContaining("missing required key 'effect'"),
      expect.stringContaining("unknown key 'efect'"),
    ]);
  });

  it('reports every error of a file in one run, not only the first', () => {
    const list = errors(
      `${BASE}rules:\n  - id: a\n    efect: deny\n  - id: b\n    effect: deny\n    when: 'nope == 1'\n  - id: c\n    match: { tools: [zzz] }\n    effect: deny\n`,
    );
    expect(list.map((d) => d.code)).toEqual([
      'GH_POLICY_SCHEMA',
      'GH_POLICY_SCHEMA',
      'GH_POLICY_CEL_TYPE',
      'GH_POLICY_GLOB_UNMATCHED',
    ]);
  });

  it('rejects an invalid JSON Schema on a tool', () => {
    const [e] = errors(
      'version: 1\ntools:\n  t.x:\n    categories: [read]\n    schema: { type: not-a-type }\n',
    );
    expect(e?.message).toContain("tool 't.x' has an invalid JSON Schema");
  });

  it('refuses regular expressions that could make a decision take exponential time', () => {
    const rule = (when: string) =>
      `${BASE}rules:\n  - id: r\n    match: { tools: [email.send] }\n    when: '${when}'\n    effect: deny\n`;
    const problem = (when: string) => errors(rule(when))[0]?.message ?? '';
    expect(problem('args.subject.matches("^(a+)+$")')).toContain('exponential time');
    expect(problem('args.subject.matches(args.pattern)')).toContain('must be a string literal');
    expect(problem('matches(args.subject, args.pattern)')).not.toBe('');
    expect(problem('args.subject.matches("(?<=x)y")')).toContain('not an RE2 regular expression');
    expect(errors(rule('args.subject.matches("^INV-[0-9]+$")'))).toEqual([]);
  });

  it('reports a schema of another JSON Schema dialect as invalid, never throws', () => {
    const [e] = errors(
      'version: 1\ntools:\n  t.x:\n    categories: [read]\n    schema: { $schema: "http://json-schema.org/draft-07/schema#", type: object }\n',
    );
    expect(e?.message).toContain("tool 't.x' has an invalid JSON Schema");
  });

  it('throws PolicyCompileError carrying every diagnostic from compilePolicy', () => {
    let thrown: unknown;
    try {
      compilePolicy({ name: 'p.yaml', text: `${BASE}rules:\n  - id: a\n    efect: deny\n` });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(PolicyCompileError);
    const err = thrown as PolicyCompileError;
    expect(err.code).toBe('GH_POLICY_INVALID');
    expect(err.message).toMatch(/^p\.yaml:\d+:\d+: error: /);
    expect(err.diagnostics.length).toBeGreaterThanOrEqual(2);
  });

  it('renders a diagnostic with the source line and a caret under the column', () => {
    const [e] = errors(`${BASE}rules:\n  - id: x\n    efect: deny\n`).filter((d) =>
      d.message.includes('unknown key'),
    );
    expect(formatDiagnosticWithSource(e!)).toBe(
      "policy.yaml:9:5: error: unknown key 'efect' in rules[0] (did you mean 'effect'?)\n 9 |     efect: deny\n   |     ^",
    );
  });
});

describe('compilePolicy: warnings', () => {
  it('warns about a rule whose condition is always false', () => {
    const [w] = warnings(`${BASE}rules:\n  - id: x\n    effect: deny\n    when: 'false'\n`);
    expect(w).toMatchObject({ code: 'GH_POLICY_NEVER_APPLIES', line: 8 });
  });

  it('warns about a rule whose tools and categories select nothing together', () => {
    const [w] = warnings(
      `${BASE}rules:\n  - id: x\n    match: { tools: [email.*], categories: [delete] }\n    effect: deny\n`,
    );
    expect(w?.code).toBe('GH_POLICY_NEVER_APPLIES');
  });

  it('warns about a rule shadowed by an unconditional rule of higher precedence', () => {
    const list = warnings(
      `${BASE}rules:\n  - id: wide\n    match: { categories: [delete] }\n    effect: deny\n  - id: narrow\n    match: { tools: [db.delete] }\n    when: 'true'\n    effect: approve\n`,
    );
    expect(list).toEqual([
      expect.objectContaining({
        code: 'GH_POLICY_SHADOWED',
        message: expect.stringContaining("rule 'narrow'"),
      }),
    ]);
  });

  it('does not call a rule shadowed when the stronger rule has a condition', () => {
    const text = `${BASE}rules:\n  - id: wide\n    when: resource.env == "production"\n    effect: deny\n  - id: narrow\n    match: { tools: [db.delete] }\n    effect: approve\n`;
    expect(warnings(text)).toEqual([]);
  });

  it('does not call a rule shadowed when the stronger rule is narrower in agents or labels', () => {
    const text = `${BASE}rules:\n  - id: some\n    match: { agents: [bot], labels: [untrusted] }\n    effect: deny\n  - id: all\n    effect: approve\n`;
    expect(warnings(text)).toEqual([]);
  });

  it('warns about a grant that covers no catalog tool, and still compiles', () => {
    const { policy, diagnostics } = checkPolicy({
      name: 'p.yaml',
      text: 'version: 1\ntools:\n  a.b: { categories: [read] }\nagents:\n  x: { owner: o@x.io, grants: [a.b, c.*] }\n',
    });
    expect(policy).toBeDefined();
    expect(diagnostics).toEqual([
      expect.objectContaining({ code: 'GH_POLICY_GRANT_UNMATCHED', severity: 'warning' }),
    ]);
    expect(policy?.warnings).toHaveLength(1);
  });
});

describe('compilePolicy: result', () => {
  it('merges several documents and files, keeping rule order', () => {
    const policy = compilePolicy([
      {
        name: 'a.yaml',
        text: `${BASE}rules:\n  - id: one\n    effect: allow\n---\nversion: 1\nrules:\n  - id: two\n    effect: allow\n`,
      },
      { name: 'b.yaml', text: 'version: 1\nrules:\n  - id: three\n    effect: allow\n' },
    ]);
    expect(policy.rules.map((r) => r.id)).toEqual(['one', 'two', 'three']);
    expect(policy.rules.map((r) => r.location.file)).toEqual(['a.yaml', 'a.yaml', 'b.yaml']);
    expect(policy.sources).toEqual(['a.yaml', 'b.yaml']);
  });

  it('hashes the sources: same text same hash, any change a new hash', () => {
    const a = compilePolicy({ name: 'p.yaml', text: BASE });
    expect(compilePolicy({ name: 'p.yaml', text: BASE }).hash).toBe(a.hash);
    expect(compilePolicy({ name: 'p.yaml', text: `${BASE}# comment\n` }).hash).not.toBe(a.hash);
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is immutable', () => {
    const policy = compilePolicy({ name: 'p.yaml', text: `${BASE}rules:\n  - id: r\n    effect: deny\n` });
    expect(Object.isFrozen(policy)).toBe(true);
    expect(Object.isFrozen(policy.rules[0])).toBe(true);
    expect(() => (policy.rules as unknown as unknown[]).push({})).toThrow();
    expect('set' in policy.tools).toBe(false);
  });

  it('gives agents declared in policy a stable id and defaults', () => {
    const policy = compilePolicy({ name: 'p.yaml', text: BASE });
    const bot = policy.agents.get('bot');
    expect(bot).toMatchObject({ name: 'bot', status: 'active', owner: 'o@example.com', labels: [] });
    expect(bot?.id).toMatch(/^agt_[0-9a-f]{24}$/);
    expect(compilePolicy({ name: 'other.yaml', text: BASE }).agents.get('bot')?.id).toBe(bot?.id);
  });

  it('accepts the policy of DESIGN.md §3 as written', () => {
    const design = {
      version: 1,
      tools: {
        'email.read': { categories: ['read'], labels: ['untrusted'] },
        'email.send': { categories: ['external_communication'] },
        'db.delete': { categories: ['delete'], resource: { system: 'orders', env: 'production' } },
        'payments.transfer': {
          categories: ['financial'],
          schema: { type: 'object', required: ['amount', 'to'], properties: { amount: { type: 'number' } } },
        },
      },
      agents: {
        'email-assistant': { owner: 'alice@example.com', grants: ['email.read', 'email.list', 'email.send'] },
      },
      groups: { finance: ['carol@example.com', 'dave@example.com'] },
      rules: [
        {
          id: 'no-prod-delete',
          match: { categories: ['delete'] },
          when: 'resource.env == "production"',
          effect: 'deny',
        },
        {
          id: 'external-comms',
          match: { categories: ['external_communication'] },
          when: '!args.to.all(r, r.endsWith("@example.com"))',
          effect: 'approve',
          approval: { approvers: 1, timeout: '30m' },
        },
        {
          id: 'dual-authorization',
          match: { categories: ['financial'] },
          when: 'args.amount > 1000',
          effect: 'approve',
          approval: { approvers: 2, groups: ['finance'] },
        },
        {
          id: 'no-exfil-to-injected-recipients',
          match: { categories: ['external_communication'] },
          when: '"untrusted" in provenance["to"]',
          effect: 'deny',
        },
      ],
    };
    const { policy, diagnostics } = checkPolicy({ name: 'design.yaml', text: stringify(design) });
    expect(policy).toBeDefined();
    // `email.list` is granted but not catalogued: a warning, not an error. And `email.send` has no
    // schema, so `args.to` of another shape (a map) would dodge external-comms: warned too. And the
    // schema of `payments.transfer` is open: `Amount` beside `amount` would go unchecked.
    expect(diagnostics.map((d) => d.code).sort()).toEqual([
      'GH_POLICY_ARGS_OPEN',
      'GH_POLICY_ARGS_UNTYPED',
      'GH_POLICY_GRANT_UNMATCHED',
    ]);
    expect(diagnostics.find((d) => d.code === 'GH_POLICY_ARGS_OPEN')?.message).toContain(
      "rule 'dual-authorization' reads args, but the schema of payments.transfer accepts keys it does not list",
    );
    expect(diagnostics.find((d) => d.code === 'GH_POLICY_ARGS_UNTYPED')?.message).toContain(
      "rule 'external-comms' reads args, but tool email.send has no schema",
    );
  });
});
