// Browser-facing security and abuse limits, in one place:
// - security headers (helmet): a CSP of same-origin scripts and styles that the swagger UI (/docs)
//   and the staff dashboard (/dashboard) live within; no framing; nosniff; no referrer leaks;
// - CORS closed unless CORS_ORIGINS names the origins that may call the API from a browser;
// - rate limits: per bearer token (a terminal, a business, a staff member) and, for callers without
//   a valid token (public routes, refused tokens), per client IP. Counted in Redis when there is
//   one, so every gateway shares them; a Redis outage lets requests through rather than failing
//   them (limits protect the service, they must not take it down);
// - a cap on open connections (MAX_CONNECTIONS).
// The dashboard authenticates with a bearer header from sessionStorage and the API sets no
// cookies, so there is no ambient credential for a cross-site request to ride on (CSRF).
import fp from 'fastify-plugin';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import { Redis } from 'ioredis';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../deps.js';
import { AppError } from '../lib/errors.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Counts a request without a valid token against its IP's budget; throws 429 past it (auth calls it on refusal). */
    limitAnonymous(req: FastifyRequest, reply: FastifyReply): Promise<void>;
  }
}

/** Routes an orchestrator or Prometheus polls: never limited. */
const UNLIMITED = /^\/(health\/|metrics$)/;

export const CSP_DIRECTIVES = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  // swagger UI and chart libraries set style attributes from their scripts
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'frame-ancestors': ["'none'"],
  'form-action': ["'self'"],
  // TLS is terminated in front of the gateway when there is TLS; on plain HTTP this would break /docs
  'upgrade-insecure-requests': null,
};

type Limiter = (req: FastifyRequest) => Promise<{ isAllowed: boolean; isExceeded?: boolean; max?: number; remaining?: number; ttlInSeconds?: number }>;

async function enforce(limiter: Limiter, req: FastifyRequest, reply: FastifyReply): Promise<void> {
  const r = await limiter(req);
  if (r.isAllowed) return;
  reply.header('x-ratelimit-limit', String(r.max));
  reply.header('x-ratelimit-remaining', String(r.remaining ?? 0));
  if (!r.isExceeded) return;
  throw new AppError(429, 'rate_limited', 'Too many requests; slow down', {
    headers: { 'retry-after': String(Math.max(1, r.ttlInSeconds ?? 1)) },
  });
}

export default fp(
  async function security(app: FastifyInstance, { deps }: { deps: Deps }) {
    const { limits, corsOrigins, redisUrl, queuePrefix } = deps.config;
    app.server.maxConnections = limits.maxConnections;
    // JSON only: a cross-site form can post text/plain without a preflight; nothing here reads it.
    app.removeContentTypeParser('text/plain');

    await app.register(helmet, {
      contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
      referrerPolicy: { policy: 'no-referrer' },
      crossOriginResourcePolicy: { policy: 'same-origin' },
    });

    const allowed = new Set(corsOrigins);
    if (allowed.size > 0) {
      app.addHook('onRequest', async (req, reply) => {
        reply.header('vary', 'Origin');
        const origin = req.headers.origin;
        if (!origin || !allowed.has(origin)) return;
        reply.header('access-control-allow-origin', origin);
        reply.header('access-control-expose-headers', 'retry-after, idempotent-replayed, x-request-id, location');
      });
      app.options('/*', { schema: { hide: true } }, async (req, reply) => {
        if (!req.headers.origin || !allowed.has(req.headers.origin)) {
          throw new AppError(404, 'route.not_found', `No route OPTIONS ${req.url.split('?')[0]}`);
        }
        reply.header('access-control-allow-methods', 'GET, POST, PUT, DELETE');
        reply.header('access-control-allow-headers', 'authorization, content-type, idempotency-key, x-request-id');
        reply.header('access-control-max-age', '600');
        return reply.code(204).send();
      });
    }

    // Its own connection: commands fail at once while Redis is away (skipOnError lets the request
    // through) instead of queueing behind a reconnect like the BullMQ connection does.
    const redis = redisUrl ? new Redis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 }) : undefined;
    redis?.on('error', () => {});
    if (redis) app.addHook('onClose', async () => void (await redis.quit().catch(() => redis.disconnect())));
    // Counting starts with the first request when Redis is there (commands sent before the
    // connection is up fail, and would let those requests through uncounted); a Redis that is
    // down delays the start by at most its connect timeout.
    if (redis) await connected(redis, 2000);
    // global: false: routes opt into their own limits (registration, lookup); the two below apply to all.
    await app.register(rateLimit, { global: false, skipOnError: true, ...(redis ? { redis, nameSpace: `${queuePrefix}-rl-` } : {}) });

    const byIp: Limiter | undefined =
      limits.anonymousPerMinute > 0 ? app.createRateLimit({ max: limits.anonymousPerMinute, timeWindow: 60_000, keyGenerator: (req) => `ip:${req.ip}` }) : undefined;
    const byToken: Limiter | undefined =
      limits.tokenPerMinute > 0
        ? app.createRateLimit({ max: limits.tokenPerMinute, timeWindow: 60_000, keyGenerator: (req) => `token:${req.principal?.credentialId ?? req.ip}` })
        : undefined;

    app.decorate('limitAnonymous', async (req: FastifyRequest, reply: FastifyReply) => {
      if (byIp && !UNLIMITED.test(req.url)) await enforce(byIp, req, reply);
    });
    // After authentication (onRequest), before the body is read: a flood is refused unread.
    app.addHook('preParsing', async (req, reply) => {
      if (req.principal) {
        if (byToken) await enforce(byToken, req, reply);
      } else {
        await app.limitAnonymous(req, reply);
      }
    });
  },
  { name: 'security', dependencies: ['problems'] },
);

/** Resolves once `redis` is ready, or after `ms` whatever its state. */
function connected(redis: Redis, ms: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    redis.once('ready', done);
  });
}
