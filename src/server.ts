// Process entry: config → deps → app → listen, and an orderly shutdown on SIGINT/SIGTERM
// (HTTP first, then consumers, queues and the database, under a timeout).
import { buildApp } from './app.js';
import { closeDeps, createDeps } from './deps.js';
import { configOrExit, exitOnSignals, startOrExit } from './lib/process.js';

startOrExit('hoadon-mtt', async () => {
  const config = configOrExit('hoadon-mtt');
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
  exitOnSignals(
    deps.log,
    async () => {
      await app.close();
      await closeDeps(deps);
    },
    15_000,
  );
});
