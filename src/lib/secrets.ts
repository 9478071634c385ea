// Secrets at rest: AES-256-GCM under MASTER_KEY (the key id travels with the ciphertext so old
// data decrypts after a rotation), and keyed hashes of personal IDs under LOOKUP_KEY (a plain hash
// of 12 digits is brute-forced in seconds).
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { VersionedKey } from '../config.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface SecretBox {
  encrypt(plain: Buffer | string, aad?: string): string;
  decrypt(sealed: string, aad?: string): Buffer;
  /** True when `sealed` was made under a key that is no longer the current one. */
  needsRotation(sealed: string): boolean;
}

export function secretBox(keys: VersionedKey[]): SecretBox {
  const current = keys[0];
  if (!current) throw new Error('secretBox: no key');
  const byId = new Map(keys.map((k) => [k.id, k.key]));
  return {
    encrypt(plain, aad) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', current.key, iv);
      if (aad) cipher.setAAD(Buffer.from(aad));
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return `${current.id}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
    },
    decrypt(sealed, aad) {
      const sep = sealed.indexOf(':');
      const key = byId.get(sealed.slice(0, sep));
      if (sep < 0 || !key) throw new Error('secretBox: sealed under an unknown key id');
      const raw = Buffer.from(sealed.slice(sep + 1), 'base64');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      if (aad) decipher.setAAD(Buffer.from(aad));
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
    },
    needsRotation(sealed) {
      return !sealed.startsWith(`${current.id}:`);
    },
  };
}

/** `<keyId>:<hex HMAC-SHA256>`: comparable across rows made under the same LOOKUP_KEY version. */
export function lookupHash(key: VersionedKey, value: string): string {
  return `${key.id}:${createHmac('sha256', key.key).update(value).digest('hex')}`;
}
