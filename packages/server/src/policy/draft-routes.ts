import { draftFromSentences } from '@gatehouse/core';
import type { FastifyInstance } from 'fastify';
import type { AuditSink } from '../audit/audit-log.js';
import { requireUser } from '../http/user-auth.js';
import type { AgentAdmin } from '../identity/agent-admin.js';
import { adoptionEvent, draftNotes, FRAGMENT_NAME, fragmentFileName, MAX_SENTENCES } from '../nl/adoption.js';
import { redteamDiff } from '../nl/redteam-diff.js';
import type { PolicyRuntime } from './runtime.js';

const SENTENCES = {
  type: 'array',
  minItems: 1,
  maxItems: MAX_SENTENCES,
  items: { type: 'string', minLength: 1, maxLength: 1000, pattern: '\\S' },
} as const;

/**
 * `/v1/policy/drafts`: `gatehouse policy draft` over HTTP, for the console's form. A draft is the
 * deterministic compiler's fragment for the sentences and its verification report, on the policy
 * the server runs now; adopting it writes the fragment into the policy folder, audited, and
 * activates it. Adoption is bound to the report the person read: the server drafts the sentences
 * again and adopts only if the new report has the same digest, so a policy that changed in
 * between (or a different fragment) is never adopted on an old report. A fragment that widens
 * access is adopted only when the request says the widening was seen and accepted.
 */
export async function draftRoutes(
  app: FastifyInstance,
  opts: { runtime: PolicyRuntime; admin: AgentAdmin; audit?: AuditSink },
): Promise<void> {
  const { runtime, admin, audit } = opts;
  // One verification at a time: a draft replays the red-team suites, seconds of CPU.
  let verifying = false;

  // The sentences as drafted: trimmed once, so a draft and its adoption read the same words.
  const draftOf = (body: { sentences: readonly string[] }) => {
    const sentences = body.sentences.map((s) => s.trim());
    return { sentences, draft: draftFromSentences(sentences, runtime.sources, FRAGMENT_NAME) };
  };

  app.post(
    '/v1/policy/drafts',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['sentences'],
          properties: { sentences: SENTENCES, redteam: { type: 'boolean' } },
        },
      },
    },
    async (request, reply) => {
      if (!(await requireUser(request, reply, admin, []))) return reply;
      const body = request.body as { sentences: string[]; redteam?: boolean };
      if (verifying)
        return reply
          .code(429)
          .send({ error: 'busy', message: 'another draft is being verified; try again in a moment' });
      verifying = true;
      try {
        const { sentences, draft } = draftOf(body);
        if (!draft.ok) return { ok: false, compiler: 'grammar', refusals: draft.refusals };
        const redteam =
          body.redteam === false || !draft.report.ok ? undefined : await redteamDiff({ sentences });
        return {
          ok: draft.report.ok,
          compiler: 'grammar',
          fragment: draft.fragment.text,
          file: fragmentFileName(draft),
          notes: draftNotes(draft),
          report: draft.report,
          ...(redteam && { redteam }),
        };
      } finally {
        verifying = false;
      }
    },
  );

  app.post(
    '/v1/policy/drafts/apply',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['sentences', 'report_digest'],
          properties: {
            sentences: SENTENCES,
            report_digest: { type: 'string', pattern: '^[0-9a-f]{64}$' },
            allow_widening: { type: 'boolean' },
          },
        },
      },
    },
    async (request, reply) => {
      const user = await requireUser(request, reply, admin, ['admin']);
      if (!user) return reply;
      const body = request.body as { sentences: string[]; report_digest: string; allow_widening?: boolean };
      if (!audit)
        return reply.code(503).send({
          error: 'unavailable',
          message: 'adopting a rule needs the audit log, which this server lacks',
        });
      const { sentences, draft } = draftOf(body);
      if (!draft.ok)
        return reply.code(422).send({
          error: 'refused',
          message: `the compiler refuses "${draft.refusals[0]?.sentence}": ${draft.refusals[0]?.refusal.message}`,
        });
      if (!draft.report.ok)
        return reply
          .code(422)
          .send({ error: 'verification_failed', message: 'the fragment does not pass its verification' });
      if (draft.report.digest !== body.report_digest)
        return reply.code(409).send({
          error: 'report_changed',
          message: 'the policy changed since this report was drafted: draft again and review the new report',
        });
      if (draft.report.widening && body.allow_widening !== true)
        return reply.code(409).send({
          error: 'widening',
          message: `the fragment widens access (${draft.report.wideningReasons.join('; ')}): accept the widening to adopt it`,
        });
      const file = fragmentFileName(draft);
      const door = request.consoleUser ? 'console' : 'admin-api';
      // A failed audit write takes the file back out (adoptFile); the person hears why, not a 500.
      let unrecorded = false;
      const adopted = await runtime
        .adoptFile(file, draft.fragment.text, async (path) => {
          await audit
            .append(
              adoptionEvent({
                sentences,
                compiler: 'grammar',
                draft,
                file: path,
                who: { person: user.email },
                door,
              }),
            )
            .catch((err: unknown) => {
              unrecorded = true;
              throw err;
            });
        })
        .catch((err: unknown) => {
          if (!unrecorded) throw err;
          request.log.error({ err }, 'policy adoption not recorded in the audit log');
          return undefined;
        });
      if (!adopted)
        return reply.code(503).send({
          error: 'audit_unavailable',
          message: 'the adoption could not be recorded in the audit log, so the rule was not adopted',
        });
      if (!adopted.ok)
        return reply.code(409).send({ error: adopted.code.replaceAll('-', '_'), message: adopted.message });
      return { applied: file, hash: adopted.policy.hash, report_digest: draft.report.digest };
    },
  );
}
