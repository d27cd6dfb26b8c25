import { compileGlob } from '../policy/glob.js';
import type { RuleDocument } from '../policy/schema.js';
import type {
  AgentIdentity,
  CompiledPolicy,
  DecisionRequestInput,
  Effect,
  ToolDefinition,
} from '../policy/types.js';
import { conditionHolds, type ProbeFacts, type SentenceMeaning } from './meaning.js';

/** A request the verifier decides before and after a fragment, with what the sentence predicts. */
export interface Probe {
  readonly request: DecisionRequestInput & { readonly agent: AgentIdentity };
  /** The declared agent the probe stands for, if any (the unnamed probe agent has none). */
  readonly agentName?: string;
  /** A short description of the request's variable parts, for the diff table. */
  readonly summary: string;
  readonly facts: ProbeFacts;
}

/** Most probes per verification: a bound on the work one draft may cost. */
export const MAX_PROBES = 4000;
/** A fixed Wednesday noon: decisions that read the clock are reproducible. */
const DEFAULT_NOW = new Date('2026-11-04T12:00:00Z');
const UNNAMED_AGENT = 'nl-unnamed-agent';

const RANK: Record<Effect, number> = { allow: 0, approve: 1, deny: 2 };
/** The stricter of two effects. */
export const stricter = (a: Effect, b: Effect): Effect => (RANK[a] >= RANK[b] ? a : b);
/** Whether `after` lets through more than `before`. */
export const widens = (before: Effect, after: Effect) => RANK[after] < RANK[before];

type Variant = { label: string; apply: (p: MutableProbe) => void };
interface MutableProbe {
  args: Record<string, unknown>;
  now: Date;
  labels: string[];
  intent?: string;
  calls: number;
  provenance: Record<string, string[]>;
  origin: Record<string, string[]>;
  mentions: Record<string, string[]>;
  /** Quota rule id → the calls the agent already made under it. */
  usage: Record<string, number>;
}

function baseArgs(tool: ToolDefinition, domain: string): Record<string, unknown> {
  const schema = tool.schema as
    | { properties?: Record<string, { type?: string }>; required?: string[] }
    | undefined;
  const args: Record<string, unknown> = {};
  for (const [name, prop] of Object.entries(schema?.properties ?? {})) {
    if (prop.type === 'number' || prop.type === 'integer') args[name] = 1;
    else if (prop.type === 'array') args[name] = [`bob@${domain}`];
    else if (prop.type === 'boolean') args[name] = false;
    else if (prop.type === 'object') args[name] = {};
    else args[name] = name === 'to' || name === 'email' ? `bob@${domain}` : 'x';
  }
  return args;
}

const unescapeDomain = (d: string) =>
  d.replace(/^\[a-z0-9-\]\[a-z0-9\.-\]\*\\+\./, 'sub.').replace(/\\+\./g, '.');

/**
 * The requests that exercise a fragment: every catalog tool (each category member), every
 * declared agent and one no rule names, and for each condition the rules read its boundary
 * cases — amounts at the threshold and one either side (999 / 1,000 / 1,001), recipients
 * inside and outside each domain, with and without each label and origin, each time window,
 * and each quota's count less one, reached and passed.
 * Derived from the rules' text, so a model's fragment is probed as hard as the grammar's.
 */
