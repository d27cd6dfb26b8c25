import { compilePolicy } from '../policy/compile.js';
import { decide } from '../policy/decide.js';
import type { CompiledPolicy, Effect, PolicySource } from '../policy/types.js';
import { compileSentence } from './compile-sentence.js';
import { declaredGroups, ruleFromMeaning } from './emit-rule.js';
import type { Vocabulary } from './vocabulary.js';

/** What a test request may carry besides agent, tool and arguments. */
export type DecisionExtra = {
  now?: string;
  intent?: string;
  labels?: string[];
  provenance?: Record<string, string[]>;
  origin?: Record<string, string[]>;
  /** The calls already made under every quota rule of the sentence; 0 (a fresh window) unless given. */
  usage?: number;
};

/** The policy `sources` with a sentence's rules beside them; throws when the sentence is refused. */
export function policyWithSentence(
  sources: readonly PolicySource[],
  vocab: Vocabulary,
  sentence: string,
): CompiledPolicy {
  const r = compileSentence(sentence, vocab);
  if (!r.ok) throw new Error(`refused: ${r.refusal.message}`);
  const rules = r.meanings.map((m, i) => ruleFromMeaning(m, `r${i}`));
  return compilePolicy([
    ...sources,
    {
      name: 'fragment.yaml',
      text: JSON.stringify({ version: 1, groups: declaredGroups(r.meanings), rules }),
    },
  ]);
}

/**
 * A sentence's rules added to a policy (its text and vocabulary), as a function from a request
 * to the decision: its effect, approvers and who may approve. Throws when the sentence is refused.
 */
export function decisionsOn(text: string, vocab: Vocabulary, sentence: string) {
  const policy = policyWithSentence([{ name: 'policy.yaml', text }], vocab, sentence);
  return (agent: string, tool: string, args: Record<string, unknown> = {}, extra: DecisionExtra = {}) => {
    const d = decide(policy, {
      agent,
      tool,
      args,
      session: { labels: extra.labels ?? [], calls: 0, ...(extra.intent && { intent: extra.intent }) },
      now: new Date(extra.now ?? '2026-11-04T12:00:00Z'),
      ...(extra.provenance && { provenance: extra.provenance }),
      ...(extra.origin && { origin: extra.origin }),
      usage: Object.fromEntries(
        policy.rules.filter((r) => r.quota !== undefined).map((r) => [r.id, extra.usage ?? 0]),
      ),
    });
    const eligible = (d.approval?.requirements ?? [])
      .flatMap((q) => q.groups.flatMap((g) => policy.groups.get(g) ?? []))
      .sort();
    return {
      effect: d.effect as Effect,
      approvers: d.approval?.requirements[0]?.approvers,
      ...(eligible.length > 0 && { eligible }),
    };
  };
}
