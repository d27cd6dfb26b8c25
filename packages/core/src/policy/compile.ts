import { createHash } from 'node:crypto';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { type Diagnostic, PolicyCompileError } from '../errors.js';
import { type LoadedDocument, loadYamlDocuments, schemaDiagnostics } from '../yaml/document.js';
import { CompileReport, type Located, locationOf } from './compile-report.js';
import { compileRules, indexRulesByTool } from './compile-rules.js';
import { compileTests } from './compile-tests.js';
import {
  attachInternals,
  deepFreeze,
  FrozenMap,
  type StateWindowRuntime,
  type ToolActivation,
} from './compiled.js';
import { compileGlob, type Glob } from './glob.js';
import { lintRules } from './lint.js';
import { type PolicyDocument, policyDocumentSchema } from './schema.js';
import type { AgentIdentity, CompiledPolicy, PolicySource, SourceLocation, ToolDefinition } from './types.js';

/** Longest policy source accepted, in characters (2 MiB): a policy is read by people. */
export const MAX_POLICY_SOURCE_LENGTH = 2 * 1024 * 1024;

// `verbose` exposes each failing keyword's schema, which the 'did you mean' hints read.
const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
const validateDocument = ajv.compile(policyDocumentSchema);
// Tool argument schemas are checked against the meta-schema only; the
// validate step of the enforcement path compiles them.
const metaSchemaChecker = new Ajv2020({ strict: false, validateSchema: true });

/** Accepted forms of policy input: one text, one named source, or several. */
export type PolicyInput = string | PolicySource | readonly PolicySource[];

/**
 * Parses, validates, type-checks and indexes policy sources into an
 * immutable `CompiledPolicy`.
 *
 * Throws `PolicyCompileError` with every error (and warning) found; nothing is
 * ever partly compiled.
 *
 * @example
 * ```ts
 * const policy = compilePolicy({ name: 'policy.yaml', text: readFileSync('policy.yaml', 'utf8') });
 * ```
 */
export function compilePolicy(source: PolicyInput): CompiledPolicy {
  const { policy, diagnostics } = checkPolicy(source);
  if (!policy) throw new PolicyCompileError(diagnostics);
  return policy;
}

/**
 * Like `compilePolicy`, but never throws: returns every diagnostic, and the
 * compiled policy when there was no error.
 */
export function checkPolicy(source: PolicyInput): {
  policy?: CompiledPolicy;
  diagnostics: readonly Diagnostic[];
} {
  const sources = normalizeSources(source);
  const compiler = new PolicyCompiler();
  const policy = compiler.compile(sources);
  const order = new Map(sources.map((s, i) => [s.name, i]));
  const diagnostics = [...compiler.diagnostics].sort(
    (a, b) => (order.get(a.file) ?? 0) - (order.get(b.file) ?? 0) || a.line - b.line || a.column - b.column,
  );
  return policy ? { policy, diagnostics } : { diagnostics };
}

function normalizeSources(source: PolicyInput): readonly PolicySource[] {
  if (typeof source === 'string') return [{ name: '<policy>', text: source }];
  if (Array.isArray(source)) return source as readonly PolicySource[];
  return [source as PolicySource];
}

class PolicyCompiler extends CompileReport {
  /** Every rule id written in any document, compiled or not. */
  private readonly declaredRuleIds = new Set<string>();
  /** Per document, the items (`rules[3]`, `tools["x"]`) that failed the schema. */
  private readonly brokenItems = new Map<LoadedDocument, Set<string>>();

  compile(sources: readonly PolicySource[]): CompiledPolicy | undefined {
    if (sources.length === 0) {
      this.diagnostics.push({
        severity: 'error',
        code: 'GH_POLICY_EMPTY',
        message: 'no policy documents were given',
        file: '<policy>',
        line: 0,
        column: 0,
      });
      return undefined;
    }
    const documents = this.parse(sources);
    const merged = this.merge(documents);
    const tools = this.compileTools(merged.tools);
    const groups = new Map(merged.groups.map((g) => [g.path[1] as string, g.value] as const));
    const agents = this.compileAgents(merged.agents, tools);
    const rules = compileRules(this, merged.rules, tools, groups);
    const tests = compileTests(this, merged.tests, agents, rules, this.declaredRuleIds);
    const intents = this.compileIntents(merged.intents, tools);
    const states = this.compileStates(merged.states, tools);
    if (this.hasErrors()) return undefined;

    const candidatesByTool = indexRulesByTool(rules, tools);
    this.diagnostics.push(...lintRules(rules, candidatesByTool, tools));

    const toolActivations = new Map<string, ToolActivation>();
    for (const tool of tools.values()) toolActivations.set(tool.name, toolActivationOf(tool));

    const policy: CompiledPolicy = {
      hash: hashSources(sources),
      sources: sources.map((s) => s.name),
      tools: new FrozenMap(tools),
      agents: new FrozenMap(agents),
      groups: new FrozenMap(groups),
      rules: rules.map((r) => r.rule),
      tests,
      intents: new FrozenMap(
        [...intents].map(([name, globs]) => [name, globs.map((g) => g.pattern)] as const),
      ),
      states: states.map((w) => w.window),
      warnings: this.diagnostics.filter((d) => d.severity === 'warning'),
    };
    deepFreeze(policy.rules);
    deepFreeze(policy.tests);
    deepFreeze(policy.warnings);
    attachInternals(policy, {
      rules,
      candidatesByTool: new FrozenMap(candidatesByTool),
      toolActivations: new FrozenMap(toolActivations),
      rulesById: new FrozenMap(rules.map((r) => [r.rule.id, r] as const)),
      intentGlobs: new FrozenMap(intents),
      stateWindows: states,
      hasObligations: rules.some((r) => r.rule.obligations !== undefined),
      hasQuotas: rules.some((r) => r.rule.quota !== undefined),
      grantGlobs: new Map(),
    });
    return Object.freeze(policy);
  }

