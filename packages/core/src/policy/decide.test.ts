import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { compilePolicy } from './compile.js';
import { decide } from './decide.js';
import type { AgentIdentity, CompiledPolicy, DecisionRequestInput } from './types.js';

const catalog = {
  'email.read': { categories: ['read'], labels: ['untrusted'] },
  'email.send': { categories: ['external_communication'] },
  'db.query': { categories: ['read'], resource: { system: 'orders', env: 'production' } },
  'db.delete': { categories: ['delete'], resource: { system: 'orders', env: 'production' } },
  'staging_db.delete': { categories: ['delete'], resource: { system: 'orders', env: 'staging' } },
  'payments.transfer': { categories: ['financial'] },
};

const agents = {
  assistant: { owner: 'alice@example.com', grants: ['email.*', 'db.*', 'staging_db.*', 'payments.*'] },
  reader: { owner: 'alice@example.com', grants: ['email.read'] },
  paused: { owner: 'alice@example.com', grants: ['email.*'], status: 'suspended' },
  jailed: { owner: 'alice@example.com', grants: ['email.*'], status: 'quarantined' },
  gone: { owner: 'alice@example.com', grants: ['email.*'], status: 'retired' },
};

function policyWith(rules: object[], extra: object = {}): CompiledPolicy {
  return compilePolicy({
    name: 'test.yaml',
    text: stringify({
      version: 1,
      tools: catalog,
      agents,
      groups: { finance: ['c@x.io', 'd@x.io'] },
      rules,
      ...extra,
    }),
  });
}

const send = (to: string[], more: Partial<DecisionRequestInput> = {}): DecisionRequestInput => ({
  agent: 'assistant',
  tool: 'email.send',
  args: { to },
  ...more,
});

describe('decide: agent (DESIGN §3.1)', () => {
  const policy = policyWith([]);

  it('denies an agent the policy does not know', () => {
    const d = decide(policy, { agent: 'stranger', tool: 'email.read' });
    expect(d).toMatchObject({ effect: 'deny', code: 'unknown-agent' });
    expect(d.reasons[0]).toContain("'stranger'");
  });

  it.each([
    ['paused', 'agent-suspended'],
    ['jailed', 'agent-quarantined'],
    ['gone', 'agent-retired'],
  ])('denies %s agents whatever their grants (%s)', (agent, code) => {
    expect(decide(policy, { agent, tool: 'email.read' })).toMatchObject({ effect: 'deny', code });
  });

  it('accepts an identity object from the registry and checks its status too', () => {
    const identity: AgentIdentity = {
      id: 'agt_1',
      name: 'dyn',
      owner: 'o@x.io',
      status: 'active',
      grants: ['email.read'],
    };
    expect(decide(policy, { agent: identity, tool: 'email.read' }).effect).toBe('allow');
    expect(decide(policy, { agent: { ...identity, status: 'suspended' }, tool: 'email.read' }).code).toBe(
      'agent-suspended',
    );
  });
});

describe('decide: grants are the ceiling (DESIGN §3.2)', () => {
  it('denies a tool outside the grants even when an allow rule matches it', () => {
    const policy = policyWith([{ id: 'allow-all', match: { tools: ['*'] }, effect: 'allow' }]);
    const d = decide(policy, { agent: 'reader', tool: 'email.send', args: { to: ['a@example.com'] } });
    expect(d).toMatchObject({ effect: 'deny', code: 'not-granted', rules: [] });
  });

  it('treats a grant as a glob: email.* covers email.send but not emailx.send', () => {
    const identity: AgentIdentity = {
      id: 'agt_2',
      name: 'g',
      owner: 'o@x.io',
      status: 'active',
      grants: ['email.*'],
    };
    const policy = policyWith([]);
    expect(decide(policy, { agent: identity, tool: 'email.send', args: { to: [] } }).effect).toBe('allow');
    expect(decide(policy, { agent: identity, tool: 'db.query' }).code).toBe('not-granted');
  });

  it('denies a granted tool that is missing from the catalog', () => {
    const identity: AgentIdentity = {
      id: 'agt_3',
      name: 'g',
      owner: 'o@x.io',
      status: 'active',
      grants: ['*'],
    };
    expect(decide(policyWith([]), { agent: identity, tool: 'shell.exec' })).toMatchObject({
      effect: 'deny',
      code: 'unknown-tool',
    });
  });
});

