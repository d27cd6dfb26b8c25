import { DynamicStructuredTool, type StructuredToolInterface } from '@langchain/core/tools';
import type { CallOptions, Guard } from '../guard.js';
import { policyToolName, type ToolNames } from './tool-names.js';

/**
 * Guards LangChain.js tools: each becomes a structured tool with the same
 * name, description and schema whose function runs the original only when
 * Gatehouse allows the call; a refusal is returned as the tool's output.
 *
 * @example
 * ```ts
 * const tools = guardLangChainTools(guard, [sendEmail], { names: { send_email: 'email.send' } });
 * const agent = createAgent({ model, tools });
 * ```
 */
export function guardLangChainTools(
  guard: Guard,
  tools: readonly StructuredToolInterface[],
  options: { names?: ToolNames } & Omit<CallOptions, 'throwOnRefusal'> = {},
): StructuredToolInterface[] {
  return tools.map(
    (tool) =>
      new DynamicStructuredTool({
        name: tool.name,
        description: tool.description,
        schema: tool.schema as ConstructorParameters<typeof DynamicStructuredTool>[0]['schema'],
        func: async (input: unknown, _runManager, config) => {
          const args =
            input !== null && typeof input === 'object' && !Array.isArray(input)
              ? (input as Record<string, unknown>)
              : { input };
          const result = await guard.run(
            policyToolName(tool.name, options.names),
            args,
            () => tool.invoke(input as never, config),
            options,
          );
          return typeof result === 'string' ? result : JSON.stringify(result);
        },
      }) as unknown as StructuredToolInterface,
  );
}
