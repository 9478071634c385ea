// The physical limit: raw RSA-2048 signatures per second with node:crypto on all cores (one
// worker thread per core, each signing a small digest in a loop), measured in the same run as the
// load so both see the same machine. This module is also the worker threads' script.
import { generateKeyPairSync, sign } from 'node:crypto';
import os from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

function signLoop(seconds: number): number {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const data = Buffer.from('hoadon-mtt raw signing rate');
  for (let i = 0; i < 20; i++) sign('sha256', data, privateKey); // warm up
  const end = performance.now() + seconds * 1000;
  const start = performance.now();
  let n = 0;
  while (performance.now() < end) {
    sign('sha256', data, privateKey);
    n++;
  }
  return n / ((performance.now() - start) / 1000);
}

if (!isMainThread && parentPort && (workerData as { rawSign?: number } | null)?.rawSign) {
  parentPort.postMessage(signLoop((workerData as { rawSign: number }).rawSign));
}

export async function rawSignRate(seconds: number, threads = os.cpus().length): Promise<{ threads: number; seconds: number; signsPerSec: number; perThread: number[] }> {
  const perThread = await Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise<number>((resolve, reject) => {
          const w = new Worker(new URL(import.meta.url), { workerData: { rawSign: seconds } });
          w.once('message', (rate: number) => {
            resolve(rate);
            void w.terminate();
          });
          w.once('error', reject);
        }),
    ),
  );
  return { threads, seconds, signsPerSec: perThread.reduce((a, b) => a + b, 0), perThread };
}