  private parse(sources: readonly PolicySource[]): LoadedDocument[] {
    const valid: LoadedDocument[] = [];
    for (const source of sources) {
      const { documents, diagnostics } = loadYamlDocuments(source, {
        maxLength: MAX_POLICY_SOURCE_LENGTH,
        syntaxCode: 'GH_POLICY_YAML',
        tooLargeCode: 'GH_POLICY_TOO_LARGE',
      });
      this.diagnostics.push(...diagnostics);
      if (diagnostics.length === 0 && documents.length === 0) {
        this.diagnostics.push({
          severity: 'error',
          code: 'GH_POLICY_EMPTY',
          message: 'the source holds no policy document',
          file: source.name,
          line: 0,
          column: 0,
        });
      }
      for (const doc of documents) {
        const problems = schemaDiagnostics(doc, validateDocument, 'GH_POLICY_SCHEMA');
        this.diagnostics.push(...problems);
        const broken = brokenItems(problems);
        if (broken === 'document') continue;
        if (broken.size > 0) this.brokenItems.set(doc, broken);
        valid.push(doc);
      }
    }
    return valid;
  }

  /** Stage 2: documents into one namespace; a name declared twice is an error at the second place. */
  private merge(documents: readonly LoadedDocument[]) {
    const tools: Located<NonNullable<PolicyDocument['tools']>[string]>[] = [];
    const agents: Located<NonNullable<PolicyDocument['agents']>[string]>[] = [];
    const groups: Located<string[]>[] = [];
    const rules: Located<NonNullable<PolicyDocument['rules']>[number]>[] = [];
    const tests: Located<NonNullable<PolicyDocument['tests']>[number]>[] = [];
    const intents: Located<NonNullable<PolicyDocument['intents']>[string]>[] = [];
    const states: Located<NonNullable<PolicyDocument['states']>[number]>[] = [];
    const firstSeen = new Map<string, SourceLocation>();
    const unique = (
      kind: string,
      name: string,
      doc: LoadedDocument,
      path: readonly (string | number)[],
      at: 'key' | 'value',
    ) => {
      const key = `${kind}\u0000${name}`;
      const prior = firstSeen.get(key);
      if (prior) {
        this.error(
          'GH_POLICY_DUPLICATE',
          `${kind} '${name}' is already declared at ${prior.file}:${prior.line}`,
          doc,
          path,
          at,
        );
        return false;
      }
      firstSeen.set(key, locationOf(doc, path, at));
      return true;
    };
    for (const doc of documents) {
      const broken = this.brokenItems.get(doc);
      // Ids of every rule written, even ones with errors, so that a test naming
      // a broken rule is not also reported as naming a missing one.
      const written = (doc.value as { rules?: unknown }).rules;
      for (const rule of Array.isArray(written) ? written : []) {
        const id = (rule as { id?: unknown } | null)?.id;
        if (typeof id === 'string') this.declaredRuleIds.add(id);
      }
      const value = pruneItems(doc.value as PolicyDocument, broken);
      for (const [name, tool] of Object.entries(value.tools ?? {})) {
        if (unique('tool', name, doc, ['tools', name], 'key'))
          tools.push({ value: tool, doc, path: ['tools', name] });
      }
      for (const [name, agent] of Object.entries(value.agents ?? {})) {
        if (unique('agent', name, doc, ['agents', name], 'key'))
          agents.push({ value: agent, doc, path: ['agents', name] });
      }
      for (const [name, members] of Object.entries(value.groups ?? {})) {
        if (unique('group', name, doc, ['groups', name], 'key'))
          groups.push({ value: members, doc, path: ['groups', name] });
      }
      (value.rules ?? []).forEach((rule, i) => {
        if (rule === undefined) return;
        if (unique('rule', rule.id, doc, ['rules', i, 'id'], 'value'))
          rules.push({ value: rule, doc, path: ['rules', i] });
      });
      for (const [name, intent] of Object.entries(value.intents ?? {})) {
        if (unique('intent', name, doc, ['intents', name], 'key'))
          intents.push({ value: intent, doc, path: ['intents', name] });
      }
      (value.states ?? []).forEach((state, i) => {
        if (state !== undefined) states.push({ value: state, doc, path: ['states', i] });
      });
      (value.tests ?? []).forEach((test, i) => {
        if (test === undefined) return;
        if (unique('test', test.name, doc, ['tests', i, 'name'], 'value'))
          tests.push({ value: test, doc, path: ['tests', i] });
      });
    }
    return { tools, agents, groups, rules, tests, intents, states };
  }

