/**
 * Deterministic scenarios for the PDP benchmark: one logical rule set rendered
 * twice, as a Gatehouse policy (YAML + CEL) and as a Cedar policy set with
 * entities, plus one request mix that both engines decide.
 *
 * Everything comes from a seeded PRNG, so the same seed always gives the same
 * catalog, agents, rules and requests (and so comparable runs).
 *
 * How the Gatehouse semantics (DESIGN §3) map onto Cedar is tabled in
 * bench/README.md. In short: grants are per-agent `permit`s; the gate (agent
 * unknown or not active, tool not granted, tool not in the catalog) and deny
 * rules are `forbid`s annotated `@effect("deny")`; approve rules are `forbid`s
 * annotated `@effect("approve")`; allow rules are `permit`s. Tool globs become
 * `resource in Service::…`, `resource == Tool::…` or `resource.name like …`.
 *
 * Conditions that read an argument are guarded (`has(args.x) &&` in CEL,
 * `context.args has x &&` in Cedar) because the engines differ on errors:
 * Gatehouse counts a failing deny/approve condition as holding (fail closed),
 * Cedar skips a policy whose condition errors. With the guards neither side
 * errors on any request of the mix for a known agent and tool, so the two
 * rule sets mean the same thing.
 */

/** Seed used by `npm run bench`; change it to get a different (but equally deterministic) scenario. */
export const DEFAULT_SEED = 0x6a7e_4005;

const SYSTEMS = ['orders', 'billing', 'crm', 'hr', 'payroll', 'inventory', 'analytics', 'support'];
const ENVS = ['production', 'production', 'staging', 'dev'];
const LABELS = ['untrusted', 'pii', 'confidential', 'secret', 'user_input'];
const NOUNS = ['record', 'report', 'invoice', 'message', 'user', 'file', 'job', 'ticket'];
const RECIPIENTS = ['bob@example.com', 'ops@example.com', 'eve@evil.test', 'partner@vendor.test'];
const AMOUNTS = [20, 250, 900, 1200, 4000, 25_000];
const THRESHOLDS = [500, 1000, 5000, 10_000];

/** Tool verbs and the categories a tool with that verb has. */
const VERBS = [
  { verb: 'read', categories: ['read'] },
  { verb: 'list', categories: ['read'] },
  { verb: 'write', categories: ['write'] },
  { verb: 'delete', categories: ['delete'] },
  { verb: 'send', categories: ['external_communication'] },
  { verb: 'pay', categories: ['financial', 'write'] },
  { verb: 'refund', categories: ['financial'] },
  { verb: 'configure', categories: ['config_change'] },
  { verb: 'run', categories: ['code_execution'] },
  { verb: 'delegate', categories: ['agent_delegation'] },
];

/**
 * A small, fast, seeded PRNG (mulberry32).
 *
 * @param {number} seed 32-bit seed
 * @returns {() => number} uniform numbers in [0, 1)
 */
export function createRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picking and sampling on top of a PRNG. */
class Chooser {
  /** @param {() => number} random */
  constructor(random) {
    this.random = random;
  }

  /** @param {number} n */
  int(n) {
    return Math.floor(this.random() * n);
  }

  /** @template T @param {readonly T[]} list @returns {T} */
  pick(list) {
    return list[this.int(list.length)];
  }

  /** @param {number} p */
  chance(p) {
    return this.random() < p;
  }

  /** @template T @param {readonly T[]} list @param {number} count @returns {T[]} distinct items */
  sample(list, count) {
    const pool = [...list];
    const out = [];
    while (out.length < count && pool.length > 0) out.push(pool.splice(this.int(pool.length), 1)[0]);
    return out;
  }

  /** @param {Record<string, number>} weights @returns {string} */
  weighted(weights) {
    const total = Object.values(weights).reduce((a, b) => a + b, 0);
    let r = this.random() * total;
    for (const [key, weight] of Object.entries(weights)) {
      r -= weight;
      if (r < 0) return key;
    }
    return Object.keys(weights)[0];
  }
}

/**
 * @typedef {object} Tool
 * @property {string} name
 * @property {string} service
 * @property {string} verb
 * @property {string[]} categories
 * @property {{ system: string, env: string }} resource
 */

/**
 * @typedef {object} Agent
 * @property {string} name
 * @property {'active' | 'suspended'} status
 * @property {string[]} grants tool globs
 */

