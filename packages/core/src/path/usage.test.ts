import { describe, expect, it } from 'vitest';
import { agents, policyWith } from '../policy/decide.fixture.js';
import type { CompiledPolicy } from '../policy/types.js';
import { EnforcementPath } from './enforce.js';
import type { PathAuditEvent, PathPorts, UsagePort } from './path-contract.js';
import { MemorySessionStore } from './session-store.js';
import { MemoryUsageStore } from './usage.js';

const transfers = policyWith([
  {
    id: 'transfer-cap',
    match: { tools: ['payments.transfer'] },
    when: 'args.amount > 100',
    effect: 'deny',
    message: 'at most 2 large transfers an hour',
    quota: { max: 2, per: '1h' },
  },
]);

function harness(usage: UsagePort | undefined, overrides: Partial<PathPorts> = {}) {
  const audit: PathAuditEvent[] = [];
  const executed: unknown[] = [];
  let ids = 0;
  const ports: PathPorts = {
    sessions: new MemorySessionStore(),
    newId: (prefix) => `${prefix}_${++ids}`,
    audit: async (event) => {
      audit.push(event);
    },
    execute: async (_tool, args) => {
      executed.push(args);
      return { ok: true };
    },
    ...(usage && { usage }),
    ...overrides,
  };
  return { path: new EnforcementPath(ports), audit, executed };
}

const call = (policy: CompiledPolicy, amount: number, agent = 'assistant') => ({
  agent: policy.agents.get(agent)!,
  tool: 'payments.transfer',
  args: { amount },
});

