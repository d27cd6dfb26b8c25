import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../policy/compile.js';
import { EnforcementPath } from './enforce.js';
import type { SessionState } from './session.js';
import { MemorySessionStore } from './session-store.js';

const policyText = (rules: string) => `version: 1
tools:
  email.send: { categories: [external_communication] }
agents:
  mailer: { owner: o@example.com, grants: [email.send] }
${rules}`;
const withoutProvenance = compilePolicy({ name: 'p.yaml', text: policyText('') });
const withProvenance = compilePolicy({
  name: 'p.yaml',
  text: policyText(`rules:
  - id: no-exfil
    match: { tools: [email.send] }
    when: '"untrusted" in provenance["to"]'
    effect: deny
`),
});

function pathKeepingPuts() {
  const memory = new MemorySessionStore();
  const puts: SessionState[] = [];
  let ids = 0;
  const path = new EnforcementPath({
    sessions: {
      get: (id) => memory.get(id),
      put: (session) => {
        puts.push({ ...session });
        memory.put(session);
      },
    },
    newId: (prefix) => `${prefix}_${++ids}`,
  });
  return { path, puts };
}

const request = (policy: typeof withoutProvenance, sessionId?: string) => ({
  agent: policy.agents.get('mailer')!,
  tool: 'email.send',
  args: { to: ['a@example.com'] },
  ...(sessionId !== undefined && { sessionId }),
});

describe('sessions a request did not name', () => {
  it('are transient when the policy reads no provenance, and stop being so once a request names them', async () => {
    const { path, puts } = pathKeepingPuts();
    const first = await path.enforce(withoutProvenance, request(withoutProvenance));
    expect(puts.at(-1)).toMatchObject({ id: first.sessionId, transient: true });
    await path.enforce(withoutProvenance, request(withoutProvenance, first.sessionId));
    expect(puts.at(-1)?.id).toBe(first.sessionId);
    expect(puts.at(-1)?.transient).toBeUndefined();
  });

  it('are kept like any other when the policy reads provenance, marked unnamed until a request names them', async () => {
    const { path, puts } = pathKeepingPuts();
    const first = await path.enforce(withProvenance, request(withProvenance));
    expect(puts.at(-1)?.transient).toBeUndefined();
    expect(puts.at(-1)).toMatchObject({ id: first.sessionId, unnamed: true });
    await path.enforce(withProvenance, request(withProvenance, first.sessionId));
    expect(puts.at(-1)?.id).toBe(first.sessionId);
    expect(puts.at(-1)?.unnamed).toBeUndefined();
  });

  it('a named session is never transient', async () => {
    const { path, puts } = pathKeepingPuts();
    await path.enforce(withoutProvenance, request(withoutProvenance, 'run-1'));
    expect(puts.at(-1)?.transient).toBeUndefined();
  });
});
