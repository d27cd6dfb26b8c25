import type { Selectable } from 'kysely';
import type { StoredSecret } from '../vault/vault-store.js';
import type { SecretsTable } from './database.js';
import { StoreTables } from './store-context.js';

/** Brokered secrets, and the master-key rewrap of every encrypted private key. */
export class VaultTables extends StoreTables {
  // ---- vault: brokered credentials, master-key rewrap ----------------------

  async insertSecret(secret: StoredSecret): Promise<boolean> {
    const result = await this.ctx.guard(() =>
      this.db
        .insertInto('secrets')
        .values(secretRow(secret))
        .onConflict((oc) => oc.column('name').doNothing())
        .executeTakeFirst(),
    );
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async getSecret(name: string): Promise<StoredSecret | undefined> {
    const row = await this.ctx.guard(() =>
      this.db.selectFrom('secrets').selectAll().where('name', '=', name).executeTakeFirst(),
    );
    return row ? toStoredSecret(row) : undefined;
  }

  async listSecrets(): Promise<StoredSecret[]> {
    const rows = await this.ctx.guard(() =>
      this.db.selectFrom('secrets').selectAll().orderBy('name').execute(),
    );
    return rows.map(toStoredSecret);
  }

  async secretVersions(): Promise<{ name: string; version: number }[]> {
    const rows = await this.ctx.guard(() =>
      this.db.selectFrom('secrets').select(['name', 'version']).orderBy('name').execute(),
    );
    return rows.map((r) => ({ name: r.name, version: Number(r.version) }));
  }

  async swapSecret(
    secret: StoredSecret,
    expected: { version: number; masterKeyId: string },
  ): Promise<boolean> {
    const { name, created_at: _createdAt, ...changes } = secretRow(secret);
    const result = await this.ctx.guard(() =>
      this.db
        .updateTable('secrets')
        .set(changes)
        .where('name', '=', name)
        .where('version', '=', expected.version)
        .where('master_key_id', '=', expected.masterKeyId)
        .executeTakeFirst(),
    );
    return Number(result.numUpdatedRows) === 1;
  }

  async deleteSecret(name: string): Promise<boolean> {
    const result = await this.ctx.guard(() =>
      this.db.deleteFrom('secrets').where('name', '=', name).executeTakeFirst(),
    );
    return Number(result.numDeletedRows) > 0;
  }

  swapSigningKeyJwe(kid: string, expected: string, next: string): Promise<boolean> {
    return this.swapPrivateJwe('signing_keys', kid, expected, next);
  }

  swapAuditKeyJwe(kid: string, expected: string, next: string): Promise<boolean> {
    return this.swapPrivateJwe('audit_keys', kid, expected, next);
  }

  private async swapPrivateJwe(
    table: 'signing_keys' | 'audit_keys',
    kid: string,
    expected: string,
    next: string,
  ): Promise<boolean> {
    const result = await this.ctx.guard(() =>
      this.db
        .updateTable(table)
        .set({ private_jwe: next })
        .where('kid', '=', kid)
        .where('private_jwe', '=', expected)
        .executeTakeFirst(),
    );
    return Number(result.numUpdatedRows) === 1;
  }
}

function secretRow(secret: StoredSecret): Selectable<SecretsTable> {
  return {
    name: secret.name,
    version: secret.version,
    master_key_id: secret.masterKeyId,
    value_iv: secret.value.iv,
    value_ciphertext: secret.value.ciphertext,
    value_tag: secret.value.tag,
    key_iv: secret.dataKey.iv,
    key_ciphertext: secret.dataKey.ciphertext,
    key_tag: secret.dataKey.tag,
    created_at: secret.createdAt.getTime(),
    updated_at: secret.updatedAt.getTime(),
  };
}

function toStoredSecret(row: Selectable<SecretsTable>): StoredSecret {
  return {
    name: row.name,
    version: Number(row.version),
    masterKeyId: row.master_key_id,
    value: { iv: row.value_iv, ciphertext: row.value_ciphertext, tag: row.value_tag },
    dataKey: { iv: row.key_iv, ciphertext: row.key_ciphertext, tag: row.key_tag },
    createdAt: new Date(Number(row.created_at)),
    updatedAt: new Date(Number(row.updated_at)),
  };
}
