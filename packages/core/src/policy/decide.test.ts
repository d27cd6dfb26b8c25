import { describe, expect, it } from 'vitest';
import { catalog, policyWith, send } from './decide.fixture.js';
import { decide } from './decide.js';
import type { AgentIdentity } from './types.js';

/** decide() over DESIGN §3: agents, grants, rules and precedence, failing closed, approvals, naming. */

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
