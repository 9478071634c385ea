// Process entry: config → deps → app → listen, and an orderly shutdown on SIGINT/SIGTERM
// (HTTP first, then workers, then queues and the database, under a timeout).
import { ConfigError, loadConfig, type Config } from './config.js';
import { buildApp } from './app.js';
import { closeDeps, createDeps } from './deps.js';

const SHUTDOWN_TIMEOUT_MS = 15_000;

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`hoadon-mtt: invalid configuration: ${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const deps = await createDeps(config);
  const app = await buildApp(deps);
  await app.listen({ port: config.port, host: config.host });
  app.log.info(
    {
      database: deps.database.kind,
      redis: Boolean(deps.redis),
      consumers: Boolean(deps.worker) || !deps.redis,
      authority: deps.simulator ? `built-in simulator at ${deps.simulator.url}` : config.authorityUrl,
      dataDir: config.databaseUrl ? undefined : config.dataDir,
    },
    `hoadon-mtt ready on http://${config.host}:${config.port} (docs at /docs)`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      app.log.error('shutdown timed out; exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    try {
      await app.close();
      await closeDeps(deps);
      process.exit(0);
    } catch (err) {
      app.log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`hoadon-mtt: failed to start: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
