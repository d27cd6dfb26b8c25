import { JsonInputError, parseJsonStrict } from '@gatehouse/core';
import type { FunctionTool, Tool } from '@openai/agents';
import { type CallOptions, type Guard, OUTPUT_WITHHELD, refusalOf } from '../guard.js';
import { policyToolName, type ToolNames } from './tool-names.js';

/**
 * Guards the function tools of an OpenAI Agents SDK agent: the runtime calls
 * `invoke(runContext, inputJson)`, and the guarded `invoke` runs the original
 * only when Gatehouse allows the call. A refusal comes back as the tool's
 * output text, which the model reads. Other tool kinds pass through.
 *
 * @example
 * ```ts
 * const agent = new Agent({ name: 'mail', tools: guardAgentTools(guard, [sendEmail], { names: { send_email: 'email.send' } }) });
 * ```
 */
export function guardAgentTools<T extends Tool[]>(
  guard: Guard,
  tools: T,
  options: { names?: ToolNames } & Omit<CallOptions, 'throwOnRefusal'> = {},
): T {
  return tools.map((tool) => {
    if (tool.type !== 'function') return tool;
    const original = tool as FunctionTool;
    const guarded: FunctionTool = {
      ...original,
      invoke: async (runContext, input, details) => {
        let args: Record<string, unknown>;
        try {
          // Strict: the tool below receives the raw text, and a duplicate key would let it run
          // on a value other than the one judged.
          const parsed: unknown = parseJsonStrict(input || '{}');
          args =
            parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
              ? (parsed as Record<string, unknown>)
              : { input: parsed };
        } catch (err) {
          // Nothing runs unchecked: arguments that are not JSON cannot be decided on.
          return JSON.stringify({
            gatehouse: 'denied',
            code: 'invalid-arguments',
            message:
              err instanceof JsonInputError && err.problem !== 'malformed'
                ? `The tool arguments were refused (${err.message}); the call was not made.`
                : 'The tool arguments are not valid JSON; the call was not made.',
          });
        }
        const verdict = await guard.check(policyToolName(original.name, options.names), args, options);
        if (verdict.status !== 'allowed') return JSON.stringify(refusalOf(verdict));
        const output = await original.invoke(runContext, input, details);
        try {
          await verdict.report(output);
        } catch {
          return JSON.stringify(OUTPUT_WITHHELD);
        }
        return output;
      },
    };
    return guarded;
  }) as T;
}
