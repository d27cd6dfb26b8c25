import { actionDraft } from '../audit/drafts.js';
import { durationMs } from '../config/load.js';
import { ConsoleAccounts } from '../console/console-store.js';
import { consoleOrigin } from '../console/console-url.js';
import { createInvite } from '../console/invites.js';
import { AgentAdmin } from '../identity/agent-admin.js';
import { USER_ROLES, type UserRole } from '../identity/identity-store.js';
import { cliActor, withStoreAndAudit } from './audit-commands.js';
import { type CliIo, EXIT, printJson, UsageError } from './io.js';

/**
 * `gatehouse users invite --email …`: prints a one-time link that enrols a
 * passkey for the person (creating them with `--roles` when they are new).
 * The link works once and expires (`--expires`, 24h by default).
 */
export async function usersInvite(
  io: CliIo,
  opts: { email: string; roles?: string; expires?: string; json?: boolean; config?: string },
): Promise<number> {
  if (!/^[^@\s]+@[^@\s]+$/.test(opts.email))
    throw new UsageError(`--email '${opts.email}' is not an email address`);
  if (opts.expires !== undefined && !/^[1-9][0-9]{0,5}(s|m|h|d)$/.test(opts.expires))
    throw new UsageError(`--expires '${opts.expires}' is not a duration such as 30m, 24h or 7d`);
  const ttlMs = durationMs(opts.expires ?? '24h');
  const roles = (opts.roles ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '');
  const unknown = roles.filter((r) => !(USER_ROLES as readonly string[]).includes(r));
  if (unknown.length > 0) throw new UsageError(`--roles: unknown role(s) ${unknown.join(', ')}`);
  const invited = await withStoreAndAudit(io, opts.config, async (store, audit, config) => {
    let user = await store.findUserByEmail(opts.email);
    if (!user) {
      if (roles.length === 0)
        throw new UsageError(`no user ${opts.email}; give --roles (${USER_ROLES.join(', ')}) to create one`);
      // The personal API token made with the user is never shown: they sign in with the passkey.
      user = (
        await new AgentAdmin(store, { sink: audit, door: 'cli', actor: cliActor() }).createUser(
          opts.email,
          roles as UserRole[],
        )
      ).user;
    }
    const baseUrl = consoleOrigin(
      config.server.publicUrl ?? `http://${config.server.host}:${config.server.port}`,
      config.console.url,
    );
    const invite = await createInvite(new ConsoleAccounts(store.db), user, baseUrl, ttlMs);
    await audit.append(
      actionDraft({
        type: 'admin',
        action: 'user.invited',
        outcome: 'succeeded',
        who: { person: cliActor() },
        door: 'cli',
        extra: { email: user.email, expires_at: invite.expiresAt.toISOString() },
      }),
    );
    return { user, ...invite };
  });
  if (opts.json)
    printJson(io, {
      email: invited.user.email,
      link: invited.link,
      expires_at: invited.expiresAt.toISOString(),
    });
  else
    io.stdout(
      `enrolment link for ${invited.user.email} (works once, until ${invited.expiresAt.toISOString()}):\n  ${invited.link}\n`,
    );
  return EXIT.ok;
}
