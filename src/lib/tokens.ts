// Bearer tokens: 256 random bits, prefixed by kind so a token says what it is; stored only as SHA-256.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { CredentialKind } from '../db/schema/businesses.js';

export const TOKEN_PATTERN = /^(biz|trm|stf)_[A-Za-z0-9_-]{32,128}$/;

export function newToken(kind: CredentialKind): string {
  return `${kind}_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

export function tokenKind(token: string): CredentialKind | null {
  return TOKEN_PATTERN.test(token) ? (token.slice(0, 3) as CredentialKind) : null;
}

/** Constant-time equality of two token hashes (the lookup is by hash; this guards the final compare). */
export function sameHash(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
