import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { readUserFile } from '../audit/audit-keys.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { GatehouseConfig } from '../config/load.js';
import { loadMasterKeys, type MasterKeys } from '../identity/master-key.js';
import type { Store } from '../store/index.js';
import { rewrapMasterKeyItems } from '../vault/master-key-rewrap.js';
import { assertSecretName, assertSecretValue, MAX_SECRET_BYTES, SecretError } from '../vault/secret-error.js';
import { type SecretMetadata, SecretVault, type VaultAudit } from '../vault/secret-vault.js';
import { cliActor, withStoreAndAudit } from './audit-commands.js';
import { type CliIo, EXIT, printJson, UsageError } from './io.js';

/** How `secrets set|rotate` may be given a value: standard input or a file, never an argument. */
export interface SecretValueOptions {
  fromFile?: string;
  /** Present only to refuse it with a clear message: argv is visible to every user (ps, /proc). */
  value?: string;
  json?: boolean;
  config?: string;
}

/** `gatehouse secrets set NAME`: creates a secret from stdin or `--from-file`. */
export function secretsSet(
  io: CliIo,
  name: string,
  extra: readonly string[],
  opts: SecretValueOptions,
): Promise<number> {
  return changeValue(io, 'set', name, extra, opts);
}

/** `gatehouse secrets rotate NAME`: a new value (and data key) as the next version. */
export function secretsRotate(
  io: CliIo,
  name: string,
  extra: readonly string[],
  opts: SecretValueOptions,
): Promise<number> {
  return changeValue(io, 'rotate', name, extra, opts);
}

async function changeValue(
  io: CliIo,
  verb: 'set' | 'rotate',
  name: string,
  extra: readonly string[],
  opts: SecretValueOptions,
): Promise<number> {
  // Checked before anything is read or opened, and without echoing what was given.
  if (extra.length > 0 || opts.value !== undefined)
    throw new UsageError(
      `a secret value is never taken from the command line, where other users can read it (ps); ` +
        `pipe it: ... | gatehouse secrets ${verb} NAME, or use --from-file PATH`,
    );
  asUsage(() => assertSecretName(name));
  const value = await readValue(io, name, verb, opts.fromFile);
  asUsage(() => assertSecretValue(name, value));
  const stored = await withVault(io, opts.config, (vault) =>
    verb === 'set' ? vault.set(name, value) : vault.rotate(name, value),
  );
  if (opts.json) printJson(io, metadataView(stored));
  else
    io.stdout(
      `${verb === 'set' ? 'stored' : 'rotated'} secret '${stored.name}' (version ${stored.version}, master key ${stored.masterKeyId})\n`,
    );
  return EXIT.ok;
}

/** `gatehouse secrets list`: names, versions and times; never a value. */
export async function secretsList(io: CliIo, opts: { json?: boolean; config?: string }): Promise<number> {
  const secrets = await withVault(io, opts.config, (vault) => vault.list());
  if (opts.json) {
    printJson(io, secrets.map(metadataView));
    return EXIT.ok;
  }
  if (secrets.length === 0) {
    io.stdout('no secrets; add one with: ... | gatehouse secrets set NAME\n');
    return EXIT.ok;
  }
  const width = Math.max(4, ...secrets.map((s) => s.name.length));
  io.stdout(`${'NAME'.padEnd(width)}  VERSION  UPDATED                   MASTER KEY\n`);
  for (const s of secrets)
    io.stdout(
      `${s.name.padEnd(width)}  ${String(s.version).padEnd(7)}  ${s.updatedAt.toISOString().padEnd(24)}  ${s.masterKeyId}\n`,
    );
  return EXIT.ok;
}

/** `gatehouse secrets delete NAME`. */
export async function secretsDelete(
  io: CliIo,
  name: string,
  opts: { json?: boolean; config?: string },
): Promise<number> {
  asUsage(() => assertSecretName(name));
  await withVault(io, opts.config, (vault) => vault.delete(name));
  if (opts.json) printJson(io, { name, deleted: true });
  else io.stdout(`deleted secret '${name}'\n`);
  return EXIT.ok;
}

/**
 * `gatehouse secrets rewrap`: re-encrypts every vault data key, signing key
 * and audit key under the current master key; exit 1 if anything could not be.
 */
