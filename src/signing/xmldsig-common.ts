/** Algorithm identifiers and text helpers shared by signing and verification. */
import { createHash } from 'node:crypto';
import { XmlSignatureError } from './canonical-text.js';

export const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
export const C14N_ALGORITHM = 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315';
export const RSA_SHA256_ALGORITHM = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
export const SHA256_ALGORITHM = 'http://www.w3.org/2001/04/xmlenc#sha256';
export const ENVELOPED_TRANSFORM = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';

/** Asia/Ho_Chi_Minh is UTC+7 all year (no DST since 1975). */
const VIETNAM_OFFSET_MS = 7 * 3_600_000;

export function sha256Base64(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('base64');
}

/** 'YYYY-MM-DDThh:mm:ss' in Asia/Ho_Chi_Minh local time. */
export function formatSigningTime(d: Date): string {
  if (Number.isNaN(d.getTime())) throw new XmlSignatureError('xmldsig.bad_time', 'Invalid signing time');
  return new Date(d.getTime() + VIETNAM_OFFSET_MS).toISOString().slice(0, 19);
}

/** The instant of a 'YYYY-MM-DDThh:mm:ss' Vietnam local time, or null if malformed. */
export function parseSigningTime(s: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(s);
  if (!m) return null;
  const [y, mo, d, h, mi, se] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const utc = Date.UTC(y, mo - 1, d, h, mi, se);
  const back = new Date(utc);
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || se > 59) return null;
  return new Date(utc - VIETNAM_OFFSET_MS);
}

/** `<Tag …>` of a start tag with the dsig default namespace declared first, as C14N renders an apex. */
export function withDsigNamespace(elementText: string): string {
  const m = /^<([A-Za-z]+)/.exec(elementText);
  if (!m || elementText.startsWith(`<${m[1]} xmlns="`)) return elementText;
  const at = m[0].length;
  return `${elementText.slice(0, at)} xmlns="${DSIG_NS}"${elementText.slice(at)}`;
}
