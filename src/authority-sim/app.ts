// The simulator's HTTP surface: the wire protocol of src/transmission/authority-client.ts
// (POST /messages, GET /messages/:id) with faults in front, plus the /_sim/ test routes.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Simulator } from './simulator.js';
import { dropConnection, registerMessageRoutes } from './routes-messages.js';
import { registerSimRoutes } from './routes-sim.js';

/** A 206 of 500 invoices stays under 2 MB; leave room for other providers' larger ones. */
export const SIM_BODY_LIMIT = 8 * 1024 * 1024;

export interface SimulatorAppOptions {
  logger?: FastifyServerOptions['logger'];
}

export async function buildSimulatorApp(sim: Simulator, opts: SimulatorAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({ logger: opts.logger ?? false, bodyLimit: SIM_BODY_LIMIT, forceCloseConnections: true });
  app.addContentTypeParser(['application/xml', 'text/xml'], { parseAs: 'buffer', bodyLimit: SIM_BODY_LIMIT }, (_req, body, done) => {
    done(null, body);
  });
  // downUntil: the authority is unreachable; every /messages connection dies before any reading.
  app.addHook('onRequest', async (req, reply) => {
    if (req.url.startsWith('/messages') && sim.faults.isDown()) return dropConnection(req, reply);
    return undefined;
  });
  app.setErrorHandler((err: { statusCode?: number; message: string }, req, reply) => {
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status >= 500) req.log.error({ err }, 'simulator failure');
    return reply.code(status).send({ error: status >= 500 ? 'internal error' : err.message });
  });

  app.get('/health', { schema: { tags: ['simulator'], operationId: 'simHealth', response: { 200: { type: 'object', properties: { ok: { type: 'boolean' } } } } } }, async () => ({ ok: true }));
  registerMessageRoutes(app, sim);
  registerSimRoutes(app, sim);
  return app;
}
