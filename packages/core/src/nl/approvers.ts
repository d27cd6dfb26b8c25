import type { Effect } from '../policy/types.js';
import type { ParsedSentence } from './parsed.js';
import { refuse } from './refusal.js';
import type { Vocabulary } from './vocabulary.js';

/**
 * People named as approvers become a group of just them, declared by the fragment beside the
 * rule (the policy's own groups may gain members later; a rule naming Carol must not widen to
 * them). "Carol or Dave": one of them; "both Carol and Dave": each. A group already declared
 * with exactly those members and that name is reused.
 */
export function peopleApproval(
  parsed: ParsedSentence,
  vocabulary: Vocabulary,
  effect: Effect | undefined,
): { declares?: Record<string, string[]> } | ReturnType<typeof refuse> | undefined {
  if (parsed.people.length === 0) return undefined;
  const people = [...parsed.people].sort();
  if (effect !== 'approve')
    return refuse('GH_NL_UNSUPPORTED', `${people.join(', ')}: a person named here can only approve`);
  if (parsed.peopleJoin === 'mixed')
    return refuse(
      'GH_NL_AMBIGUOUS_EFFECT',
      `${people.join(', ')}: say whether all of them must approve ("both … and …") or any one ("… or …")`,
    );
  if (parsed.groups.some((g) => g !== parsed.peopleGroup))
    return refuse('GH_NL_UNSUPPORTED', 'approvers are named both as a group and as people: say one of them');
  const needed = parsed.peopleJoin === 'all' ? people.length : 1;
  if (parsed.approvers !== undefined && parsed.approvers !== needed)
    return refuse(
      'GH_NL_UNSUPPORTED',
      `${parsed.approvers} approvals from ${people.length} named ${people.length === 1 ? 'person' : 'people'}${parsed.peopleJoin === 'any' && people.length > 1 ? ' of whom any one may approve' : ''}: the counts disagree`,
    );
  parsed.approvers = needed;
  const base = `approvers-${people.map((p) => (p.split('@')[0] as string).replace(/[^a-z0-9]+/g, '-')).join('-')}`;
  const same = (members: readonly string[] | undefined) =>
    members !== undefined &&
    members.length === people.length &&
    members.every((m) => people.includes(m.toLowerCase()));
  let name = base;
  for (let n = 2; vocabulary.groupMembers.has(name) && !same(vocabulary.groupMembers.get(name)); n++)
    name = `${base}-${n}`;
  parsed.groups = [name];
  parsed.peopleGroup = name;
  parsed.notes.push(
    `${people.join(needed > 1 ? ' and ' : ' or ')} approve${needed > 1 ? ' each' : ''}: the fragment declares the group ${name} of just ${people.length === 1 ? 'that person' : 'them'}`,
  );
  return vocabulary.groupMembers.has(name) ? {} : { declares: { [name]: people } };
}
