/**
 * Frameworks restrict tool names (OpenAI allows `[A-Za-z0-9_-]`), so a tool
 * the policy calls `email.send` may be `email_send` to the model. A map says
 * which is which; names not in it are used as they are.
 */
export type ToolNames = Readonly<Record<string, string>>;

export function policyToolName(frameworkName: string, names: ToolNames | undefined): string {
  return names?.[frameworkName] ?? frameworkName;
}