describe('decide: rules and precedence (DESIGN §3.3)', () => {
  it('allows a granted call when no rule applies', () => {
    const d = decide(policyWith([]), { agent: 'assistant', tool: 'db.query' });
    expect(d).toMatchObject({ effect: 'allow', code: 'granted', rules: [] });
  });

  it('applies a deny rule selected by category and condition on the catalog resource', () => {
    const policy = policyWith([
      {
        id: 'no-prod-delete',
        match: { categories: ['delete'] },
        when: 'resource.env == "production"',
        effect: 'deny',
      },
    ]);
    expect(decide(policy, { agent: 'assistant', tool: 'db.delete' })).toMatchObject({
      effect: 'deny',
      code: 'rule-deny',
    });
    expect(decide(policy, { agent: 'assistant', tool: 'staging_db.delete' }).effect).toBe('allow');
  });

  it('does not let the caller override the catalog resource to dodge a rule', () => {
    const policy = policyWith([
      {
        id: 'no-prod-delete',
        match: { categories: ['delete'] },
        when: 'resource.env == "production"',
        effect: 'deny',
      },
    ]);
    const d = decide(policy, {
      agent: 'assistant',
      tool: 'db.delete',
      resource: { env: 'staging', extra: 1 },
    });
    expect(d.effect).toBe('deny');
  });

  it('keeps what the caller says about the resource apart, at resource.properties', () => {
    // A caller cannot fill in a fact the catalog leaves out: with no `env` in the catalog the
    // condition errors, and a deny rule whose condition errors holds.
    const noEnv = policyWith(
      [
        {
          id: 'no-prod-delete',
          match: { categories: ['delete'] },
          when: 'resource.env == "production"',
          effect: 'deny',
        },
      ],
      { tools: { ...catalog, 'db.purge': { categories: ['delete'] } } },
    );
    expect(decide(noEnv, { agent: 'assistant', tool: 'db.purge', resource: { env: 'staging' } }).effect).toBe(
      'deny',
    );
    // What it claims is still there to reason about, where it cannot pose as a catalog fact.
    const claimed = policyWith([
      {
        id: 'claimed-frozen',
        match: { tools: ['email.send'] },
        when: 'has(resource.properties) && has(resource.properties.state) && resource.properties.state == "frozen"',
        effect: 'deny',
      },
    ]);
    expect(decide(claimed, send(['a@example.com'], { resource: { state: 'frozen' } })).effect).toBe('deny');
    expect(decide(claimed, send(['a@example.com'])).effect).not.toBe('deny');
  });

  it('ranks deny over approve over allow, whatever the rule order', () => {
    const allow = { id: 'ok', match: { tools: ['email.send'] }, effect: 'allow' };
    const approve = { id: 'ask', match: { tools: ['email.send'] }, effect: 'approve' };
    const deny = { id: 'no', match: { tools: ['email.send'] }, effect: 'deny' };
    for (const order of [
      [allow, approve, deny],
      [deny, approve, allow],
      [approve, deny, allow],
    ]) {
      expect(decide(policyWith(order), send(['a@example.com'])).effect).toBe('deny');
    }
    expect(decide(policyWith([allow, approve]), send(['a@example.com'])).effect).toBe('approve');
    expect(decide(policyWith([approve, allow]), send(['a@example.com'])).effect).toBe('approve');
    expect(decide(policyWith([allow]), send(['a@example.com']))).toMatchObject({
      effect: 'allow',
      code: 'rule-allow',
    });
  });

  it('matches agents by name glob and by id', () => {
    const policy = policyWith([{ id: 'a', match: { agents: ['assist*'] }, effect: 'deny' }]);
    expect(decide(policy, { agent: 'assistant', tool: 'email.read' }).effect).toBe('deny');
    expect(decide(policy, { agent: 'reader', tool: 'email.read' }).effect).toBe('allow');
    const byId = policyWith([{ id: 'b', match: { agents: ['agt_fixed'] }, effect: 'deny' }]);
    const identity: AgentIdentity = {
      id: 'agt_fixed',
      name: 'x',
      owner: 'o@x.io',
      status: 'active',
      grants: ['email.read'],
    };
    expect(decide(byId, { agent: identity, tool: 'email.read' }).effect).toBe('deny');
  });

  it('matches labels against the session and against argument provenance', () => {
    const policy = policyWith([
      {
        id: 'tainted',
        match: { categories: ['external_communication'], labels: ['untrusted'] },
        effect: 'approve',
      },
    ]);
    expect(decide(policy, send(['a@example.com'])).effect).toBe('allow');
    expect(decide(policy, send(['a@example.com'], { session: { labels: ['untrusted'] } })).effect).toBe(
      'approve',
    );
    expect(decide(policy, send(['a@example.com'], { provenance: { 'to[0]': ['untrusted'] } })).effect).toBe(
      'approve',
    );
    expect(decide(policy, send(['a@example.com'], { session: { labels: ['pii'] } })).effect).toBe('allow');
  });

  it('requires every selector of a match to hold (tools AND categories AND agents)', () => {
    const policy = policyWith([
      {
        id: 'narrow',
        match: { agents: ['assistant'], tools: ['db.*'], categories: ['delete'] },
        effect: 'deny',
      },
    ]);
    expect(decide(policy, { agent: 'assistant', tool: 'db.delete' }).effect).toBe('deny');
    expect(decide(policy, { agent: 'assistant', tool: 'db.query' }).effect).toBe('allow');
    expect(decide(policy, { agent: 'assistant', tool: 'staging_db.delete' }).effect).toBe('allow');
  });
});

