// xmlsec1 as the independent judge of our XML signatures: `--verify` of one document against the
// test CA, OK only when it says so and exits 0.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testCa } from './certs.js';

export type Xmlsec1 = (xml: string, opts?: { idAttrNode?: string; nodeXpath?: string }) => { ok: boolean; output: string };

/** A verifier writing its files into a temporary folder removed at teardown. */
export function xmlsec1Verifier(t: { teardown(fn: () => unknown): void }): Xmlsec1 {
  const dir = mkdtempSync(join(tmpdir(), 'xmlsec1-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const caPem = join(dir, 'ca.pem');
  writeFileSync(caPem, testCa().certPem);
  let fileNo = 0;
  return (xml, opts = {}) => {
    const file = join(dir, `doc-${++fileNo}.xml`);
    writeFileSync(file, xml);
    const args = ['--verify', '--enabled-reference-uris', 'same-doc', '--id-attr:Id', opts.idAttrNode ?? 'DLHDon'];
    if (opts.nodeXpath) args.push('--node-xpath', opts.nodeXpath);
    const run = spawnSync('xmlsec1', [...args, '--trusted-pem', caPem, file], { encoding: 'utf8' });
    if (run.error) throw new Error(`xmlsec1 is needed for these tests (apt-get install xmlsec1): ${run.error.message}`);
    const output = `${run.stdout}${run.stderr}`;
    return { ok: run.status === 0 && /^OK$/m.test(output), output };
  };
}
