// A private redis-server per test that needs to break Redis (FLUSHALL, restart) without
// disturbing the other test files, which share the machine's Redis.
import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './process.js';

export interface PrivateRedis {
  url: string;
  port: number;
  client: Redis;
  stop(): Promise<void>;
}

export async function startPrivateRedis(t: { teardown(fn: () => unknown): void }): Promise<PrivateRedis> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const exited = new Promise((r) => child.once('exit', r));
  const url = `redis://127.0.0.1:${port}`;
  const client = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true });
  for (let i = 0; ; i++) {
    try {
      await client.connect();
      await client.ping();
      break;
    } catch (err) {
      if (i > 50) throw err;
      client.disconnect();
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const stop = async () => {
    client.disconnect();
    if (child.exitCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  };
  t.teardown(stop);
  return { url, port, client, stop };
}