describe('decide: conditions that error fail closed (DESIGN §3.4)', () => {
  const erroring = 'args.missing.deeper == 1';

  it('counts an erroring condition as holding for a deny rule and records the error', () => {
    const d = decide(
      policyWith([{ id: 'd', match: { tools: ['email.send'] }, when: erroring, effect: 'deny' }]),
      send([]),
    );
    expect(d.effect).toBe('deny');
    expect(d.rules).toEqual([
      expect.objectContaining({ id: 'd', error: expect.stringContaining('missing') }),
    ]);
    expect(d.errors).toEqual([expect.objectContaining({ rule: 'd', counted: true })]);
    expect(d.reasons.join(' ')).toContain('fail closed');
  });

  it('counts an erroring condition as holding for an approve rule', () => {
    const d = decide(
      policyWith([{ id: 'a', match: { tools: ['email.send'] }, when: erroring, effect: 'approve' }]),
      send([]),
    );
    expect(d.effect).toBe('approve');
    expect(d.approval?.requirements).toHaveLength(1);
  });

  it('counts an erroring condition as not holding for an allow rule, and still records it', () => {
    const d = decide(
      policyWith([{ id: 'l', match: { tools: ['email.send'] }, when: erroring, effect: 'allow' }]),
      send([]),
    );
    expect(d).toMatchObject({ effect: 'allow', code: 'granted', rules: [] });
    expect(d.errors).toEqual([expect.objectContaining({ rule: 'l', counted: false })]);
  });

  it('treats a non-bool result at run time as an error', () => {
    const d = decide(
      policyWith([{ id: 'd', match: { tools: ['email.send'] }, when: 'args.flag', effect: 'deny' }]),
      {
        ...send([]),
        args: { to: [], flag: 'yes' },
      },
    );
    expect(d.effect).toBe('deny');
    expect(d.errors[0]?.message).toContain('not a bool');
  });

  it('treats a division by zero in a condition as an error, not as false', () => {
    const d = decide(
      policyWith([{ id: 'd', match: { tools: ['email.send'] }, when: 'args.n / 0 > 1', effect: 'deny' }]),
      {
        ...send([]),
        args: { to: [], n: 5 },
      },
    );
    expect(d.effect).toBe('deny');
  });
});

