// buildApp(deps): the whole HTTP surface, with no listen() and no process.env, so tests build the
// real app against their own database and call app.inject().
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Deps } from './deps.js';
import problems, { frameworkErrors } from './plugins/problems.js';
import auth from './plugins/auth.js';
import healthRoutes from './modules/operations/health.routes.js';
import metricsRoutes from './modules/operations/metrics.routes.js';
import salesRoutes from './modules/sales/sales.routes.js';
import businessesRoutes from './modules/businesses/businesses.routes.js';
import staffRoutes from './modules/staff/staff.routes.js';
import invoicesRoutes from './modules/invoices/invoices.routes.js';
import buyersRoutes from './modules/buyers/buyers.routes.js';
import statsRoutes from './modules/stats/stats.routes.js';
import riskRoutes from './modules/risk/risk.routes.js';
import correctionsRoutes from './modules/corrections/corrections.routes.js';
import dashboard from './dashboard/dashboard.routes.js';
import security from './plugins/security.js';

export const BODY_LIMIT = 1024 * 1024;

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

export async function buildApp(deps: Deps): Promise<FastifyInstance> {
  const app = Fastify({
    // Secrets never reach the log: tokens ride in Authorization (redacted by the logger), keys
    // and personal IDs only in bodies, which are not logged.
    loggerInstance: deps.log as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    requestIdHeader: false,
    ajv: { customOptions: { allErrors: true, removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
    forceCloseConnections: true,
    trustProxy: deps.config.trustProxy,
    frameworkErrors,
    // Slow clients (headers or a body trickling in) are cut off with 408, checked every second, not
    // Node's 30 s; Node enforces requestTimeout only when headersTimeout is not longer.
    requestTimeout: deps.config.limits.requestTimeoutMs,
    http: { connectionsCheckingInterval: Math.min(1000, deps.config.limits.requestTimeoutMs), headersTimeout: deps.config.limits.requestTimeoutMs },
  });
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });

  await app.register(problems);
  // Before auth: security headers, CORS and the rate limits (a refused token counts against its IP).
  await app.register(security, { deps });
  await app.register(auth, { deps });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'hoadon-mtt',
        version: '1',
        description:
          "Gateway for Vietnam's cash-register e-invoices (hóa đơn điện tử khởi tạo từ máy tính tiền): POS sales in, signed invoices out, transmitted to the tax authority.",
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'biz_…, trm_… or stf_… token' } },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(healthRoutes, { deps });
  await app.register(metricsRoutes, { deps });
  await app.register(salesRoutes, { deps });
  await app.register(businessesRoutes, { deps });
  await app.register(staffRoutes, { deps });
  await app.register(invoicesRoutes, { deps });
  await app.register(buyersRoutes, { deps });
  await app.register(statsRoutes, { deps });
  await app.register(riskRoutes, { deps });
  await app.register(correctionsRoutes, { deps });
  await app.register(dashboard, { deps });
  return app;
}