  private compileTools(
    entries: readonly Located<NonNullable<PolicyDocument['tools']>[string]>[],
  ): Map<string, ToolDefinition> {
    const tools = new Map<string, ToolDefinition>();
    for (const { value, doc, path } of entries) {
      const name = path[1] as string;
      if (value.schema !== undefined && !schemaIsValid(value.schema)) {
        const why = metaSchemaChecker.errors
          ? metaSchemaChecker.errorsText(metaSchemaChecker.errors, { dataVar: 'schema' })
          : 'its $schema names a dialect other than JSON Schema 2020-12';
        this.error('GH_POLICY_SCHEMA', `tool '${name}' has an invalid JSON Schema: ${why}`, doc, [
          ...path,
          'schema',
        ]);
        continue;
      }
      tools.set(name, {
        name,
        ...(value.description !== undefined && { description: value.description }),
        ...(value.server !== undefined && { server: value.server }),
        categories: value.categories,
        labels: value.labels ?? [],
        resource: value.resource ?? {},
        ...(value.schema !== undefined && { schema: value.schema }),
        ...(value.risk !== undefined && { risk: value.risk }),
        location: locationOf(doc, path, 'key'),
      });
    }
    return tools;
  }

  private compileAgents(
    entries: readonly Located<NonNullable<PolicyDocument['agents']>[string]>[],
    tools: ReadonlyMap<string, ToolDefinition>,
  ): Map<string, AgentIdentity> {
    const agents = new Map<string, AgentIdentity>();
    for (const { value, doc, path } of entries) {
      const name = path[1] as string;
      value.grants.forEach((grant, i) => {
        const glob = compileGlob(grant);
        if (![...tools.keys()].some((tool) => glob.test(tool))) {
          this.warn(
            'GH_POLICY_GRANT_UNMATCHED',
            `grant '${grant}' of agent '${name}' covers no tool in the catalog; calls to uncatalogued tools are denied`,
            doc,
            [...path, 'grants', i],
          );
        }
      });
      agents.set(name, {
        id: value.id ?? derivedAgentId(name),
        name,
        owner: value.owner,
        status: value.status ?? 'active',
        grants: value.grants,
        ...(value.classification !== undefined && { classification: value.classification }),
        labels: value.labels ?? [],
      });
    }
    return agents;
  }

  private compileIntents(
    entries: readonly Located<NonNullable<PolicyDocument['intents']>[string]>[],
    tools: ReadonlyMap<string, ToolDefinition>,
  ): Map<string, Glob[]> {
    const intents = new Map<string, Glob[]>();
    for (const { value, doc, path } of entries) {
      const globs = value.tools.map(compileGlob);
      for (const glob of unmatched(globs, tools)) {
        this.error(
          'GH_POLICY_GLOB_UNMATCHED',
          `tool pattern '${glob.pattern}' in intent '${String(path[1])}' matches no tool in the catalog`,
          doc,
          [...path, 'tools', value.tools.indexOf(glob.pattern)],
        );
      }
      intents.set(path[1] as string, globs);
    }
    return intents;
  }

