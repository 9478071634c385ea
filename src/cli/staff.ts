// `npm run staff -- create --role admin --name "Trần Văn B" [--provinces 01,79]`: bootstraps staff
// accounts from a shell on the server; prints the token once.
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { runCli } from '../lib/process.js';
import { openDatabase } from '../db/client.js';
import { migrateDatabase } from '../db/migrate.js';
import { createStaffMember, listStaff, revokeStaffMember } from '../modules/staff/staff.service.js';

const USAGE = `usage: npm run staff -- create --role officer|admin --name NAME [--provinces 01,79]
       npm run staff -- list
       npm run staff -- revoke --id UUID`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { role: { type: 'string' }, name: { type: 'string' }, provinces: { type: 'string' }, id: { type: 'string' } },
  });
  const command = positionals[0];
  if (!command || !['create', 'list', 'revoke'].includes(command)) {
    process.stderr.write(`${USAGE}\n`);
    return 64;
  }
  const config = loadConfig();
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 1 });
  try {
    await migrateDatabase(database, config.databaseUrl);
    if (command === 'list') {
      for (const s of await listStaff(database.db)) {
        process.stdout.write(`${s.id}\t${s.role}\t${s.provinces.join(',') || '-'}\t${s.revokedAt ? 'revoked' : 'active'}\t${s.name}\n`);
      }
      return 0;
    }
    if (command === 'revoke') {
      if (!values.id) throw new Error('--id is required');
      await revokeStaffMember(database.db, values.id, new Date());
      process.stdout.write(`revoked ${values.id}\n`);
      return 0;
    }
    if (values.role !== 'officer' && values.role !== 'admin') throw new Error('--role must be officer or admin');
    if (!values.name) throw new Error('--name is required');
    const provinces = values.provinces ? values.provinces.split(',').map((p) => p.trim()) : [];
    const created = await createStaffMember(database.db, { name: values.name, role: values.role, provinces }, new Date());
    process.stdout.write(`created ${values.role} ${created.id}\ntoken (shown once): ${created.token}\n`);
    return 0;
  } finally {
    await database.close();
  }
}

runCli('hoadon-mtt staff', main);