describe('decide: approvals (DESIGN §3.5)', () => {
  const policy = policyWith([
    {
      id: 'external',
      match: { categories: ['external_communication'] },
      effect: 'approve',
      approval: { timeout: '30m' },
    },
    {
      id: 'big',
      match: { tools: ['email.*'] },
      when: 'size(args.to) > 2',
      effect: 'approve',
      approval: { approvers: 2, groups: ['finance'], timeout: '2h' },
    },
  ]);

  it('keeps the requirement of every approve rule that applied', () => {
    const d = decide(policy, send(['a@x.io', 'b@x.io', 'c@x.io']));
    expect(d.effect).toBe('approve');
    expect(d.approval?.requirements).toEqual([
      {
        rule: 'external',
        approvers: 1,
        groups: [],
        timeoutMs: 30 * 60_000,
        denials: 1,
        allowSelfApproval: false,
      },
      {
        rule: 'big',
        approvers: 2,
        groups: ['finance'],
        timeoutMs: 2 * 3_600_000,
        denials: 1,
        allowSelfApproval: false,
      },
    ]);
    expect(d.approval?.timeoutMs).toBe(30 * 60_000);
  });

  it('asks only what applied', () => {
    const d = decide(policy, send(['a@x.io']));
    expect(d.approval?.requirements.map((r) => r.rule)).toEqual(['external']);
  });

  it('defaults an approve rule to one approver and one hour', () => {
    const d = decide(
      policyWith([{ id: 'a', match: { tools: ['email.send'] }, effect: 'approve' }]),
      send([]),
    );
    expect(d.approval?.requirements).toEqual([
      { rule: 'a', approvers: 1, groups: [], timeoutMs: 3_600_000, denials: 1, allowSelfApproval: false },
    ]);
  });

  it('carries no approval when a deny outranks it, but still names the approve rule', () => {
    const d = decide(
      policyWith([
        { id: 'ask', match: { tools: ['email.send'] }, effect: 'approve' },
        { id: 'no', match: { tools: ['email.send'] }, effect: 'deny' },
      ]),
      send([]),
    );
    expect(d.effect).toBe('deny');
    expect(d.approval).toBeUndefined();
    expect(d.rules.map((r) => r.id)).toEqual(['ask', 'no']);
  });
});

describe('decide: every applied rule is named, in order (DESIGN §3.6)', () => {
  it('lists applied rules in policy order with their messages', () => {
    const policy = policyWith([
      { id: 'first', match: { tools: ['email.send'] }, effect: 'allow', description: 'described' },
      { id: 'skipped', match: { tools: ['db.*'] }, effect: 'deny' },
      {
        id: 'second',
        match: { tools: ['email.send'] },
        effect: 'approve',
        message: 'a human checks external mail',
      },
      { id: 'third', match: { tools: ['email.*'] }, effect: 'allow' },
    ]);
    const d = decide(policy, send([]));
    expect(d.rules).toEqual([
      { id: 'first', effect: 'allow', message: 'described' },
      { id: 'second', effect: 'approve', message: 'a human checks external mail' },
      { id: 'third', effect: 'allow', message: "rule 'third' applies" },
    ]);
    expect(d.policy).toBe(policy.hash);
  });
});

describe('decide: provenance', () => {
  const policy = policyWith([
    {
      id: 'no-exfil',
      match: { categories: ['external_communication'] },
      when: '"untrusted" in provenance["to"]',
      effect: 'deny',
    },
  ]);

  it('denies a send to a recipient whose value came from an untrusted output', () => {
    expect(
      decide(policy, send(['evil@attacker.test'], { provenance: { 'to[0]': ['untrusted'] } })).effect,
    ).toBe('deny');
  });

  it('allows a send to a recipient with no provenance (an empty list, not a missing key)', () => {
    expect(decide(policy, send(['bob@example.com'])).effect).toBe('allow');
  });

  it('lifts the labels of one element to the whole list', () => {
    const d = decide(
      policy,
      send(['bob@example.com', 'evil@attacker.test'], { provenance: { 'to[1]': ['untrusted'] } }),
    );
    expect(d.effect).toBe('deny');
  });

  it('reads nested argument paths', () => {
    const nested = policyWith([
      {
        id: 'n',
        match: { tools: ['email.send'] },
        when: '"untrusted" in provenance["meta.reply_to"]',
        effect: 'deny',
      },
    ]);
    const request = { ...send([]), args: { to: [], meta: { reply_to: 'x@y.z' } } };
    expect(decide(nested, request).effect).toBe('allow');
    expect(decide(nested, { ...request, provenance: { 'meta.reply_to': ['untrusted'] } }).effect).toBe(
      'deny',
    );
    expect(decide(nested, { ...request, provenance: { meta: ['untrusted'] } }).effect).toBe('deny');
  });
});

