import type { CompiledPolicy } from '@gatehouse/core';
import type { IdentityStore, NewAgent } from './identity-store.js';

/**
 * Writes the agents a policy declares into the registry (one inventory: `agents list` shows
 * them, and a name is never used twice). Status is left alone, so a reload never resumes a
 * suspended agent. Returns the names the registry already holds for an agent registered
 * through the API or the CLI: such a name is ambiguous, and the caller says so.
 */
export async function registerPolicyAgents(
  store: Pick<IdentityStore, 'upsertPolicyAgents'>,
  policy: CompiledPolicy,
  now = new Date(),
): Promise<{ conflicts: string[] }> {
  const agents: (NewAgent & { id: string })[] = [...policy.agents.values()].map((a) => ({
    id: a.id,
    name: a.name,
    owner: a.owner,
    classification: a.classification ?? 'internal',
    labels: a.labels ?? [],
    grants: a.grants,
    source: 'policy',
    status: a.status,
  }));
  const { conflicts } = await store.upsertPolicyAgents(agents, now);
  return { conflicts };
}
