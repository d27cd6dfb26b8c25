import { describe, expect, it } from 'vitest';
import { policyWith, send } from './decide.fixture.js';
import { decide } from './decide.js';
import type { CompiledPolicy, DecisionRequestInput } from './types.js';

/** decide() over what a request carries: provenance, CEL variables, malformed input, intents and states. */

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
