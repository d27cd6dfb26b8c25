import { stringify } from 'yaml';
import { compilePolicy } from './compile.js';
import type { CompiledPolicy, DecisionRequestInput } from './types.js';

/** A small catalog, agents of every status and a finance group, for the decide tests. */

export const catalog = {
  'email.read': { categories: ['read'], labels: ['untrusted'] },
  'email.send': { categories: ['external_communication'] },
  'db.query': { categories: ['read'], resource: { system: 'orders', env: 'production' } },
  'db.delete': { categories: ['delete'], resource: { system: 'orders', env: 'production' } },
  'staging_db.delete': { categories: ['delete'], resource: { system: 'orders', env: 'staging' } },
  'payments.transfer': { categories: ['financial'] },
};

export const agents = {
  assistant: { owner: 'alice@example.com', grants: ['email.*', 'db.*', 'staging_db.*', 'payments.*'] },
  reader: { owner: 'alice@example.com', grants: ['email.read'] },
  paused: { owner: 'alice@example.com', grants: ['email.*'], status: 'suspended' },
  jailed: { owner: 'alice@example.com', grants: ['email.*'], status: 'quarantined' },
  gone: { owner: 'alice@example.com', grants: ['email.*'], status: 'retired' },
};

export function policyWith(rules: object[], extra: object = {}): CompiledPolicy {
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

export const send = (to: string[], more: Partial<DecisionRequestInput> = {}): DecisionRequestInput => ({
  agent: 'assistant',
  tool: 'email.send',
  args: { to },
  ...more,
});
