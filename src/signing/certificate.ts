import { createHash, X509Certificate } from 'node:crypto';
import forge from 'node-forge';

/** What the gateway knows about an X.509 certificate, read from its DER bytes. */
export interface CertificateInfo {
  /** RFC 4514-style, attributes in certificate order: "CN=…,UID=MST:0101243150,O=…,C=VN". */
  subject: string;
  issuer: string;
  /** Hex, uppercase, without leading zero octets. */
  serial: string;
  notBefore: Date;
  notAfter: Date;
  /** Every "MST:…" and "CCCD:…" found in any subject attribute (UID, CN, OU, …), e.g. "MST:0101243150". */
  taxCodes: string[];
  /** SHA-256 of the DER, hex uppercase without separators. */
  fingerprintSha256: string;
}

export type CertificateErrorCode =
  | 'certificate.bad_password'
  | 'certificate.invalid'
  | 'certificate.expired'
  | 'certificate.not_yet_valid'
  | 'certificate.not_rsa'
  | 'certificate.mst_mismatch'
  | 'certificate.key_mismatch';

export class CertificateError extends Error {
  readonly code: CertificateErrorCode;
  constructor(code: CertificateErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CertificateError';
    this.code = code;
  }
}

/** Short names printed in subjects; anything else prints as its dotted OID and hex value. */
const SHORT_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'SERIALNUMBER',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'T',
  '2.5.4.42': 'GN',
  '0.9.2342.19200300.100.1.1': 'UID',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'E',
};

const { Type, Class } = forge.asn1;

function decodeDirectoryString(node: forge.asn1.Asn1): string | null {
  const raw = node.value;
  if (typeof raw !== 'string') return null;
  const bytes = Buffer.from(raw, 'binary');
  switch (node.type as number) {
    case Type.UTF8:
      return bytes.toString('utf8');
    case Type.PRINTABLESTRING:
    case Type.IA5STRING:
    case 18: // NumericString
    case 20: // TeletexString, read as Latin-1 like most tools do
    case 26: // VisibleString
      return bytes.toString('latin1');
    case Type.BMPSTRING:
      return raw; // forge already decodes BMPString (UTF-16BE) into a JavaScript string
    case 28: {
      // UniversalString: UTF-32BE
      let out = '';
      for (let i = 0; i + 3 < bytes.length; i += 4) out += String.fromCodePoint(bytes.readUInt32BE(i));
      return out;
    }
    default:
      return null;
  }
}