export function probesFor(
  policy: CompiledPolicy,
  rules: readonly RuleDocument[],
  companyDomain = 'example.com',
): Probe[] {
  const text = rules.map((r) => `${r.when ?? ''} ${JSON.stringify(r.require ?? {})}`).join(' ');
  const variants: Variant[][] = [];
  for (const [, arg, literal] of text.matchAll(
    /args\.([A-Za-z_][A-Za-z0-9_]*)\s*(?:>=|<=|>|<|==)\s*(-?\d+(?:\.\d+)?)/g,
  )) {
    const n = Number(literal);
    variants.push(
      [n - 1, n, n + 1].map((v) => ({
        label: `${arg}=${v}`,
        apply: (p) => {
          if (arg && arg in p.args) p.args[arg] = v;
        },
      })),
    );
  }
  // Each account a rule names, and one it does not.
  for (const [, arg, list] of text.matchAll(
    /args\.([A-Za-z_][A-Za-z0-9_]*)\.lowerAscii\(\) in \[([^\]]*)\]/g,
  )) {
    const accounts = [...(list as string).matchAll(/"([^"\\]*)"/g)].map((m) => m[1] as string);
    variants.push(
      [...accounts, 'acct-unnamed-0'].map((v) => ({
        label: `${arg}=${v}`,
        apply: (p) => {
          if (arg && arg in p.args) p.args[arg] = v;
        },
      })),
    );
  }
  const domains = new Set([companyDomain]);
  for (const [, d] of text.matchAll(/@((?:[a-z0-9-]+\\*\.)+[a-z]{2,})/gi))
    domains.add(unescapeDomain(d as string).toLowerCase());
  // A list of domains counted as one ("@(?:example\\.com|partner\\.org)"): each of them.
  for (const [, list] of text.matchAll(/@\(\?:([^)]*)\)/g))
    for (const d of (list as string).split('|')) domains.add(unescapeDomain(d).toLowerCase());
  const recipientVariants: Variant[] = [];
  for (const d of domains) {
    recipientVariants.push({ label: `to ${d}`, apply: (p) => setRecipients(p, [`bob@${d}`]) });
  }
  recipientVariants.push({
    label: 'to elsewhere.test',
    apply: (p) => setRecipients(p, ['eve@elsewhere.test']),
  });
  recipientVariants.push({
    label: `to ${companyDomain} and elsewhere.test`,
    apply: (p) => setRecipients(p, [`bob@${companyDomain}`, 'eve@elsewhere.test']),
  });
  // "more than 3 recipients": lists one short of, at and one past the count.
  for (const [, literal] of text.matchAll(/size\(args\.[A-Za-z_][A-Za-z0-9_]*\)\s*(?:>=|<=|>|<)\s*(\d+)/g)) {
    const n = Number(literal);
    for (const size of new Set([Math.max(1, n - 1), Math.max(1, n), n + 1]))
      recipientVariants.push({
        label: `to ${size} recipients`,
        apply: (p) =>
          setRecipients(
            p,
            Array.from({ length: size }, (_, i) => `r${i}@${companyDomain}`),
          ),
      });
  }
  variants.push(recipientVariants);
  for (const [, label, arg] of text.matchAll(/"([a-z_]+)" in provenance\["([^"\]]+)"\]/g)) {
    variants.push([
      { label: `no ${label} in ${arg}`, apply: () => {} },
      {
        label: `${arg} came from ${label}`,
        apply: (p) => {
          p.provenance[listPath(p, arg as string)] = [label as string];
        },
      },
      {
        label: `${arg} came from ${label} and the user`,
        apply: (p) => {
          p.provenance[listPath(p, arg as string)] = [label as string];
          p.origin[listPath(p, arg as string)] = ['user_input', label as string];
        },
      },
    ]);
  }
  // The policy's own positive-provenance rules ask a person about values nothing vouches for;
  // a probe whose values the user gave shows what the fragment itself decides.
  if (policy.rules.some((r) => r.require)) {
    variants.push([
      {
        label: 'values from the user',
        apply: (p) => {
          for (const [k, v] of Object.entries(p.args)) {
            if (Array.isArray(v))
              v.forEach((_, i) => {
                p.origin[`${k}[${i}]`] = ['user_input'];
              });
            else p.origin[k] = ['user_input'];
          }
        },
      },
      { label: 'values from nowhere known', apply: () => {} },
    ]);
  }
  const requireArgs = new Set<string>();
  for (const r of rules) for (const arg of Object.keys(r.require?.origin ?? {})) requireArgs.add(arg);
  for (const arg of requireArgs) {
    variants.push(
      ['user_input', 'trusted', 'untrusted', undefined].map((o) => ({
        label: o ? `${arg} from ${o}` : `${arg} from nowhere known`,
        apply: (p) => {
          if (o) p.origin[listPath(p, arg)] = [o];
        },
      })),
    );
  }
  const mentionArgs = new Set<string>();
  for (const r of rules) for (const arg of Object.keys(r.require?.mentions ?? {})) mentionArgs.add(arg);
  for (const arg of mentionArgs) {
    variants.push(
      [undefined, 'user_input', 'untrusted'].map((o) => ({
        label: o ? `${arg} mentions ${o}` : `${arg} mentions nothing`,
        apply: (p) => {
          if (o) p.mentions[arg] = [o];
        },
      })),
    );
  }
  for (const [, label] of text.matchAll(/"([a-z_]+)" in session\.labels/g)) {
    variants.push([
      { label: 'session clean', apply: () => {} },
      {
        label: `session saw ${label}`,
        apply: (p) => {
          p.labels.push(label as string);
        },
      },
    ]);
  }
  for (const [, intent] of text.matchAll(/session\.intent == "([^"]+)"/g)) {
    variants.push([
      { label: 'no intent', apply: () => {} },
      {
        label: `intent ${intent}`,
        apply: (p) => {
          p.intent = intent as string;
        },
      },
    ]);
  }
  // "without a declared intent": a session with none, and one with an intent the policy declares.
  if (/session\.intent [!=]= ""/.test(text)) {
    const declared = [...policy.intents.keys()][0] ?? 'declared-intent';
    variants.push([
      { label: 'no intent', apply: () => {} },
      {
        label: `intent ${declared}`,
        apply: (p) => {
          p.intent = declared;
        },
      },
    ]);
  }
  for (const [, op, literal] of text.matchAll(/session\.calls\s*(>=|<=|>|<|==)\s*(\d+)/g)) {
    void op;
    const n = Number(literal);
    variants.push(
      [n - 1, n, n + 1]
        .filter((v) => v >= 0)
        .map((v) => ({
          label: `${v} calls before`,
          apply: (p) => {
            p.calls = v;
          },
        })),
    );
  }
  // Each quota below, at and above its count; every other quota rule counts nothing yet.
  for (const r of rules) {
    const max = r.quota?.max;
    if (max === undefined) continue;
    variants.push(
      [max - 1, max, max + 1]
        .filter((v) => v >= 0)
        .map((v) => ({
          label: `${v} made under ${r.id}`,
          apply: (p) => {
            p.usage[r.id] = v;
          },
        })),
    );
  }
  const freshUsage = Object.fromEntries(
    [...policy.rules, ...rules].filter((r) => r.quota !== undefined).map((r) => [r.id, 0]),
  );
  if (/\bnow\b|resource\.state/.test(text)) {
    const times = [
      '2026-11-04T03:00:00Z',
      '2026-11-04T12:00:00Z',
      '2026-11-04T20:00:00Z',
      '2026-11-07T12:00:00Z',
      '2026-11-08T23:00:00Z',
    ];
    for (const s of policy.states) if (s.from) times.push(new Date(s.from.getTime() + 36e5).toISOString());
    // Each edge of a stated span of dates, an hour either side.
    for (const [, t] of text.matchAll(/timestamp\("([^"]+)"\)/g)) {
      const at = Date.parse(t as string);
      if (Number.isFinite(at))
        for (const d of [-36e5, 36e5]) times.push(new Date(at + d).toISOString().replace('.000Z', 'Z'));
    }
    // Each edge of a yearly span of days (month × 100 + day), the day itself and either side.
    for (const [, key] of text.matchAll(/getDate\("UTC"\)\s*(?:>=|<=)\s*(\d{3,4})/g)) {
      const k = Number(key);
      const day = Date.UTC(2026, Math.floor(k / 100) - 1, k % 100, 12);
      for (const d of [-864e5, 0, 864e5]) times.push(new Date(day + d).toISOString().replace('.000Z', 'Z'));
    }
    variants.push(
      [...new Set(times)].map((t) => ({
        label: `at ${t.slice(0, 16)}Z`,
        apply: (p) => {
          p.now = new Date(t);
        },
      })),
    );
  }

  const agents: { identity: AgentIdentity; name?: string }[] = [...policy.agents.values()]
    .slice(0, 12)
    .map((a) => ({
      identity: { ...a, grants: ['*'] },
      name: a.name,
    }));
  const labels = new Set<string>();
  for (const [, l] of text.matchAll(/"([a-z_]+)" in agent\.labels/g)) labels.add(l as string);
  agents.push({
    identity: {
      id: 'agt_nl_unnamed',
      name: UNNAMED_AGENT,
      owner: `owner@${companyDomain}`,
      status: 'active',
      grants: ['*'],
    },
  });
  for (const l of labels)
    agents.push({
      identity: {
        id: `agt_nl_${l}`,
        name: `nl-${l}-agent`,
        owner: `owner@${companyDomain}`,
        status: 'active',
        grants: ['*'],
        labels: [l],
        classification: l,
      },
    });

  const probes: Probe[] = [];
  const combos = product(variants.filter((v) => v.length > 0));
  for (const tool of policy.tools.values()) {
    for (const agent of agents) {
      for (const combo of combos) {
        if (probes.length >= MAX_PROBES) return probes;
        const p: MutableProbe = {
          args: baseArgs(tool, companyDomain),
          now: DEFAULT_NOW,
          labels: [],
          calls: 0,
          provenance: {},
          origin: {},
          mentions: {},
          usage: { ...freshUsage },
        };
        for (const v of combo) v.apply(p);
        probes.push({
          request: {
            agent: agent.identity,
            tool: tool.name,
            args: p.args,
            now: p.now,
            session: { labels: p.labels, calls: p.calls, ...(p.intent && { intent: p.intent }) },
            ...(Object.keys(p.provenance).length > 0 && { provenance: p.provenance }),
            ...(Object.keys(p.origin).length > 0 && { origin: p.origin }),
            ...(Object.keys(p.mentions).length > 0 && { mentions: p.mentions }),
            ...(Object.keys(p.usage).length > 0 && { usage: p.usage }),
          },
          ...(agent.name !== undefined && { agentName: agent.name }),
          summary: combo.map((v) => v.label).join(', '),
          facts: {
            args: p.args,
            resource: { ...tool.resource, ...stateAt(policy, tool.name, p.now) },
            now: p.now,
            sessionLabels: p.labels,
            ...(p.intent && { intent: p.intent }),
            calls: p.calls,
            provenance: p.provenance,
            origin: p.origin,
          },
        });
      }
    }
  }
  return probes;
}

