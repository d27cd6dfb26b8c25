import type { ToolSet } from 'ai';
import type { CallOptions, Guard } from '../guard.js';
import { policyToolName, type ToolNames } from './tool-names.js';

/**
 * Guards the tools of a Vercel AI SDK (`ai`) tool set: each tool's `execute`
 * runs only when Gatehouse allows the call; otherwise the tool returns a
 * refusal the model reads as the tool's result.
 *
 * @example
 * ```ts
 * const tools = guardAiTools(guard, { email_send: tool({ inputSchema, execute }) }, { names: { email_send: 'email.send' } });
 * await generateText({ model, tools, prompt });
 * ```
 */
export function guardAiTools<T extends ToolSet>(
  guard: Guard,
  tools: T,
  options: { names?: ToolNames } & Omit<CallOptions, 'throwOnRefusal'> = {},
): T {
  const guarded: Record<string, unknown> = {};
  for (const [name, tool] of Object.entries(tools)) {
    const execute = (tool as { execute?: (input: unknown, opts: unknown) => unknown }).execute;
    if (typeof execute !== 'function') {
      guarded[name] = tool;
      continue;
    }
    guarded[name] = {
      ...tool,
      execute: (input: unknown, executionOptions: unknown) =>
        guard.run(
          policyToolName(name, options.names),
          asArgs(input),
          () => execute(input, executionOptions) as Promise<unknown>,
          options,
        ),
    };
  }
  return guarded as T;
}

function asArgs(input: unknown): Record<string, unknown> {
  return input !== null && typeof input === 'object' && !Array.isArray(input)
    ? (input as Record<string, unknown>)
    : { input };
}
