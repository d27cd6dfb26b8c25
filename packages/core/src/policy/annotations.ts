import type { ToolCategory } from './types.js';

/** MCP tool annotations (the `annotations` of a tool in `tools/list`). */
export interface ToolAnnotations {
  readonly readOnlyHint?: boolean;
  readonly destructiveHint?: boolean;
  readonly idempotentHint?: boolean;
  readonly openWorldHint?: boolean;
}

/**
 * Categories implied by MCP annotations. Missing hints take the MCP
 * specification's defaults — not read-only, destructive, open-world — which
 * are also the cautious reading: an unannotated tool is treated as able to
 * delete and to reach the outside world until someone says otherwise.
 *
 * - `readOnlyHint: true` → `read` (destructiveHint is then meaningless);
 * - otherwise `destructiveHint` (default true) → `delete`, else `write`;
 * - `openWorldHint` (default true) → also `external_communication`.
 */
export function categoriesFromAnnotations(annotations: ToolAnnotations | undefined): ToolCategory[] {
  const categories: ToolCategory[] = [];
  if (annotations?.readOnlyHint === true) categories.push('read');
  else categories.push(annotations?.destructiveHint === false ? 'write' : 'delete');
  if (annotations?.openWorldHint !== false) categories.push('external_communication');
  return categories;
}