describe('decide: CEL variables', () => {
  const when = (expr: string) =>
    policyWith([{ id: 'w', match: { tools: ['email.send'] }, when: expr, effect: 'deny' }]);
  const fires = (expr: string, request: DecisionRequestInput) =>
    decide(when(expr), request).effect === 'deny';

  it('exposes agent, tool, session, delegation, context, user, risk and now', () => {
    expect(fires('agent.name == "assistant" && agent.owner == "alice@example.com"', send([]))).toBe(true);
    expect(fires('agent.classification == ""', send([]))).toBe(true);
    expect(fires('"external_communication" in tool.categories && tool.name == "email.send"', send([]))).toBe(
      true,
    );
    expect(
      fires(
        'session.intent == "triage" && session.calls > 2',
        send([], { session: { intent: 'triage', calls: 3 } }),
      ),
    ).toBe(true);
    expect(fires('delegation.depth >= 2', send([], { delegation: { depth: 2, chain: ['a', 'b'] } }))).toBe(
      true,
    );
    expect(
      fires('has(context.uncertain) && context.uncertain', send([], { context: { uncertain: true } })),
    ).toBe(true);
    expect(fires('has(context.uncertain) && context.uncertain', send([]))).toBe(false);
    expect(fires('user.email == "u@x.io"', send([], { user: { email: 'u@x.io' } }))).toBe(true);
    expect(fires('risk.score > 0.5', send([], { risk: { score: 0.9 } }))).toBe(true);
    expect(fires('risk.score > 0.5', send([]))).toBe(false);
  });

  it('evaluates `now` from the request so time-based rules are testable', () => {
    const expr = 'now.getHours("UTC") >= 22';
    expect(fires(expr, send([], { now: new Date('2026-01-01T23:00:00Z') }))).toBe(true);
    expect(fires(expr, send([], { now: new Date('2026-01-01T09:00:00Z') }))).toBe(false);
  });

  it('compares JSON numbers with integer literals', () => {
    const policy = policyWith([
      { id: 'dual', match: { categories: ['financial'] }, when: 'args.amount > 1000', effect: 'approve' },
    ]);
    const transfer = (amount: number) =>
      decide(policy, { agent: 'assistant', tool: 'payments.transfer', args: { amount } });
    expect(transfer(500).effect).toBe('allow');
    expect(transfer(1000).effect).toBe('allow');
    expect(transfer(1000.01).effect).toBe('approve');
    expect(transfer(1500).effect).toBe('approve');
  });
});

describe('decide: malformed requests are denied, never thrown', () => {
  const policy = policyWith([]);
  const bad: [string, unknown][] = [
    ['null', null],
    ['a string', 'email.send'],
    ['no tool', { agent: 'assistant' }],
    ['an empty tool', { agent: 'assistant', tool: '' }],
    ['a huge tool name', { agent: 'assistant', tool: 'x'.repeat(10_000) }],
    ['args as a list', { agent: 'assistant', tool: 'email.send', args: ['a'] }],
    ['session labels not strings', { agent: 'assistant', tool: 'email.send', session: { labels: [1] } }],
    ['provenance not lists', { agent: 'assistant', tool: 'email.send', provenance: { to: 'untrusted' } }],
    [
      'an agent object without grants',
      { agent: { id: 'a', name: 'a', owner: 'o', status: 'active' }, tool: 'email.read' },
    ],
    [
      'an agent with an unknown status',
      { agent: { id: 'a', name: 'a', owner: 'o', status: 'godmode', grants: ['*'] }, tool: 'email.read' },
    ],
    ['an agent of the wrong type', { agent: 42, tool: 'email.read' }],
    ['an invalid date', { agent: 'assistant', tool: 'email.read', now: new Date('nope') }],
  ];

  it.each(bad)('denies %s with a readable reason', (_what, request) => {
    const d = decide(policy, request as DecisionRequestInput);
    expect(d.effect).toBe('deny');
    expect(d.code).toBe('invalid-request');
    expect(d.reasons[0]).toMatch(/^invalid request: /);
  });

  it('denies when handed something that is not a compiled policy', () => {
    const d = decide({ hash: 'x' } as unknown as CompiledPolicy, { agent: 'a', tool: 'b' });
    expect(d).toMatchObject({ effect: 'deny', code: 'invalid-request' });
  });
});

