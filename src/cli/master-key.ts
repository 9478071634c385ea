// `npm run master-key -- status | rotate | generate`: MASTER_KEY rotation from a shell on the server.
//   1. generate       prints a new key (`k2:<base64>`) to put FIRST in MASTER_KEY, keeping the old
//                     one after it: MASTER_KEY=k2:…,k1:… on every process, then restart them (new
//                     data is sealed under k2, old data still opens under k1);
//   2. rotate         re-encrypts every private key and personal ID still sealed under an older key;
//   3. status         shows how many rows each key id seals; when the old id shows none it can
//                     leave MASTER_KEY (restart again).
// Never prints key material except the freshly generated key of `generate`.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { runCli } from '../lib/process.js';
import { openDatabase } from '../db/client.js';
import { migrateDatabase } from '../db/migrate.js';
import { secretBox } from '../lib/secrets.js';
import { rotateMasterKey, sealedCounts } from '../modules/businesses/master-key.js';

const USAGE = `usage: npm run master-key -- status
       npm run master-key -- rotate [--batch 200]
       npm run master-key -- generate [--id k2]`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { batch: { type: 'string' }, id: { type: 'string' } } });
  const command = positionals[0];
  if (!command || !['status', 'rotate', 'generate'].includes(command)) {
    process.stderr.write(`${USAGE}\n`);
    return 64;
  }
  if (command === 'generate') {
    const id = values.id ?? `k${Date.now().toString(36)}`;
    if (!/^[A-Za-z0-9_-]{1,16}$/.test(id)) throw new Error('--id: 1-16 characters [A-Za-z0-9_-]');
    process.stdout.write(`${id}:${randomBytes(32).toString('base64')}\n`);
    return 0;
  }
  const config = loadConfig();
  const current = config.masterKeys[0]!;
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
  try {
    await migrateDatabase(database, config.databaseUrl);
    const show = async () => {
      const counts = await sealedCounts(database.db);
      for (const [what, byKey] of Object.entries(counts)) {
        const parts = Object.entries(byKey).map(([id, n]) => `${id}${id === current.id ? ' (current)' : ''}: ${n}`);
        process.stdout.write(`${what}: ${parts.join(', ') || 'none'}\n`);
      }
      return counts;
    };
    if (command === 'rotate') {
      const batch = values.batch ? Number(values.batch) : 200;
      if (!Number.isInteger(batch) || batch < 1 || batch > 10_000) throw new Error('--batch must be an integer from 1 to 10000');
      const r = await rotateMasterKey(database.db, secretBox(config.masterKeys), current.id, { kind: 'cli', id: `${os.userInfo().username}@${os.hostname()}` }, { batch });
      process.stdout.write(`re-encrypted ${r.certificates} private keys and ${r.legalRepresentatives} personal IDs under ${current.id} (from ${r.from.join(', ') || 'nothing'})\n`);
    }
    const counts = await show();
    const left = new Set([...Object.keys(counts.certificates), ...Object.keys(counts.legalRepresentatives)].filter((id) => id !== current.id));
    const unused = config.masterKeys.slice(1).filter((k) => !left.has(k.id)).map((k) => k.id);
    if (unused.length) process.stdout.write(`no data sealed under ${unused.join(', ')}: remove it from MASTER_KEY\n`);
    return 0;
  } finally {
    await database.close();
  }
}

runCli('hoadon-mtt master-key', main);
