import type { CompiledPolicy } from '@gatehouse/core';

/** Where `policy draft --llm` asks: an OpenAI-compatible chat-completions endpoint. */
export interface LlmSettings {
  readonly baseUrl: string;
  readonly model: string;
  readonly apiKey?: string;
  readonly timeoutMs: number;
}

/** Why a completion was not taken as a fragment, before verification even ran. */
export class LlmDraftError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LlmDraftError';
  }
}

/** Largest response read from the endpoint: a fragment is a few rules, never megabytes. */
const MAX_RESPONSE_BYTES = 256 * 1024;

/** The policy's vocabulary as the model sees it: names only, never secrets or owners' addresses. */
function vocabularyPrompt(policy: CompiledPolicy): string {
  const tools = [...policy.tools.values()].map((t) => {
    const args = Object.keys((t.schema?.properties ?? {}) as Record<string, unknown>);
    const facts = Object.entries(t.resource).map(([k, v]) => `${k}=${String(v)}`);
    return `- ${t.name}: categories [${t.categories.join(', ')}]${t.labels.length ? `, labels [${t.labels.join(', ')}]` : ''}${args.length ? `, args [${args.join(', ')}]` : ''}${facts.length ? `, resource {${facts.join(', ')}}` : ''}`;
  });
  return [
    'Tools:',
    ...tools,
    `Agents: ${[...policy.agents.keys()].join(', ') || '(none)'}`,
    `Groups: ${[...policy.groups.keys()].join(', ') || '(none)'}`,
    `States: ${[...new Set(policy.states.map((s) => s.state))].join(', ') || '(none)'}`,
    `Intents: ${[...policy.intents.keys()].join(', ') || '(none)'}`,
  ].join('\n');
}

const SYSTEM_PROMPT = `You translate security rules written in English into Gatehouse policy YAML.
Answer with exactly one YAML document and nothing else: keys "version: 1" and "rules:" only.
Each rule has: id (lowercase, dashes), description (the sentence, verbatim), optional match
{agents, tools (globs), categories}, optional when (a CEL condition over agent, tool, args,
resource, session, provenance, now), optional require {origin: {arg: [user_input, trusted]}},
effect (allow, deny or approve), and for approve an approval {approvers, groups}.
Use only the tools, agents, groups, states and intents listed. Write one rule per sentence.`;

/**
 * Asks the configured model for a fragment. The answer is a suggestion, never trusted: the
 * caller verifies it exactly as it verifies the grammar's fragments. Only a completion that is
 * one YAML document (optionally in a single fenced block, with nothing around it) is returned.
 */
export async function draftWithModel(
  sentences: readonly string[],
  policy: CompiledPolicy,
  settings: LlmSettings,
  fetchImpl: typeof fetch = fetch,
): Promise<string> {
  const url = `${settings.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  let response: Response;
  try {
    response = await fetchImpl(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(settings.apiKey !== undefined && { authorization: `Bearer ${settings.apiKey}` }),
      },
      body: JSON.stringify({
        model: settings.model,
        temperature: 0,
        messages: [
          { role: 'system', content: `${SYSTEM_PROMPT}\n\n${vocabularyPrompt(policy)}` },
          { role: 'user', content: sentences.join('\n') },
        ],
      }),
      signal: AbortSignal.timeout(settings.timeoutMs),
      redirect: 'error',
    });
  } catch (err) {
    throw new LlmDraftError(`the model endpoint did not answer: ${(err as Error).message}`);
  }
  const body = await response.text();
  if (body.length > MAX_RESPONSE_BYTES) throw new LlmDraftError('the model answered with more than 256 KiB');
  if (!response.ok) throw new LlmDraftError(`the model endpoint answered HTTP ${response.status}`);
  let content: unknown;
  try {
    content = (JSON.parse(body) as { choices?: { message?: { content?: unknown } }[] }).choices?.[0]?.message
      ?.content;
  } catch {
    throw new LlmDraftError('the model endpoint did not answer with JSON');
  }
  if (typeof content !== 'string' || content.trim() === '')
    throw new LlmDraftError('the completion is empty');
  return yamlOnly(content);
}

/**
 * The YAML of a completion: the whole text, or the inside of one fenced block that is the whole
 * text. Prose around the YAML is refused rather than cut away: what the model says outside the
 * document is not reviewed, so nothing of it is kept.
 */
export function yamlOnly(content: string): string {
  const trimmed = content.trim();
  const fenced = /^```(?:ya?ml)?[ \t]*\n([\s\S]*?)\n```$/.exec(trimmed);
  if (fenced) {
    if ((fenced[1] as string).includes('```'))
      throw new LlmDraftError('the completion holds more than one block');
    return `${fenced[1]}\n`;
  }
  if (trimmed.includes('```')) throw new LlmDraftError('the completion has text outside its YAML block');
  if (
    !/^(#.*\n)*version:\s*1\s*$/m.test(trimmed.split('\n').slice(0, 5).join('\n')) ||
    !/^rules:/m.test(trimmed)
  )
    throw new LlmDraftError('the completion is not a policy fragment (version: 1 and rules:)');
  const firstKey = trimmed.split('\n').find((l) => l.trim() !== '' && !l.startsWith('#'));
  if (!firstKey?.startsWith('version:')) throw new LlmDraftError('the completion has text before its YAML');
  return `${trimmed}\n`;
}