/**
 * The catalog and the agents: shared by every rule count so that the same
 * requests run against every policy size.
 *
 * @param {number} seed
 * @returns {{ tools: Tool[], services: string[], agents: Agent[] }}
 */
export function generateCatalog(seed) {
  const choose = new Chooser(createRandom(seed));
  const services = Array.from({ length: 24 }, (_, i) => `svc${String(i + 1).padStart(2, '0')}`);
  /** @type {Tool[]} */
  const tools = [];
  for (const service of services) {
    const resource = { system: choose.pick(SYSTEMS), env: choose.pick(ENVS) };
    const verbs = choose.sample(VERBS, 4 + choose.int(4));
    for (const { verb, categories } of verbs) {
      for (const noun of choose.sample(NOUNS, 1 + choose.int(2))) {
        tools.push({ name: `${service}.${verb}_${noun}`, service, verb, categories, resource });
      }
    }
  }
  const toolNames = tools.map((t) => t.name);
  const servicesOf = (count) => choose.sample(services, count).map((s) => `${s}.*`);
  /** @type {Agent[]} */
  const agents = [
    { name: 'support-bot', status: 'active', grants: [...servicesOf(4), '*.read_*', '*.list_*'] },
    { name: 'billing-bot', status: 'active', grants: [...servicesOf(5), ...choose.sample(toolNames, 6)] },
    { name: 'ops-agent-1', status: 'active', grants: [...servicesOf(8), '*.configure_*'] },
    { name: 'ops-agent-2', status: 'active', grants: [...servicesOf(8), '*.run_*'] },
    { name: 'research-bot', status: 'active', grants: ['*.read_*', '*.list_*', ...servicesOf(2)] },
    { name: 'legacy-bot', status: 'suspended', grants: [...servicesOf(6)] },
  ];
  return { tools, services, agents };
}

/**
 * A rule in engine-neutral form. `when` is a list of conditions that must
 * all hold.
 *
 * @typedef {object} Rule
 * @property {string} id
 * @property {'allow' | 'deny' | 'approve'} effect
 * @property {{ agents?: string[], tools?: string[], categories?: string[], labels?: string[] }} match
 * @property {Condition[]} when
 * @property {{ approvers: number, groups?: string[] }} [approval]
 */

/**
 * @typedef {{ kind: 'resource-is', field: 'env' | 'system', value: string }
 *   | { kind: 'arg-above', field: string, value: number }
 *   | { kind: 'arg-not-suffix', field: string, suffix: string }
 *   | { kind: 'arg-true', field: string }
 *   | { kind: 'session-has', label: string }} Condition
 */

/**
 * About this many rules of every set are org-wide guardrails (by category,
 * by verb across services, by label); the rest are scoped to one service or
 * tool, as the rules of a large policy written by many teams are.
 */
const GUARDRAILS = 8;

/**
 * Generates `count` rules over a catalog: deny rules by category on the
 * resource, approve rules on amounts, deny rules on tool globs, allow rules,
 * rules scoped to agents, rules on session labels. A few are org-wide
 * guardrails; the rest are team rules scoped to a tool or a service.
 *
 * @param {ReturnType<typeof generateCatalog>} catalog
 * @param {number} count
 * @param {number} seed
 * @returns {Rule[]}
 */