/** RFC 4514 §2.4 escaping of an attribute value. */
function escapeRdnValue(value: string): string {
  let out = value.replace(/[\\,+"<>;=]/g, (c) => '\\' + c);
  if (out.startsWith('#') || out.startsWith(' ')) out = '\\' + out;
  if (out.endsWith(' ') && out.length > 1) out = out.slice(0, -1) + '\\ ';
  return out;
}

interface NameAttribute {
  oid: string;
  value: string;
  text: string;
}

function readName(nameNode: forge.asn1.Asn1): NameAttribute[][] {
  const rdns: NameAttribute[][] = [];
  for (const rdn of nameNode.value as forge.asn1.Asn1[]) {
    const set: NameAttribute[] = [];
    for (const atv of rdn.value as forge.asn1.Asn1[]) {
      const [oidNode, valueNode] = atv.value as forge.asn1.Asn1[];
      if (!oidNode || !valueNode) throw new Error('malformed AttributeTypeAndValue');
      const oid = forge.asn1.derToOid(oidNode.value as string);
      const decoded = decodeDirectoryString(valueNode);
      const short = SHORT_NAMES[oid];
      const text =
        decoded !== null && short
          ? `${short}=${escapeRdnValue(decoded)}`
          : `${short ?? oid}=#${Buffer.from(forge.asn1.toDer(valueNode).getBytes(), 'binary').toString('hex')}`;
      set.push({ oid, value: decoded ?? '', text });
    }
    rdns.push(set);
  }
  return rdns;
}

function formatName(rdns: NameAttribute[][]): string {
  return rdns.map((set) => set.map((a) => a.text).join('+')).join(',');
}

const TAX_CODE_PATTERN = /\b(MST|CCCD)\s*:\s*(\d{9,13}(?:-\d{3})?)/gi;

function findTaxCodes(rdns: NameAttribute[][]): string[] {
  const found = new Set<string>();
  for (const set of rdns) {
    for (const attr of set) {
      for (const m of attr.value.matchAll(TAX_CODE_PATTERN)) {
        found.add(`${(m[1] ?? '').toUpperCase()}:${m[2] ?? ''}`);
      }
    }
  }
  return [...found];
}

function readTime(node: forge.asn1.Asn1 | undefined): Date {
  if (!node || typeof node.value !== 'string') throw new Error('missing validity time');
  if (node.type === Type.UTCTIME) return forge.asn1.utcTimeToDate(node.value);
  if (node.type === Type.GENERALIZEDTIME) return forge.asn1.generalizedTimeToDate(node.value);
  throw new Error('unexpected validity time type');
}

function serialHex(node: forge.asn1.Asn1 | undefined): string {
  if (!node || typeof node.value !== 'string') throw new Error('missing serial number');
  const hex = Buffer.from(node.value, 'binary').toString('hex').toUpperCase();
  return hex.replace(/^(00)+(?=..)/, '');
}

/** Reads a DER certificate. Throws CertificateError('certificate.invalid') on anything unreadable. */
export function parseCertificateDer(der: Buffer): CertificateInfo {
  try {
    new X509Certificate(der); // rejects anything OpenSSL would not take as a certificate
    const cert = forge.asn1.fromDer(der.toString('binary'), false);
    const tbs = (cert.value as forge.asn1.Asn1[])[0];
    if (!tbs || !Array.isArray(tbs.value)) throw new Error('missing TBSCertificate');
    const fields = tbs.value as forge.asn1.Asn1[];
    const first = fields[0];
    const at = first && first.tagClass === Class.CONTEXT_SPECIFIC ? 1 : 0; // explicit [0] version
    const issuerNode = fields[at + 2];
    const validity = fields[at + 3];
    const subjectNode = fields[at + 4];
    if (!issuerNode || !validity || !subjectNode) throw new Error('truncated TBSCertificate');
    const [notBeforeNode, notAfterNode] = validity.value as forge.asn1.Asn1[];
    const subject = readName(subjectNode);
    return {
      subject: formatName(subject),
      issuer: formatName(readName(issuerNode)),
      serial: serialHex(fields[at]),
      notBefore: readTime(notBeforeNode),
      notAfter: readTime(notAfterNode),
      taxCodes: findTaxCodes(subject),
      fingerprintSha256: createHash('sha256').update(der).digest('hex').toUpperCase(),
    };
  } catch (err) {
    if (err instanceof CertificateError) throw err;
    throw new CertificateError('certificate.invalid', `Unreadable X.509 certificate: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** "2027-01-31 23:59:59 (UTC+7)": the time as sellers read it, whatever the process TZ. */
export function formatVietnamTime(d: Date): string {
  return new Date(d.getTime() + 7 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ') + ' (UTC+7)';
}

/** Throws CertificateError unless `now` lies within the certificate's validity period. */
export function checkValidityAt(info: CertificateInfo, now: Date): void {
  if (now.getTime() > info.notAfter.getTime()) {
    throw new CertificateError(
      'certificate.expired',
      `Certificate "${info.subject}" (serial ${info.serial}) expired on ${formatVietnamTime(info.notAfter)}`,
    );
  }
  if (now.getTime() < info.notBefore.getTime()) {
    throw new CertificateError(
      'certificate.not_yet_valid',
      `Certificate "${info.subject}" (serial ${info.serial}) is not valid before ${formatVietnamTime(info.notBefore)}`,
    );
  }
}

/**
 * Whether the certificate's subject names the seller. A branch (`0101243150-001`) may sign with
 * its own certificate or its parent company's; a household (12-digit personal ID as tax code)
 * with a certificate carrying it as MST or CCCD.
 */
export function taxCodeMatches(certTaxCodes: readonly string[], expected: string): boolean {
  const accepted = new Set([`MST:${expected}`]);
  const branch = /^(\d{10})-\d{3}$/.exec(expected);
  if (branch) accepted.add(`MST:${branch[1]}`);
  if (/^\d{12}$/.test(expected)) accepted.add(`CCCD:${expected}`);
  return certTaxCodes.some((c) => accepted.has(c));
}

export function checkTaxCode(info: CertificateInfo, expected: string): void {
  if (!taxCodeMatches(info.taxCodes, expected)) {
    const carried = info.taxCodes.length ? info.taxCodes.join(', ') : 'no MST/CCCD';
    throw new CertificateError(
      'certificate.mst_mismatch',
      `Certificate "${info.subject}" carries ${carried}, not the seller's tax code ${expected}`,
    );
  }
}