describe('decide: session intents and scheduled resource states', () => {
  const extra = {
    intents: { triage: { tools: ['email.*'] }, reporting: { tools: ['db.query'] } },
    states: [
      {
        tools: ['db.*'],
        state: 'frozen',
        from: '2026-12-20T00:00:00Z',
        until: '2027-01-04T00:00:00Z',
        reason: 'freeze',
      },
      { tools: ['staging_db.*'], state: 'maintenance' },
    ],
  };
  const policy = policyWith(
    [
      {
        id: 'freeze',
        match: { categories: ['delete'] },
        when: 'has(resource.state) && resource.state == "frozen"',
        effect: 'deny',
      },
    ],
    extra,
  );
  const inFreeze = new Date('2026-12-24T00:00:00Z');
  const before = new Date('2026-12-19T23:59:59Z');

  it('keeps a session to the tools of its declared intent', () => {
    expect(
      decide(policy, { agent: 'assistant', tool: 'email.read', session: { intent: 'triage' } }).effect,
    ).toBe('allow');
    expect(
      decide(policy, { agent: 'assistant', tool: 'db.query', session: { intent: 'triage' } }),
    ).toMatchObject({ effect: 'deny', code: 'outside-intent' });
    expect(
      decide(policy, { agent: 'assistant', tool: 'db.query', session: { intent: 'reporting' } }).effect,
    ).toBe('allow');
  });

  it('refuses an intent the policy does not declare, and ignores intents when none are declared', () => {
    expect(
      decide(policy, { agent: 'assistant', tool: 'email.read', session: { intent: 'anything' } }),
    ).toMatchObject({ code: 'unknown-intent' });
    expect(
      decide(policyWith([]), { agent: 'assistant', tool: 'email.read', session: { intent: 'anything' } })
        .effect,
    ).toBe('allow');
  });

  it('sets resource.state inside the window only, over whatever the caller says', () => {
    expect(decide(policy, { agent: 'assistant', tool: 'db.delete', now: inFreeze })).toMatchObject({
      effect: 'deny',
      code: 'rule-deny',
    });
    expect(decide(policy, { agent: 'assistant', tool: 'db.delete', now: before }).effect).toBe('allow');
    expect(
      decide(policy, { agent: 'assistant', tool: 'db.delete', now: new Date('2027-01-04T00:00:00Z') }).effect,
    ).toBe('allow');
    expect(
      decide(policy, { agent: 'assistant', tool: 'db.delete', now: inFreeze, resource: { state: 'open' } })
        .effect,
    ).toBe('deny');
    const open = policyWith(
      [
        {
          id: 'maint',
          match: { tools: ['staging_db.*'] },
          when: 'resource.state == "maintenance"',
          effect: 'approve',
        },
      ],
      extra,
    );
    expect(decide(open, { agent: 'assistant', tool: 'staging_db.delete' }).effect).toBe('approve');
  });

  it('rejects intents and states that name no catalog tool, and bad windows', () => {
    const broken = (more: object) =>
      (() => {
        try {
          policyWith([], more);
          return [];
        } catch (err) {
          return (err as { diagnostics: { message: string }[] }).diagnostics.map((d) => d.message);
        }
      })();
    expect(broken({ intents: { x: { tools: ['nope.*'] } } })).toEqual([
      expect.stringContaining("'nope.*' in intent 'x' matches no tool"),
    ]);
    expect(broken({ states: [{ tools: ['db.*'], state: 'frozen', from: 'tomorrow' }] })).toEqual([
      expect.stringContaining("'from' must be an RFC 3339"),
    ]);
    expect(
      broken({
        states: [
          { tools: ['db.*'], state: 'frozen', from: '2026-02-01T00:00:00Z', until: '2026-01-01T00:00:00Z' },
        ],
      }),
    ).toEqual([expect.stringContaining("'until' must be after 'from'")]);
  });
});