export function generateRules(catalog, count, seed) {
  const choose = new Chooser(createRandom(seed ^ Math.imul(count, 0x9e3779b1)));
  const { tools } = catalog;
  const agentNames = catalog.agents.map((a) => a.name);
  const financialTools = tools.filter((t) => t.categories.includes('financial'));
  const verbGlobs = [...new Set(tools.map((t) => `*.${t.verb}_*`))];
  /** One tool, one verb of one service, or one whole service. */
  const pickScope = (from = tools) => {
    const tool = choose.pick(from);
    const shape = choose.weighted({ tool: 50, verb: 35, service: 15 });
    if (shape === 'tool') return tool.name;
    return shape === 'verb' ? `${tool.service}.${tool.verb}_*` : `${tool.service}.*`;
  };
  const pickAgent = () => (choose.chance(0.8) ? choose.pick(agentNames) : choose.pick(['ops-*', '*-bot']));
  const label = () => ({ kind: 'session-has', label: choose.pick(LABELS) });
  const amount = () => ({ kind: 'arg-above', field: 'amount', value: choose.pick(THRESHOLDS) });
  const approval = () => (choose.chance(0.5) ? { approvers: 2, groups: ['finance'] } : { approvers: 1 });
  const guardrailShare = Math.min(1, GUARDRAILS / count);

  /** @type {Rule[]} */
  const rules = [];
  for (let i = 0; i < count; i++) {
    const id = `r${String(i + 1).padStart(4, '0')}`;
    /** @type {Omit<Rule, 'id'> & { name: string }} */
    let rule;
    if (choose.chance(guardrailShare)) {
      const kind = choose.weighted({ category: 30, amount: 20, recipient: 20, label: 20, verb: 10 });
      if (kind === 'category') {
        const when = [{ kind: 'resource-is', field: 'env', value: 'production' }];
        if (choose.chance(0.7))
          when.push({ kind: 'resource-is', field: 'system', value: choose.pick(SYSTEMS) });
        const categories = choose.sample(['delete', 'config_change', 'code_execution'], 1 + choose.int(2));
        rule = { name: 'deny-category', effect: 'deny', match: { categories }, when };
      } else if (kind === 'amount') {
        rule = {
          name: 'approve-amount',
          effect: 'approve',
          match: { categories: ['financial'] },
          when: [amount()],
        };
      } else if (kind === 'recipient') {
        rule = {
          name: 'external-recipient',
          effect: choose.pick(['deny', 'approve']),
          match: { agents: [pickAgent()], categories: ['external_communication'] },
          when: [{ kind: 'arg-not-suffix', field: 'to', suffix: '@example.com' }],
        };
      } else if (kind === 'label') {
        rule = {
          name: 'label',
          effect: choose.pick(['deny', 'approve']),
          match: {
            labels: choose.sample(LABELS, 1 + choose.int(2)),
            categories: choose.sample(['external_communication', 'financial', 'code_execution'], 1),
          },
          when: [],
        };
      } else {
        rule = {
          name: 'deny-verb',
          effect: 'deny',
          match: { tools: [choose.pick(verbGlobs)] },
          when: [label()],
        };
      }
    } else {
      const kind = choose.weighted({
        label: 25,
        amount: 15,
        agent: 15,
        'agent-approve': 10,
        allow: 25,
        labels: 10,
      });
      if (kind === 'label') {
        const when = [label()];
        if (choose.chance(0.3)) when.push({ kind: 'resource-is', field: 'env', value: 'production' });
        rule = { name: 'deny-tools', effect: 'deny', match: { tools: [pickScope()] }, when };
      } else if (kind === 'amount') {
        rule = {
          name: 'approve-amount',
          effect: 'approve',
          match: { tools: [pickScope(financialTools)] },
          when: [amount()],
        };
      } else if (kind === 'agent') {
        rule = {
          name: 'agent-deny',
          effect: 'deny',
          match: { agents: [pickAgent()], tools: [pickScope()] },
          when: [{ kind: 'resource-is', field: 'env', value: choose.pick(['production', 'staging']) }],
        };
      } else if (kind === 'agent-approve') {
        rule = {
          name: 'agent-approve',
          effect: 'approve',
          match: { agents: [pickAgent()], tools: [pickScope()] },
          when: [label()],
        };
      } else if (kind === 'allow') {
        rule = {
          name: 'allow',
          effect: 'allow',
          match: { tools: [...new Set([pickScope(), pickScope()])] },
          when: choose.chance(0.5) ? [{ kind: 'arg-true', field: 'dry_run' }] : [],
        };
      } else {
        rule = {
          name: 'labels',
          effect: choose.pick(['deny', 'approve']),
          match: { labels: choose.sample(LABELS, 1 + choose.int(2)), tools: [pickScope()] },
          when: [],
        };
      }
    }
    const { name, ...body } = rule;
    if (body.effect === 'approve') body.approval = approval();
    rules.push({ id: `${id}-${name}`, ...body });
  }
  return rules;
}

/**
 * A request in Gatehouse form (`decide`'s input).
 *
 * @typedef {{ agent: string, tool: string, args: Record<string, unknown>, session?: { labels: string[] } }} GatehouseRequest
 */

