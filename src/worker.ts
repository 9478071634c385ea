// Worker entry: config → deps (as a consumer) → BullMQ consumers and the reconciler run until a
// signal; shutdown finishes in-flight jobs (BullMQ waits for them) before closing the database.
import { ConfigError, loadConfig, type Config } from './config.js';
import { closeDeps, createDeps } from './deps.js';

const SHUTDOWN_TIMEOUT_MS = 30_000;

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`hoadon-mtt worker: invalid configuration: ${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
  if (!config.redisUrl) {
    process.stderr.write('hoadon-mtt worker: REDIS_URL is required (without Redis the gateway drains the outbox itself)\n');
    process.exit(78);
  }
  const deps = await createDeps(config, { consume: true }, 'worker');
  deps.log.info({ queuePrefix: config.queuePrefix }, 'hoadon-mtt worker consuming');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    deps.log.info({ signal }, 'worker shutting down');
    setTimeout(() => process.exit(1), SHUTDOWN_TIMEOUT_MS).unref();
    try {
      await closeDeps(deps);
      process.exit(0);
    } catch (err) {
      deps.log.error({ err }, 'worker shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`hoadon-mtt worker: failed to start: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
