// What the process entries (gateway, worker) share: failing fast on bad configuration with one
// line, and an orderly shutdown on SIGINT/SIGTERM under a deadline.
import { ConfigError, loadConfig, type Config } from '../config.js';
import { AppError } from './errors.js';

/** EX_CONFIG from sysexits.h: the configuration is wrong, restarting will not help. */
export const EXIT_CONFIG = 78;

export function configOrExit(program: string): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${program}: invalid configuration: ${err.message}\n`);
      process.exit(EXIT_CONFIG);
    }
    throw err;
  }
}

export function exitOnSignals(
  log: { info(o: object, msg: string): void; error(o: object, msg: string): void },
  close: () => Promise<void>,
  timeoutMs: number,
): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    setTimeout(() => {
      log.error({}, 'shutdown timed out; exiting');
      process.exit(1);
    }, timeoutMs).unref();
    try {
      await close();
      process.exit(0);
    } catch (err) {
      log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

export function startOrExit(program: string, main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    process.stderr.write(`${program}: failed to start: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  });
}

/** A command-line tool's run: its exit code, or one line on stderr and exit 1 for what went wrong. */
export function runCli(program: string, main: (argv: string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      const msg =
        err instanceof ConfigError
          ? `invalid configuration: ${err.message}`
          : err instanceof AppError && err.errors?.length
            ? `${err.message}: ${JSON.stringify(err.errors)}`
            : (err as Error).message;
      process.stderr.write(`${program}: ${msg}\n`);
      process.exit(1);
    },
  );
}
