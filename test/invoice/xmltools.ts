/**
 * Test helpers around the independent XML tools (libxml2's xmllint, xmlsec1): what our output is
 * checked against. Not a test file itself (tap finds no assertions here).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const HDON_XSD = fileURLToPath(new URL('../../schemas/hdon-2h.xsd', import.meta.url));
export const TDIEP_206_XSD = fileURLToPath(new URL('../../schemas/tdiep-206.xsd', import.meta.url));

export interface ToolResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

/** A temporary directory for one test file; remove it with `cleanup()` in `t.teardown`. */
export function tempDir(prefix: string): { path: (name: string) => string; write: (name: string, content: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `hoadon-${prefix}-`));
  return {
    path: (name) => join(dir, name),
    write: (name, content) => {
      const file = join(dir, name);
      writeFileSync(file, content, 'utf8');
      return file;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

function run(cmd: string, args: string[]): ToolResult {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { ok: r.status === 0, stdout: r.stdout, stderr: r.stderr };
}

/** `xmllint --noout --schema xsd file`. */
export function validate(file: string, xsd: string): ToolResult {
  return run('xmllint', ['--noout', '--schema', xsd, file]);
}

/** `xmllint --c14n file`: the W3C inclusive canonical form of the whole document. */
export function c14n(file: string): string {
  const r = run('xmllint', ['--c14n', file]);
  if (!r.ok) throw new Error(`xmllint --c14n failed: ${r.stderr}`);
  return r.stdout;
}


/** A throw-away RSA key and self-signed certificate (PEM files) for signing tests. */
export function makeKeyPair(dir: ReturnType<typeof tempDir>): { key: string; cert: string } {
  const key = dir.path('key.pem');
  const cert = dir.path('cert.pem');
  const r = run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=Test seller/UID=MST:0101243150']);
  if (!r.ok) throw new Error(`openssl failed: ${r.stderr}`);
  return { key, cert };
}

/** An enveloped-signature template over `#id` (C14N, RSA-SHA256, SHA-256), for xmlsec1 --sign. */
export function signatureTemplate(id: string): string {
  return (
    '<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo>' +
    '<CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"></CanonicalizationMethod>' +
    '<SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"></SignatureMethod>' +
    `<Reference URI="#${id}"><Transforms>` +
    '<Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"></Transform>' +
    '<Transform Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"></Transform></Transforms>' +
    '<DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"></DigestMethod><DigestValue></DigestValue>' +
    '</Reference></SignedInfo><SignatureValue></SignatureValue><KeyInfo><X509Data><X509Certificate></X509Certificate></X509Data></KeyInfo></Signature>'
  );
}

/**
 * Signs `xml` (which must contain `placeholder`, e.g. `<NBan></NBan>`) with xmlsec1 and splices the
 * produced Signature element into the ORIGINAL string at the placeholder, the way the signing
 * module works (xmlsec1 re-serialises the document, e.g. `<NMua></NMua>` as `<NMua/>`, so its
 * output file cannot be kept as is).
 */
export function signWithXmlsec(
  dir: ReturnType<typeof tempDir>,
  xml: string,
  opts: { id: string; idAttr: string; placeholder: string; keys: { key: string; cert: string }; name: string },
): string {
  const open = opts.placeholder.slice(0, opts.placeholder.indexOf('>') + 1);
  const tag = open.slice(1, -1);
  const template = xml.replace(opts.placeholder, open + signatureTemplate(opts.id) + opts.placeholder.slice(open.length));
  const input = dir.write(`${opts.name}.tmpl.xml`, template);
  const output = dir.path(`${opts.name}.signed.xml`);
  const xpath = `//*[local-name()='${tag}']/*[local-name()='Signature']`;
  const r = run('xmlsec1', ['--sign', '--privkey-pem', `${opts.keys.key},${opts.keys.cert}`, '--id-attr:Id', opts.idAttr, '--node-xpath', xpath, '--output', output, input]);
  if (!r.ok) throw new Error(`xmlsec1 --sign failed: ${r.stderr}`);
  const signed = readFileSync(output, 'utf8');
  const start = signed.indexOf(open + '<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">');
  const end = signed.indexOf('</Signature>', start);
  if (start < 0 || end < 0) throw new Error('no Signature in xmlsec1 output');
  const sig = signed.slice(start + open.length, end + '</Signature>'.length);
  return xml.replace(opts.placeholder, open + sig + opts.placeholder.slice(open.length));
}

/** `xmlsec1 --verify` of the signature at `nodeXpath` (default: the first one). */
export function verifyWithXmlsec(file: string, cert: string, idAttr: string, nodeXpath?: string): ToolResult {
  const args = ['--verify', '--id-attr:Id', idAttr, '--pubkey-cert-pem', cert];
  if (nodeXpath) args.push('--node-xpath', nodeXpath);
  args.push(file);
  return run('xmlsec1', args);
}