function setRecipients(p: MutableProbe, addresses: string[]) {
  for (const key of ['to', 'recipients', 'recipient', 'email']) {
    if (!(key in p.args)) continue;
    p.args[key] = Array.isArray(p.args[key]) ? addresses : (addresses[0] as string);
  }
}

const listPath = (p: MutableProbe, arg: string) => (Array.isArray(p.args[arg]) ? `${arg}[0]` : arg);

function stateAt(policy: CompiledPolicy, tool: string, now: Date): Record<string, unknown> {
  for (const s of policy.states) {
    const covers = s.tools.some((g) =>
      new RegExp(`^${g.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(tool),
    );
    if (covers && (!s.from || now >= s.from) && (!s.until || now < s.until)) return { state: s.state };
  }
  return {};
}

/** Cartesian product, capped so that a sentence with many conditions stays bounded. */
function product(dimensions: Variant[][]): Variant[][] {
  let out: Variant[][] = [[]];
  for (const d of dimensions) {
    const next: Variant[][] = [];
    for (const prefix of out) for (const v of d) next.push([...prefix, v]);
    out = next.length > 400 ? next.slice(0, 400) : next;
  }
  return out;
}

/**
 * What the sentence predicts for a probe, from its meaning alone: the rule applies when its
 * subject, tool and every condition hold (a missing fact counts as holding for deny and
 * approve, as the PDP's fail-closed errors do), and then the decision is at least as strict
 * as the sentence's effect.
 */
export function predictedEffect(
  meaning: SentenceMeaning,
  probe: Probe,
  before: Effect,
  /** The id of the meaning's rule, which the probe's usage counts by. */
  ruleId?: string,
): Effect {
  const agent = probe.request.agent;
  if (meaning.agents.length > 0 && !meaning.agents.includes(agent.name)) return before;
  if (meaning.exceptAgents.includes(agent.name)) return before;
  if (
    meaning.agentLabel !== undefined &&
    !(agent.labels ?? []).includes(meaning.agentLabel) &&
    agent.classification !== meaning.agentLabel
  )
    return before;
  if (!meaning.tools.includes(probe.request.tool)) return before;
  for (const c of meaning.conditions) {
    const holds = conditionHolds(c, probe.facts);
    if (holds === false || (holds === undefined && meaning.effect === 'allow')) return before;
  }
  // Below its count a quota rule does not apply; a count the probe lacks fails closed.
  const used = ruleId === undefined ? undefined : probe.request.usage?.[ruleId];
  if (meaning.quota && used !== undefined && used < meaning.quota.max) return before;
  if (meaning.require) {
    // A `mentions` entry is one list of origins per identifier (a flat list stands for one).
    const originSets = (value: readonly (string | readonly string[])[]): (readonly string[])[] =>
      value.every((v) => typeof v === 'string')
        ? [value as readonly string[]]
        : value.map((v) => (typeof v === 'string' ? [v] : v));
    const met = (
      required: Readonly<Record<string, readonly string[]>> | undefined,
      given: Readonly<Record<string, readonly (string | readonly string[])[]>> | undefined,
      absentMeets: boolean,
    ) =>
      Object.entries(required ?? {}).every(([arg, accepted]) => {
        const entries = Object.entries(given ?? {}).filter(
          ([k]) => k === arg || k.startsWith(`${arg}[`) || k.startsWith(`${arg}.`),
        );
        if (entries.length === 0) return absentMeets;
        return entries.every(([, value]) =>
          originSets(value).every((origins) =>
            origins.some(
              (o) => accepted.includes(o) || (o === 'endorsed' && accepted.includes('user_input')),
            ),
          ),
        );
      });
    if (
      met(meaning.require.origin, probe.request.origin, false) &&
      met(meaning.require.mentions, probe.request.mentions, true)
    )
      return before;
  }
  return stricter(before, meaning.effect);
}

/** Whether a rule's `match` selects an agent (when given) and a tool of the catalog. */
export function ruleSelects(
  rule: RuleDocument,
  policy: CompiledPolicy,
  toolName: string,
  agent?: string,
): boolean {
  const tool = policy.tools.get(toolName);
  if (!tool) return false;
  const m = rule.match ?? {};
  return (
    (agent === undefined || !m.agents || m.agents.some((g) => compileGlob(g).test(agent))) &&
    (!m.tools || m.tools.some((g) => compileGlob(g).test(toolName))) &&
    (!m.categories || m.categories.some((c) => tool.categories.includes(c)))
  );
}