/**
 * The request mix: mostly granted calls (which rules then allow, deny or
 * send to approval), plus calls outside the grants, by a suspended or unknown
 * agent, and to tools missing from the catalog.
 *
 * @param {ReturnType<typeof generateCatalog>} catalog
 * @param {number} count
 * @param {number} seed
 * @returns {GatehouseRequest[]}
 */
export function generateRequests(catalog, count, seed) {
  const choose = new Chooser(createRandom(seed ^ 0x5eed_0001));
  const { tools, agents } = catalog;
  const active = agents.filter((a) => a.status === 'active');
  const grantedTools = new Map(
    agents.map((a) => [a.name, tools.filter((t) => a.grants.some((g) => globToRegExp(g).test(t.name)))]),
  );
  /** @type {GatehouseRequest[]} */
  const requests = [];
  for (let i = 0; i < count; i++) {
    const kind = choose.weighted({ granted: 80, 'not-granted': 10, 'bad-agent': 5, 'unknown-tool': 5 });
    let agent = choose.pick(active);
    let tool;
    if (kind === 'granted') {
      tool = choose.pick(grantedTools.get(agent.name));
    } else if (kind === 'not-granted') {
      const granted = new Set(grantedTools.get(agent.name));
      tool = choose.pick(tools.filter((t) => !granted.has(t)));
    } else if (kind === 'bad-agent') {
      agent = choose.chance(0.5)
        ? agents.find((a) => a.status !== 'active')
        : { name: 'ghost-bot', grants: [] };
      tool = choose.pick(tools);
    } else {
      const base = choose.pick(grantedTools.get(agent.name));
      tool = { ...base, name: `${base.service}.${base.verb}_ghost`, categories: base.categories };
    }
    /** @type {GatehouseRequest} */
    const request = { agent: agent.name, tool: tool.name, args: argsFor(choose, tool) };
    if (choose.chance(0.4)) request.session = { labels: choose.sample(LABELS, 1 + choose.int(2)) };
    requests.push(request);
  }
  return requests;
}

/** @param {Chooser} choose @param {Tool} tool */
function argsFor(choose, tool) {
  /** @type {Record<string, unknown>} */
  const args = { id: `obj-${choose.int(10_000)}` };
  if (tool.categories.includes('financial')) {
    args.amount = choose.pick(AMOUNTS);
    args.currency = 'USD';
  }
  if (tool.categories.includes('external_communication')) {
    args.to = choose.pick(RECIPIENTS);
    args.subject = 'Quarterly numbers';
  }
  if (choose.chance(0.3)) args.dry_run = choose.chance(0.5);
  return args;
}

/**
 * How many rules select each catalog tool by their `tools` and `categories`
 * selectors alone (before agents, labels and conditions are looked at): the
 * rules an engine indexed by tool still has to consider for a call.
 *
 * @param {ReturnType<typeof generateCatalog>} catalog
 * @param {Rule[]} rules
 * @returns {Map<string, number>} tool name → number of rules
 */
export function rulesPerTool(catalog, rules) {
  const selectors = rules.map((r) => ({
    tools: r.match.tools?.map(globToRegExp),
    categories: r.match.categories,
  }));
  return new Map(
    catalog.tools.map((t) => [
      t.name,
      selectors.filter(
        (s) =>
          (!s.tools || s.tools.some((re) => re.test(t.name))) &&
          (!s.categories || s.categories.some((c) => t.categories.includes(c))),
      ).length,
    ]),
  );
}

