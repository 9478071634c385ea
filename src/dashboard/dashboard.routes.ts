// The tax-staff web app at /dashboard: the page and its bundled assets (built by build.ts into
// dist/dashboard/public; nothing is fetched from elsewhere, the machines have no internet), and
// the read-only API routes only the app needs (src/modules/dashboard).
import { problemRef } from '../plugins/problems.js';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../deps.js';
import { AppError } from '../lib/errors.js';
import dashboardApiRoutes from '../modules/dashboard/dashboard.routes.js';

/** Same as the gateway-wide policy: the page runs only its own bundled script and stylesheet. */
export const DASHBOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

const here = path.dirname(fileURLToPath(import.meta.url));

/** Next to the compiled plugin (dist/dashboard/public), or the build's output when run from source. */
export function defaultPublicDir(): string {
  const candidates = [path.join(here, 'public'), path.resolve(here, '../../dist/dashboard/public')];
  return candidates.find((d) => existsSync(path.join(d, 'index.html'))) ?? candidates[0]!;
}

const page = {
  description: 'The web app (HTML); it asks for a staff token and keeps it in sessionStorage',
  content: { 'text/html': { schema: { type: 'string' } } },
} as const;

export default async function dashboard(app: FastifyInstance, opts: { deps: Deps; publicDir?: string }) {
  await app.register(dashboardApiRoutes, { deps: opts.deps });

  const publicDir = opts.publicDir ?? defaultPublicDir();
  const indexFile = path.join(publicDir, 'index.html');
  // Read once: the page is a few hundred bytes and changes only with a new build (and process).
  const html = existsSync(indexFile) ? readFileSync(indexFile) : null;
  if (html) {
    await app.register(fastifyStatic, {
      root: path.join(publicDir, 'assets'),
      prefix: '/dashboard/assets/',
      decorateReply: false,
      index: false,
      // Asset names carry a content hash, so a browser may keep them.
      immutable: true,
      maxAge: '365d',
    });
  } else {
    app.log.warn({ publicDir }, 'dashboard assets are not built (npm run build): /dashboard answers 503');
  }

  for (const url of ['/dashboard', '/dashboard/']) {
    app.get(
      url,
      {
        // One entry in the OpenAPI document: the trailing-slash twin is the same page.
        schema: { hide: url !== '/dashboard', tags: ['dashboard'], operationId: 'dashboardPage', summary: 'The tax-staff web app', response: { 200: page, 503: problemRef } },
      },
      async (_req, reply) => {
        if (!html) throw new AppError(503, 'dashboard.not_built', 'The dashboard assets are not built; run npm run build');
        if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', DASHBOARD_CSP);
        return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').header('x-content-type-options', 'nosniff').send(html);
      },
    );
  }
}
