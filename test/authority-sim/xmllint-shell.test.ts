// xmllint through the long-lived shells reports exactly what a fresh `xmllint … -` reports.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import t from 'tap';
import { xmllintStdin, type XmllintRun } from '../../src/authority-sim/xmllint-shell.js';
import { runXmllint, SCHEMAS_DIR } from '../../src/authority-sim/xsd.js';
import { invoiceModel, message206, signInvoice } from './helpers.js';

const TDIEP_206 = path.join(SCHEMAS_DIR, 'tdiep-206.xsd');

/** The way the simulator ran xmllint before: a process of its own per document. */
const fresh = (xml: string, xsd?: string): Promise<XmllintRun> =>
  runXmllint(['--noout', '--nonet', ...(xsd ? ['--schema', xsd] : []), '-'], { stdin: xml });

const message = message206([1, 2, 3].map((n) => signInvoice(invoiceModel(n)))).xml;
const documents: Array<[string, string]> = [
  ['a valid 206', message],
  ['an invalid version', message.replace('<PBan>2.1.0</PBan>', '<PBan>2.1</PBan>')],
  ['a mismatched end tag, early', message.replace('</PBan>', '</PBAN>')],
  ['a mismatched end tag, late', message.replace('</NDHDon>', '</NDHDOn>')],
  ['not XML', 'garbage'],
  ['empty', ''],
  ['non-ASCII and a lone surrogate', message.replace('<MST>', '<MST>Phở \uD800')],
  ['a line like an answer', `<TDiep>\n0 \n1 x\n</TDiep>`],
  ['large', message.replace('<MTDTChieu></MTDTChieu>', `<MTDTChieu>${'x'.repeat(300_000)}</MTDTChieu>`)],
];

t.test('the same exit code and report as xmllint run on its own', async (t) => {
  for (const [what, xml] of documents) {
    t.strictSame(await xmllintStdin(xml, TDIEP_206), await fresh(xml, TDIEP_206), `${what}, against the schema`);
    t.strictSame(await xmllintStdin(xml), await fresh(xml), `${what}, well-formedness only`);
  }
});

t.test('runs at once queue for the shells and each gets its own answer', async (t) => {
  const all = documents.flatMap(([, xml]) => [xml, xml]);
  const [mine, theirs] = await Promise.all([Promise.all(all.map((x) => xmllintStdin(x, TDIEP_206))), Promise.all(all.map((x) => fresh(x, TDIEP_206)))]);
  t.strictSame(mine, theirs);
});

t.test('a shell that dies is replaced', async (t) => {
  await xmllintStdin(message, TDIEP_206);
  const shells = execFileSync('pgrep', ['-P', String(process.pid), '-x', 'sh'], { encoding: 'utf8' }).trim().split('\n');
  t.ok(shells.length >= 1, 'long-lived shells');
  for (const pid of shells) process.kill(Number(pid), 'SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 100));
  const results = await Promise.allSettled([message, message, message].map((x) => xmllintStdin(x, TDIEP_206)));
  t.ok(results.every((r) => r.status === 'fulfilled' && r.value.code === 0), 'later runs get new shells');
});