/** Gatehouse glob semantics (`*` = any run of characters), for the generator's own bookkeeping. */
function globToRegExp(glob) {
  return new RegExp(`^${glob.split('*').map(escapeRegExp).join('.*')}$`);
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ---------------------------------------------------------------------------
// Rendering: Gatehouse YAML
// ---------------------------------------------------------------------------

const q = (value) => JSON.stringify(value);
const flowList = (list) => `[${list.map(q).join(', ')}]`;

/** @param {Condition} c */
function celOf(c) {
  switch (c.kind) {
    case 'resource-is':
      return `resource.${c.field} == ${q(c.value)}`;
    case 'arg-above':
      return `has(args.${c.field}) && args.${c.field} > ${c.value}`;
    case 'arg-not-suffix':
      return `has(args.${c.field}) && !args.${c.field}.endsWith(${q(c.suffix)})`;
    case 'arg-true':
      return `has(args.${c.field}) && args.${c.field} == true`;
    case 'session-has':
      return `${q(c.label)} in session.labels`;
  }
  throw new Error(`unknown condition ${JSON.stringify(c)}`);
}

/**
 * Renders the catalog and rules as one Gatehouse policy document.
 *
 * @param {ReturnType<typeof generateCatalog>} catalog
 * @param {Rule[]} rules
 * @returns {string} YAML text for `compilePolicy`
 */
export function renderGatehouse(catalog, rules) {
  const lines = ['version: 1', 'tools:'];
  for (const t of catalog.tools) {
    lines.push(
      `  ${t.name}: { categories: ${flowList(t.categories)}, resource: { system: ${q(t.resource.system)}, env: ${q(t.resource.env)} } }`,
    );
  }
  lines.push('agents:');
  for (const a of catalog.agents) {
    lines.push(`  ${a.name}:`, `    owner: ${q(`${a.name}-owner@example.com`)}`);
    if (a.status !== 'active') lines.push(`    status: ${a.status}`);
    lines.push(`    grants: ${flowList(a.grants)}`);
  }
  lines.push('groups:', '  finance: ["carol@example.com", "dave@example.com", "erin@example.com"]', 'rules:');
  for (const r of rules) {
    lines.push(`  - id: ${r.id}`);
    const match = Object.entries(r.match).map(([key, list]) => `${key}: ${flowList(list)}`);
    if (match.length > 0) lines.push(`    match: { ${match.join(', ')} }`);
    if (r.when.length > 0) lines.push(`    when: ${q(r.when.map(celOf).join(' && '))}`);
    lines.push(`    effect: ${r.effect}`);
    if (r.approval) {
      const groups = r.approval.groups ? `, groups: ${flowList(r.approval.groups)}` : '';
      lines.push(`    approval: { approvers: ${r.approval.approvers}${groups} }`);
    }
  }
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------
// Rendering: Cedar
// ---------------------------------------------------------------------------

/**
 * A glob over tool names as a Cedar expression on `resource`.
 *
 * @param {string} glob
 * @param {ReadonlySet<string>} services
 */
function cedarToolGlob(glob, services) {
  if (!glob.includes('*')) return `resource == Tool::${q(glob)}`;
  const service = glob.slice(0, -2);
  if (glob.endsWith('.*') && services.has(service) && glob.indexOf('*') === glob.length - 1) {
    return `resource in Service::${q(service)}`;
  }
  return `resource.name like ${q(glob)}`;
}

/** @param {string} glob */
function cedarAgentGlob(glob) {
  return glob.includes('*') ? `principal.name like ${q(glob)}` : `principal == Agent::${q(glob)}`;
}

/** @param {Condition} c */
function cedarOf(c) {
  switch (c.kind) {
    case 'resource-is':
      return `resource.${c.field} == ${q(c.value)}`;
    case 'arg-above':
      return `context.args has ${c.field} && context.args.${c.field} > ${c.value}`;
    case 'arg-not-suffix':
      return `context.args has ${c.field} && !(context.args.${c.field} like ${q(`*${c.suffix}`)})`;
    case 'arg-true':
      return `context.args has ${c.field} && context.args.${c.field} == true`;
    case 'session-has':
      return `context.labels.contains(${q(c.label)})`;
  }
  throw new Error(`unknown condition ${JSON.stringify(c)}`);
}

const anyOf = (terms) => (terms.length === 1 ? terms[0] : `(${terms.join(' || ')})`);

/**
 * Renders the catalog, agents and rules as a Cedar policy set (keyed by
 * policy id, each annotated with the Gatehouse effect it stands for) and the
 * entities a caller passes with each request.
 *
 * @param {ReturnType<typeof generateCatalog>} catalog
 * @param {Rule[]} rules
 * @returns {{ policies: Record<string, string>, effects: Map<string, 'allow' | 'deny' | 'approve'>,
 *   agentEntities: Map<string, object>, toolEntities: Map<string, object> }}
 */
export function renderCedar(catalog, rules) {
  const services = new Set(catalog.services);
  /** @type {Record<string, string>} */
  const policies = {};
  /** @type {Map<string, 'allow' | 'deny' | 'approve'>} */
  const effects = new Map();
  const add = (id, effect, text) => {
    policies[id] = text;
    effects.set(id, effect);
  };
  const call = 'action == Action::"call"';

  add(
    'gate-agent-not-active',
    'deny',
    `@effect("deny") forbid(principal, ${call}, resource) unless { principal has status && principal.status == "active" };`,
  );
  add(
    'gate-unknown-tool',
    'deny',
    `@effect("deny") forbid(principal, ${call}, resource) unless { resource has name };`,
  );
  for (const a of catalog.agents) {
    const granted = anyOf(a.grants.map((g) => cedarToolGlob(g, services)));
    const agent = `principal == Agent::${q(a.name)}`;
    add(
      `grant-${a.name}`,
      'allow',
      `@effect("allow") permit(${agent}, ${call}, resource) when { ${granted} };`,
    );
    add(
      `gate-not-granted-${a.name}`,
      'deny',
      `@effect("deny") forbid(${agent}, ${call}, resource) unless { ${granted} };`,
    );
  }
  for (const r of rules) {
    const terms = [];
    if (r.match.agents) terms.push(anyOf(r.match.agents.map(cedarAgentGlob)));
    if (r.match.tools) terms.push(anyOf(r.match.tools.map((g) => cedarToolGlob(g, services))));
    if (r.match.categories) {
      terms.push(`resource in [${r.match.categories.map((c) => `Category::${q(c)}`).join(', ')}]`);
    }
    if (r.match.labels) terms.push(`context.labels.containsAny(${flowList(r.match.labels)})`);
    for (const c of r.when) terms.push(`(${cedarOf(c)})`);
    const body = terms.length > 0 ? ` when { ${terms.join(' && ')} }` : '';
    const kind = r.effect === 'allow' ? 'permit' : 'forbid';
    add(r.id, r.effect, `@effect(${q(r.effect)}) ${kind}(principal, ${call}, resource)${body};`);
  }

  const agentEntities = new Map(
    catalog.agents.map((a) => [
      a.name,
      { uid: { type: 'Agent', id: a.name }, attrs: { name: a.name, status: a.status }, parents: [] },
    ]),
  );
  const toolEntities = new Map(
    catalog.tools.map((t) => [
      t.name,
      {
        uid: { type: 'Tool', id: t.name },
        attrs: { name: t.name, system: t.resource.system, env: t.resource.env },
        parents: [
          { type: 'Service', id: t.service },
          ...t.categories.map((c) => ({ type: 'Category', id: c })),
        ],
      },
    ]),
  );
  return { policies, effects, agentEntities, toolEntities };
}

/**
 * The Cedar call for one Gatehouse request: principal, action, resource,
 * context (args and the request's labels) and the entity slice a caller
 * would load for it (the agent and the tool, each only if it exists).
 *
 * @param {ReturnType<typeof renderCedar>} cedar
 * @param {GatehouseRequest} request
 * @param {string} policySetId the id given to `preparsePolicySet`
 */
export function cedarCallFor(cedar, request, policySetId) {
  const entities = [cedar.agentEntities.get(request.agent), cedar.toolEntities.get(request.tool)].filter(
    (e) => e !== undefined,
  );
  return {
    principal: { type: 'Agent', id: request.agent },
    action: { type: 'Action', id: 'call' },
    resource: { type: 'Tool', id: request.tool },
    context: { args: request.args, labels: request.session?.labels ?? [] },
    preparsedPolicySetId: policySetId,
    entities,
  };
}

/**
 * Turns Cedar's answer into a Gatehouse effect: any determining policy
 * annotated deny → deny; else any annotated approve → approve; else allow if
 * Cedar allowed; else deny (nothing permitted it).
 *
 * @param {import('@cedar-policy/cedar-wasm/nodejs').AuthorizationAnswer} answer
 * @param {ReadonlyMap<string, string>} effects policy id → Gatehouse effect
 * @returns {'allow' | 'deny' | 'approve'}
 */
export function cedarEffect(answer, effects) {
  if (answer.type !== 'success') return 'deny';
  const { decision, diagnostics } = answer.response;
  if (decision === 'allow') return 'allow';
  let approve = false;
  for (const id of diagnostics.reason) {
    const effect = effects.get(id);
    if (effect === 'deny') return 'deny';
    if (effect === 'approve') approve = true;
  }
  return approve ? 'approve' : 'deny';
}
