import type { PolicySource } from '@gatehouse/core';
import type { GatehouseConfig } from '../config/load.js';

/**
 * The catalog entries written under `upstreams.<name>.tools` in the config, as
 * one more policy source: `files: { tools: { read_text_file: … } }` declares
 * the tool `files.read_text_file`. Policy files win over it, like over API
 * registrations.
 */
export function upstreamToolSources(config: Pick<GatehouseConfig, 'file' | 'upstreams'>): PolicySource[] {
  const tools: Record<string, unknown> = {};
  for (const upstream of Object.values(config.upstreams)) {
    for (const [name, entry] of Object.entries(upstream.tools)) {
      tools[`${upstream.name}.${name}`] = { server: upstream.name, categories: [], ...entry };
    }
  }
  if (Object.keys(tools).length === 0) return [];
  return [{ name: `${config.file} (upstreams)`, text: JSON.stringify({ version: 1, tools }, null, 2) }];
}