export async function secretsRewrap(io: CliIo, opts: { json?: boolean; config?: string }): Promise<number> {
  const result = await withVault(io, opts.config, (vault, keys, store, audit) =>
    rewrapMasterKeyItems(store, keys, vault, audit),
  );
  const ok = result.secrets.failed.length === 0;
  if (opts.json) {
    printJson(io, {
      ok,
      master_key_id: result.masterKeyId,
      secrets: {
        rewrapped: result.secrets.rewrapped,
        current: result.secrets.current,
        failed: result.secrets.failed,
      },
      signing_keys: result.signingKeys,
      audit_keys: result.auditKeys,
    });
  } else {
    io.stdout(
      `re-wrapped under master key ${result.masterKeyId}: ${result.secrets.rewrapped.length} secret(s), ` +
        `${result.signingKeys.rewrapped} signing key(s), ${result.auditKeys.rewrapped} audit key(s); ` +
        `${result.secrets.current + result.signingKeys.current + result.auditKeys.current} already under it\n`,
    );
    for (const f of result.secrets.failed) io.stderr(`error: ${f.message} (${f.code})\n`);
    io.stdout(
      ok
        ? 'nothing is left under a previous master key: it can be removed from the configuration\n'
        : 'some secrets are still under another key: keep the previous master keys until they are fixed or deleted\n',
    );
  }
  return ok ? EXIT.ok : EXIT.failed;
}

/** The vault of a command that already holds the store, config and audit log (`tools import`). */
export async function openVaultFor(
  config: GatehouseConfig,
  store: Store,
  log: AuditLog,
  io: CliIo,
): Promise<SecretVault> {
  const keys = await loadMasterKeys({
    env: io.env,
    keyFile: config.identity.masterKeyFile,
    previousKeyFiles: config.identity.previousMasterKeyFiles,
  });
  return new SecretVault(store, keys, { sink: log, door: 'cli', actor: cliActor() });
}

/** Opens the store, the audit log and the vault under the configured master keys. */
function withVault<T>(
  io: CliIo,
  configFlag: string | undefined,
  work: (vault: SecretVault, keys: MasterKeys, store: Store, audit: VaultAudit) => Promise<T>,
): Promise<T> {
  return withStoreAndAudit(io, configFlag, async (store: Store, log: AuditLog, config) => {
    const keys = await loadMasterKeys({
      env: io.env,
      keyFile: config.identity.masterKeyFile,
      previousKeyFiles: config.identity.previousMasterKeyFiles,
    });
    const audit: VaultAudit = { sink: log, door: 'cli', actor: cliActor() };
    return work(new SecretVault(store, keys, audit), keys, store, audit);
  });
}

/**
 * The value from `--from-file` or standard input (a pipe, not a terminal,
 * where it would be echoed). One trailing newline is dropped: `echo tok |`
 * and files saved by editors end with one that is not part of the secret.
 */
async function readValue(
  io: CliIo,
  name: string,
  verb: string,
  fromFile: string | undefined,
): Promise<string> {
  // Room for the value and a CRLF: anything longer is refused without reading it all.
  const limit = MAX_SECRET_BYTES + 2;
  let text: string;
  if (fromFile !== undefined) {
    const file = resolve(io.cwd, fromFile);
    const size = await stat(file).then(
      (s) => s.size,
      () => undefined,
    );
    if (size !== undefined && size > limit)
      throw new UsageError(`${fromFile} is larger than the ${MAX_SECRET_BYTES} bytes a secret may hold`);
    text = await readUserFile(file).catch(() => {
      throw new UsageError(`cannot read ${fromFile}`);
    });
  } else {
    if (io.stdin?.isTTY && io.readHidden) {
      // At a terminal: ask, without echo, rather than wait silently for input nobody sees asked.
      text = await io.readHidden(`value of '${name}' (input hidden): `).catch(() => {
        throw new UsageError('cancelled; nothing was stored');
      });
      if (Buffer.byteLength(text) > MAX_SECRET_BYTES)
        throw new UsageError(`the value is larger than ${MAX_SECRET_BYTES} bytes`);
      return text;
    }
    if (!io.stdin || io.stdin.isTTY)
      throw new UsageError(
        `give the value of '${name}' on standard input (... | gatehouse secrets ${verb} ${name}) or with --from-file PATH`,
      );
    const chunks: Buffer[] = [];
    let length = 0;
    for await (const chunk of io.stdin) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk);
      length += bytes.length;
      if (length > limit)
        throw new UsageError(`the value on standard input is larger than ${MAX_SECRET_BYTES} bytes`);
      chunks.push(bytes);
    }
    text = Buffer.concat(chunks).toString('utf8');
  }
  return text.replace(/\r?\n$/, '');
}

/** Runs a check; its `GH_SECRET_INVALID` is a usage error (exit 2). */
function asUsage(check: () => void): void {
  try {
    check();
  } catch (err) {
    if (err instanceof SecretError && err.code === 'GH_SECRET_INVALID') throw new UsageError(err.message);
    throw err;
  }
}

/** A secret's metadata as `--json` prints it. */
function metadataView(s: SecretMetadata): Record<string, unknown> {
  return {
    name: s.name,
    version: s.version,
    created_at: s.createdAt.toISOString(),
    updated_at: s.updatedAt.toISOString(),
    master_key_id: s.masterKeyId,
  };
}