describe('enforcement path: quotas', () => {
  it('counts executed calls per agent and denies the one past the quota', async () => {
    const usage = new MemoryUsageStore();
    const { path, executed } = harness(usage);
    expect((await path.enforce(transfers, call(transfers, 500))).status).toBe('executed');
    expect((await path.enforce(transfers, call(transfers, 500))).status).toBe('executed');
    const third = await path.enforce(transfers, call(transfers, 500));
    expect(third).toMatchObject({ status: 'denied', code: 'policy' });
    expect(third.status === 'denied' && third.reason).toContain('2 of at most 2 per 1h already made');
    expect(executed).toHaveLength(2);
    // Small transfers are outside the quota's condition: neither refused nor counted.
    expect((await path.enforce(transfers, call(transfers, 50))).status).toBe('executed');
    const agentId = transfers.agents.get('assistant')!.id;
    expect(await usage.count('transfer-cap', agentId, 3_600_000)).toBe(2);
  });

  it('does not count calls that were denied, held for approval or failed', async () => {
    const usage = new MemoryUsageStore();
    const ask = policyWith([
      {
        id: 'ask-first',
        match: { tools: ['payments.transfer'] },
        when: 'args.amount > 1000',
        effect: 'approve',
      },
      { id: 'cap', match: { tools: ['payments.transfer'] }, effect: 'deny', quota: { max: 5, per: '1h' } },
    ]);
    const agentId = ask.agents.get('assistant')!.id;
    const held = harness(usage);
    expect((await held.path.enforce(ask, call(ask, 5000))).status).toBe('approval-required');
    const failing = harness(usage, {
      execute: async () => {
        throw new Error('upstream down');
      },
    });
    expect((await failing.path.enforce(ask, call(ask, 10))).status).toBe('failed');
    expect(await usage.count('cap', agentId, 3_600_000)).toBe(0);
  });

  it('in decision-only mode counts the call when the PEP is told to run it', async () => {
    const usage = new MemoryUsageStore();
    const { path } = harness(usage, { execute: undefined });
    expect((await path.enforce(transfers, call(transfers, 500))).status).toBe('allowed');
    expect((await path.enforce(transfers, call(transfers, 500))).status).toBe('allowed');
    expect((await path.enforce(transfers, call(transfers, 500))).status).toBe('denied');
  });

  it('lets only the quota through when calls race, and gives back the places of calls that did not run', async () => {
    const usage = new MemoryUsageStore();
    let started = 0;
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const { path, executed } = harness(usage, {
      // Every call that gets through waits here, so all eight are in flight together.
      execute: async (_tool, args) => {
        started++;
        executed.push(args);
        await gate;
        return { ok: true };
      },
    });
    const burst = Array.from({ length: 8 }, () => path.enforce(transfers, call(transfers, 500)));
    await new Promise((resolve) => setImmediate(resolve));
    open();
    const outcomes = await Promise.all(burst);
    expect(outcomes.filter((o) => o.status === 'executed')).toHaveLength(2);
    expect(outcomes.filter((o) => o.status === 'denied')).toHaveLength(6);
    expect(started).toBe(2);
    const agentId = transfers.agents.get('assistant')!.id;
    // Only the two that ran are counted; the six refused gave their places back.
    expect(await usage.count('transfer-cap', agentId, 3_600_000)).toBe(2);
  });

  it('holds no place for a call outside the condition of the quota, so such calls never crowd it', async () => {
    const usage = new MemoryUsageStore();
    const { path } = harness(usage);
    let counted: number | undefined;
    const { path: slow } = harness(usage, {
      // While a small transfer runs, a large one is counted against the quota.
      execute: async () => {
        counted = await usage.count('transfer-cap', agentId, 3_600_000);
        return { ok: true };
      },
    });
    const agentId = transfers.agents.get('assistant')!.id;
    expect((await slow.enforce(transfers, call(transfers, 50))).status).toBe('executed');
    expect(counted).toBe(0);
    expect((await path.enforce(transfers, call(transfers, 500))).status).toBe('executed');
    expect(await usage.count('transfer-cap', agentId, 3_600_000)).toBe(1);
  });

  it('counts each agent apart', async () => {
    const usage = new MemoryUsageStore();
    const policy = policyWith(
      [
        {
          id: 'transfer-cap',
          match: { tools: ['payments.transfer'] },
          effect: 'deny',
          quota: { max: 1, per: '1h' },
        },
      ],
      { agents: { ...agents, other: { owner: 'bob@example.com', grants: ['payments.*'] } } },
    );
    const { path } = harness(usage);
    expect((await path.enforce(policy, call(policy, 1))).status).toBe('executed');
    expect((await path.enforce(policy, call(policy, 1))).status).toBe('denied');
    expect((await path.enforce(policy, call(policy, 1, 'other'))).status).toBe('executed');
  });

  it('refuses a call a quota selects when the usage store throws, and audits the refusal', async () => {
    const broken: UsagePort = {
      hold: async () => {
        throw new Error('connection refused');
      },
    };
    const { path, audit, executed } = harness(broken);
    const outcome = await path.enforce(transfers, call(transfers, 500));
    expect(outcome).toMatchObject({ status: 'denied', code: 'usage-unavailable' });
    expect(outcome.status === 'denied' && outcome.reason).toContain('the usage store is unavailable');
    expect(audit.at(-1)).toMatchObject({ status: 'denied', code: 'usage-unavailable' });
    expect(executed).toHaveLength(0);
    // A call no quota selects (its condition is false) does not need the store.
    expect((await path.enforce(transfers, call(transfers, 50))).status).toBe('executed');
  });

  it('refuses a call a quota selects when the path has no usage store', async () => {
    const { path } = harness(undefined);
    const outcome = await path.enforce(transfers, call(transfers, 500));
    expect(outcome).toMatchObject({ status: 'denied', code: 'usage-unavailable' });
    expect(outcome.status === 'denied' && outcome.reason).toContain(
      "the policy sets quotas (rule 'transfer-cap')",
    );
  });

  it('in decision-only mode refuses the go-ahead when the store cannot record it', async () => {
    const usage: UsagePort = {
      hold: async (rules) => ({
        counts: rules.map(() => 0),
        keep: async () => {
          throw new Error('read-only replica');
        },
        release: async () => undefined,
      }),
    };
    const { path } = harness(usage, { execute: undefined });
    const outcome = await path.enforce(transfers, call(transfers, 500));
    expect(outcome).toMatchObject({ status: 'denied', code: 'usage-unavailable' });
  });

  it('reads no usage for a policy without quotas', async () => {
    let reads = 0;
    const usage: UsagePort = {
      hold: async () => {
        reads++;
        throw new Error('not expected');
      },
    };
    const { path } = harness(usage);
    const plain = policyWith([{ id: 'noop', match: { tools: ['email.send'] }, effect: 'deny' }]);
    expect((await path.enforce(plain, call(plain, 500))).status).toBe('executed');
    expect(reads).toBe(0);
  });
});

describe('MemoryUsageStore', () => {
  it('counts within the trailing window and forgets older calls', async () => {
    let now = 1_000_000_000;
    const store = new MemoryUsageStore({ now: () => now });
    await store.record(['r'], 'a');
    now += 30 * 60_000;
    await store.record(['r', 'r'], 'a');
    expect(await store.count('r', 'a', 3_600_000)).toBe(2);
    now += 45 * 60_000;
    expect(await store.count('r', 'a', 3_600_000)).toBe(1);
    expect(await store.count('r', 'b', 3_600_000)).toBe(0);
  });

  it('stays within its bound by forgetting the pair recorded least recently', async () => {
    let now = 1_000_000_000;
    const store = new MemoryUsageStore({ now: () => now, maxBuckets: 3 });
    for (const agent of ['a', 'b', 'c', 'd']) {
      await store.record(['r'], agent);
      now += 1000;
    }
    expect(await store.count('r', 'a', 3_600_000)).toBe(0);
    expect(await store.count('r', 'd', 3_600_000)).toBe(1);
  });
});
