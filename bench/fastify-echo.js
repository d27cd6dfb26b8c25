/**
 * The decision bench's peer: a Fastify server with the decision API's route,
 * body limit and body schema, answering every request with a fixed allow and
 * doing nothing else: no token check, no policy, no audit. What Gatehouse
 * does on top of that is what its decision API costs.
 *
 *   node bench/fastify-echo.js    prints "listening on http://127.0.0.1:PORT"
 */
import { DEFAULT_JSON_LIMITS } from '@gatehouse/core';
import Fastify from 'fastify';
import { evaluationSchema } from '../packages/server/dist/decisions/authzen-routes.js';

// The body limit the decision API applies by default (`server.requestLimits`).
const DECISION_BODY_LIMIT = DEFAULT_JSON_LIMITS.maxLength;

const app = Fastify({ logger: false, bodyLimit: DECISION_BODY_LIMIT });
let n = 0;
app.post(
  '/access/v1/evaluation',
  { bodyLimit: DECISION_BODY_LIMIT, schema: { body: evaluationSchema } },
  async (request) => ({
    decision: true,
    context: { decision_id: `dec_${++n}`, code: 'granted', tool: request.body.resource?.id, reasons: [] },
  }),
);
const address = await app.listen({ host: '127.0.0.1', port: 0 });
console.log(`listening on ${address}`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
