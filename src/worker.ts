// Worker entry: config → deps (as a consumer) → BullMQ consumers and the reconciler run until a
// signal; shutdown lets in-flight jobs finish (BullMQ waits for them) before closing the database.
import { closeDeps, createDeps } from './deps.js';
import { configOrExit, EXIT_CONFIG, exitOnSignals, startOrExit } from './lib/process.js';

startOrExit('hoadon-mtt worker', async () => {
  const config = configOrExit('hoadon-mtt worker');
  if (!config.redisUrl) {
    process.stderr.write('hoadon-mtt worker: REDIS_URL is required (without Redis the gateway drains the outbox itself)\n');
    process.exit(EXIT_CONFIG);
  }
  const deps = await createDeps(config, { consume: true }, 'worker');
  deps.log.info({ queuePrefix: config.queuePrefix }, 'hoadon-mtt worker consuming');
  exitOnSignals(deps.log, () => closeDeps(deps), 30_000);
});
