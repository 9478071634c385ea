// Bundles the staff web app (src/dashboard/app) with esbuild into dist/dashboard/public:
// index.html plus content-hashed assets/app-*.js and app-*.css, everything local (no CDN: the
// machines have no internet; the page's CSP allows only 'self'). Type-checks the browser code
// first with its own tsconfig (DOM types, Preact JSX), which the Node build excludes.
// Run after tsc: `node dist/dashboard/build.js` (works from src with a TS loader too).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
// src/dashboard or dist/dashboard: the project root is two levels up either way.
const root = path.resolve(here, '../..');
const appDir = path.join(root, 'src/dashboard/app');
const outDir = path.join(root, 'dist/dashboard/public');

function typecheck(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const run = spawnSync(process.execPath, [tsc, '-p', path.join(appDir, 'tsconfig.json')], { stdio: 'inherit' });
  if (run.status !== 0) throw new Error('the dashboard does not type-check (see above)');
}

export async function buildDashboard(opts: { check?: boolean } = {}): Promise<{ outDir: string; files: string[] }> {
  if (opts.check !== false) typecheck();
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(path.join(outDir, 'assets'), { recursive: true });
  const result = await build({
    entryPoints: { app: path.join(appDir, 'main.tsx') },
    bundle: true,
    format: 'esm',
    target: 'es2020',
    platform: 'browser',
    minify: true,
    sourcemap: 'linked',
    legalComments: 'linked',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outdir: path.join(outDir, 'assets'),
    entryNames: '[name]-[hash]',
    metafile: true,
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const outputs = Object.keys(result.metafile.outputs).map((f) => path.relative(path.join(outDir, 'assets'), path.resolve(root, f)));
  const js = outputs.find((f) => f.endsWith('.js'));
  const css = outputs.find((f) => f.endsWith('.css'));
  if (!js || !css) throw new Error(`esbuild produced no script or stylesheet: ${outputs.join(', ')}`);
  const html = readFileSync(path.join(appDir, 'index.html'), 'utf8').replace('%APP_JS%', `/dashboard/assets/${js}`).replace('%APP_CSS%', `/dashboard/assets/${css}`);
  writeFileSync(path.join(outDir, 'index.html'), html);
  return { outDir, files: ['index.html', ...outputs.map((f) => `assets/${f}`)] };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  buildDashboard({ check: !process.argv.includes('--no-check') }).then(
    (r) => console.log(`dashboard built into ${path.relative(root, r.outDir)} in ${Date.now() - started} ms: ${r.files.join(', ')}`),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