  private compileStates(
    entries: readonly Located<NonNullable<PolicyDocument['states']>[number]>[],
    tools: ReadonlyMap<string, ToolDefinition>,
  ): StateWindowRuntime[] {
    const windows: StateWindowRuntime[] = [];
    for (const { value, doc, path } of entries) {
      const globs = value.tools.map(compileGlob);
      for (const glob of unmatched(globs, tools)) {
        this.error(
          'GH_POLICY_GLOB_UNMATCHED',
          `tool pattern '${glob.pattern}' in states matches no tool in the catalog`,
          doc,
          [...path, 'tools', value.tools.indexOf(glob.pattern)],
        );
      }
      const date = (key: 'from' | 'until') => {
        const text = value[key];
        if (text === undefined) return undefined;
        const parsed = new Date(text);
        if (Number.isNaN(parsed.getTime()) || !/^\d{4}-\d\d-\d\dT/.test(text)) {
          this.error('GH_POLICY_SCHEMA', `states: '${key}' must be an RFC 3339 date-time`, doc, [
            ...path,
            key,
          ]);
          return undefined;
        }
        return parsed;
      };
      const from = date('from');
      const until = date('until');
      if (from && until && until.getTime() <= from.getTime()) {
        this.error('GH_POLICY_SCHEMA', "states: 'until' must be after 'from'", doc, [...path, 'until']);
      }
      windows.push({
        globs,
        window: {
          tools: value.tools,
          state: value.state,
          ...(from && { from }),
          ...(until && { until }),
          ...(value.reason !== undefined && { reason: value.reason }),
        },
      });
    }
    return windows;
  }
}

/**
 * The items named by schema errors (`rules[3]` for `rules[3].effect`), or
 * 'document' when an error concerns the document's top level itself.
 */
function brokenItems(problems: readonly Diagnostic[]): Set<string> | 'document' {
  const items = new Set<string>();
  for (const problem of problems) {
    const item =
      /^(tools|agents|groups|intents)\[("(?:[^"\\]|\\.)*")\]|^(tools|agents|groups|intents)\.([A-Za-z_][\w-]*)|^(rules|tests|states)\[(\d+)\]/.exec(
        problem.path ?? '',
      );
    if (!item) return 'document';
    if (item[1]) items.add(`${item[1]}\u0000${JSON.parse(item[2]!) as string}`);
    else if (item[3]) items.add(`${item[3]}\u0000${item[4]}`);
    else items.add(`${item[5]}\u0000${item[6]}`);
  }
  return items;
}

/** The document without the items that failed the schema; indices of lists are kept. */
function pruneItems(value: PolicyDocument, broken: ReadonlySet<string> | undefined): PolicyDocument {
  if (!broken) return value;
  const keep = <T>(section: string, record: Record<string, T> | undefined) =>
    record && Object.fromEntries(Object.entries(record).filter(([k]) => !broken.has(`${section}\u0000${k}`)));
  return {
    version: value.version,
    ...(value.tools && { tools: keep('tools', value.tools) }),
    ...(value.agents && { agents: keep('agents', value.agents) }),
    ...(value.groups && { groups: keep('groups', value.groups) }),
    ...(value.intents && { intents: keep('intents', value.intents) }),
    // Lists keep their length (holes become undefined) so that paths like
    // `rules[4]` still point at the right place in the source.
    ...(value.rules && {
      rules: value.rules.map((r, i) => (broken.has(`rules\u0000${i}`) ? undefined : r)) as typeof value.rules,
    }),
    ...(value.tests && {
      tests: value.tests.map((t, i) => (broken.has(`tests\u0000${i}`) ? undefined : t)) as typeof value.tests,
    }),
    ...(value.states && {
      states: value.states.map((w, i) =>
        broken.has(`states\u0000${i}`) ? undefined : w,
      ) as typeof value.states,
    }),
  };
}

/** Compiled tool globs that must each match a catalog tool; reports those that match none. */
function unmatched(globs: readonly Glob[], tools: ReadonlyMap<string, ToolDefinition>): Glob[] {
  return globs.filter((g) => ![...tools.keys()].some((t) => g.test(t)));
}

function toolActivationOf(tool: ToolDefinition): ToolActivation {
  return deepFreeze({
    tool: {
      name: tool.name,
      server: tool.server ?? '',
      categories: [...tool.categories],
      labels: [...tool.labels],
      risk: tool.risk ?? '',
      description: tool.description ?? '',
    },
    resource: structuredClone(tool.resource) as Record<string, unknown>,
  });
}

/**
 * A stable id for an agent declared in policy, so that the same name always
 * maps to the same identity across reloads and replicas.
 */
function derivedAgentId(name: string): string {
  return `agt_${createHash('sha256').update(`agent:${name}`).digest('hex').slice(0, 24)}`;
}

function hashSources(sources: readonly PolicySource[]): string {
  const hash = createHash('sha256');
  for (const s of sources) hash.update(`${s.name}\u0000${s.text}\u0000`);
  return hash.digest('hex');
}

/**
 * Whether a tool's JSON Schema is valid 2020-12. Ajv throws, rather than answering, for a
 * `$schema` it does not know (draft-07, common in MCP `inputSchema`s): that is an invalid
 * schema here, never an exception out of the compiler.
 */
function schemaIsValid(schema: unknown): boolean {
  try {
    return metaSchemaChecker.validateSchema(schema as object) === true;
  } catch {
    metaSchemaChecker.errors = null;
    return false;
  }
}
