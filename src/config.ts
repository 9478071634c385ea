// Every setting of the gateway, read from the environment once at start, validated and frozen.
// A bad value stops the process with one line naming the variable (ConfigError).
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync, chmodSync } from 'node:fs';
import path from 'node:path';

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** A symmetric key with the id it is known by, so data encrypted or hashed under it names it. */
export interface VersionedKey {
  id: string;
  key: Buffer;
}

export interface Config {
  port: number;
  host: string;
  /** Unset: embedded PostgreSQL (PGlite) in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  /** Unset: transmission runs in-process over the outbox instead of BullMQ. */
  redisUrl?: string;
  /** Unset: the built-in tax-authority simulator. */
  authorityUrl?: string;
  /** PEM of the certificate that signs the authority's replies (the simulator's own in embedded mode). */
  authorityCert?: string;
  /** First key encrypts; the others still decrypt (rotation). */
  masterKeys: VersionedKey[];
  /** Keyed hash of personal IDs. Versioned, never rotated in place. */
  lookupKey: VersionedKey;
  logLevel: LogLevel;
  publicUrl: string;
  providerTaxCode: string;
  taxOfficeCode: string;
  offlineWindowHours: number;
  /** Idempotency keys older than this are deleted (IDEMPOTENCY_RETENTION_DAYS, > the offline window). */
  idempotencyRetentionDays: number;
  adminToken?: string;
  /** Run the transmission consumers in this process (always true in embedded mode). */
  runWorkers: boolean;
  batch: { maxInvoices: number; maxAgeMs: number; maxBytes: number };
  /** Largest invoice total accepted, in VND. */
  invoiceCeiling: bigint;
  formatVersion: string;
  /** Port of the simulator's HTTP app when `npm run sim` runs it alone. */
  simPort: number;
  /** BullMQ key prefix: separates deployments (or test runs) sharing one Redis. */
  queuePrefix: string;
  /** How often consumers re-create jobs for open work (the safety net after Redis or worker loss). */
  reconcileIntervalMs: number;
  transmission: {
    /** Per HTTP call to the authority. */
    timeoutMs: number;
    /** How long a worker owns a message it is sending; a crashed worker's messages wait this long. */
    leaseMs: number;
    /** First wait before polling for an answer (then exponential). */
    pollBaseMs: number;
    /** First wait before sending a failed message again (then exponential, with jitter) … */
    retryBaseMs: number;
    /** … up to this wait (a Retry-After from the authority still wins). */
    retryMaxMs: number;
  };
  // Statistics, risk and demo data (src/modules/stats, risk, demo).
  /** How often consumer processes run the risk evaluation (RISK_INTERVAL_MS, default hourly). */
  riskIntervalMs: number;
  /** DEMO_DATA=small: load a small demo country at first start (once per database). */
  demoData?: 'small';
  // HTTP limits and browser security (src/plugins/security.ts).
  limits: {
    /** RATE_LIMIT_IP_PER_MINUTE: requests a minute per client IP without a valid token (public routes, refused tokens); 0 = off. */
    anonymousPerMinute: number;
    /** RATE_LIMIT_TOKEN_PER_MINUTE: requests a minute per bearer token (a terminal, a business, a staff member); 0 = off. */
    tokenPerMinute: number;
    /** REQUEST_TIMEOUT_MS: a request must arrive whole within this (slow clients get 408 and are closed). */
    requestTimeoutMs: number;
    /** MAX_CONNECTIONS: open connections per process; beyond it new connections are closed at once. */
    maxConnections: number;
  };
  /** CORS_ORIGINS: browser origins allowed to call the API from another site; empty = CORS closed. */
  corsOrigins: string[];
  /** TRUST_PROXY: whose X-Forwarded-For to believe for the client IP (false, true, or proxy addresses/CIDRs). */
  trustProxy: boolean | string[];
}

type Env = Record<string, string | undefined>;

function str(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function int(env: Env, name: string, def: number, min: number, max: number): number {
  const raw = str(env, name);
  if (raw === undefined) return def;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be an integer, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = str(env, name);
  if (raw === undefined) return undefined;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ConfigError(name, 'is not a valid URL');
  }
  if (!protocols.includes(u.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(' or ')}, got ${u.protocol}`);
  }
  return raw;
}

/** `id:base64` or bare base64 (id `k1`); the key must be 32 bytes. */
function parseKey(name: string, raw: string): VersionedKey {
  const m = /^(?:([A-Za-z0-9_-]{1,16}):)?([A-Za-z0-9+/=_-]+)$/.exec(raw);
  if (!m) throw new ConfigError(name, 'must be "<id>:<base64 of 32 bytes>"');
  const key = Buffer.from(m[2]!, 'base64');
  if (key.length !== 32) throw new ConfigError(name, `must decode to 32 bytes, got ${key.length}`);
  return { id: m[1] ?? 'k1', key };
}

/** Comma-separated `scheme://host[:port]` origins, exactly as browsers send them in `Origin`. */
function origins(env: Env, name: string): string[] {
  const raw = str(env, name);
  if (raw === undefined) return [];
  return raw.split(',').map((o) => {
    const origin = o.trim();
    let u: URL;
    try {
      u = new URL(origin);
    } catch {
      throw new ConfigError(name, `"${origin}" is not an origin (scheme://host[:port])`);
    }
    if (!['http:', 'https:'].includes(u.protocol) || u.origin !== origin) throw new ConfigError(name, `"${origin}" is not an origin (scheme://host[:port], no path)`);
    return origin;
  });
}

function trustProxy(env: Env, name: string): boolean | string[] {
  const raw = str(env, name);
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  const list = raw.split(',').map((a) => a.trim());
  if (list.some((a) => !/^[0-9A-Fa-f.:]+(\/\d{1,3})?$/.test(a))) throw new ConfigError(name, 'must be true, false, or comma-separated proxy addresses/CIDRs');
  return list;
}

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Pure: parses an environment. Keys may be missing here; `loadConfig` fills them in embedded mode. */
export function parseConfig(env: Env, generated: { masterKey?: string; lookupKey?: string } = {}): Config {
  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const port = int(env, 'PORT', 8080, 0, 65535);
  const host = str(env, 'HOST') ?? '127.0.0.1';
  const logLevel = (str(env, 'LOG_LEVEL') ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);

  const masterRaw = str(env, 'MASTER_KEY') ?? generated.masterKey;
  const lookupRaw = str(env, 'LOOKUP_KEY') ?? generated.lookupKey;
  if (!masterRaw) throw new ConfigError('MASTER_KEY', 'is required when DATABASE_URL is set (all processes must share it)');
  if (!lookupRaw) throw new ConfigError('LOOKUP_KEY', 'is required when DATABASE_URL is set (all processes must share it)');
  const masterKeys = masterRaw.split(',').map((k) => parseKey('MASTER_KEY', k.trim()));
  if (new Set(masterKeys.map((k) => k.id)).size !== masterKeys.length) {
    throw new ConfigError('MASTER_KEY', 'key ids must be unique');
  }

  const providerTaxCode = str(env, 'PROVIDER_TAX_CODE') ?? '0100109106';
  if (!/^\d{10}(-\d{3})?$/.test(providerTaxCode)) throw new ConfigError('PROVIDER_TAX_CODE', 'must be a 10-digit tax code');
  const taxOfficeCode = str(env, 'TAX_OFFICE_CODE') ?? '10100';
  if (!/^[A-Z0-9]{5}$/.test(taxOfficeCode)) throw new ConfigError('TAX_OFFICE_CODE', 'must be 5 characters [A-Z0-9]');

  const adminToken = str(env, 'ADMIN_TOKEN');
  if (adminToken !== undefined && !/^stf_[A-Za-z0-9_-]{32,}$/.test(adminToken)) {
    throw new ConfigError('ADMIN_TOKEN', 'must be "stf_" followed by at least 32 characters [A-Za-z0-9_-]');
  }
  const redisUrl = url(env, 'REDIS_URL', ['redis:', 'rediss:']);
  const runWorkersRaw = str(env, 'RUN_WORKERS');
  if (runWorkersRaw !== undefined && !['true', 'false'].includes(runWorkersRaw)) {
    throw new ConfigError('RUN_WORKERS', 'must be true or false');
  }
  const ceilingRaw = str(env, 'INVOICE_CEILING') ?? '10000000000000';
  if (!/^\d{1,16}$/.test(ceilingRaw) || BigInt(ceilingRaw) > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new ConfigError('INVOICE_CEILING', 'must be an integer VND amount up to 2^53-1');
  }
  const embedded = databaseUrl === undefined;
  const demoData = str(env, 'DEMO_DATA');
  if (demoData !== undefined && demoData !== 'small') throw new ConfigError('DEMO_DATA', 'must be "small" or unset');

  const offlineWindowHours = int(env, 'OFFLINE_WINDOW_HOURS', 72, 1, 24 * 30);
  // A retry inside the offline window must find its key: keep keys for longer than the window.
  const idempotencyRetentionDays = int(env, 'IDEMPOTENCY_RETENTION_DAYS', 7, 1, 3650);
  if (idempotencyRetentionDays * 24 <= offlineWindowHours) {
    throw new ConfigError('IDEMPOTENCY_RETENTION_DAYS', `must be longer than OFFLINE_WINDOW_HOURS (${offlineWindowHours} hours)`);
  }

  return Object.freeze({
    port,
    host,
    databaseUrl,
    dataDir: path.resolve(str(env, 'DATA_DIR') ?? './data'),
    redisUrl,
    authorityUrl: url(env, 'AUTHORITY_URL', ['http:', 'https:']),
    authorityCert: str(env, 'AUTHORITY_CERT'),
    masterKeys,
    lookupKey: parseKey('LOOKUP_KEY', lookupRaw),
    logLevel,
    publicUrl: (url(env, 'PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    providerTaxCode,
    taxOfficeCode,
    offlineWindowHours,
    idempotencyRetentionDays,
    adminToken,
    // Without Redis nothing else would drain the outbox, so the gateway must.
    runWorkers: redisUrl === undefined ? true : runWorkersRaw === 'true',
    batch: {
      maxInvoices: int(env, 'BATCH_MAX_INVOICES', 500, 1, 500),
      maxAgeMs: int(env, 'BATCH_MAX_AGE_MS', embedded ? 2000 : 30000, 0, 3_600_000),
      maxBytes: int(env, 'BATCH_MAX_BYTES', 2_000_000, 10_000, 2_000_000),
    },
    invoiceCeiling: BigInt(ceilingRaw),
    formatVersion: str(env, 'FORMAT_VERSION') ?? '2.1.0',
    simPort: int(env, 'SIM_PORT', 8090, 0, 65535),
    queuePrefix: str(env, 'QUEUE_PREFIX') ?? 'hoadon',
    reconcileIntervalMs: int(env, 'RECONCILE_INTERVAL_MS', embedded ? 2000 : 10_000, 100, 600_000),
    transmission: {
      timeoutMs: int(env, 'AUTHORITY_TIMEOUT_MS', 15_000, 100, 300_000),
      leaseMs: int(env, 'MESSAGE_LEASE_MS', 60_000, 500, 3_600_000),
      pollBaseMs: int(env, 'POLL_BASE_MS', 500, 10, 600_000),
      retryBaseMs: int(env, 'RETRY_BASE_MS', 1000, 10, 600_000),
      retryMaxMs: int(env, 'RETRY_MAX_MS', 300_000, 100, 3_600_000),
    },
    riskIntervalMs: int(env, 'RISK_INTERVAL_MS', 3_600_000, 1000, 7 * 86_400_000),
    demoData,
    limits: {
      anonymousPerMinute: int(env, 'RATE_LIMIT_IP_PER_MINUTE', 300, 0, 1_000_000),
      tokenPerMinute: int(env, 'RATE_LIMIT_TOKEN_PER_MINUTE', 1200, 0, 1_000_000),
      requestTimeoutMs: int(env, 'REQUEST_TIMEOUT_MS', 30_000, 100, 600_000),
      maxConnections: int(env, 'MAX_CONNECTIONS', 2048, 1, 1_000_000),
    },
    corsOrigins: origins(env, 'CORS_ORIGINS'),
    trustProxy: trustProxy(env, 'TRUST_PROXY'),
  });
}

/**
 * Reads the environment; in embedded mode (no DATABASE_URL) the two secrets are generated once
 * into DATA_DIR/secrets.json (mode 0600) so data encrypted under them survives restarts.
 */
export function loadConfig(env: Env = process.env): Config {
  const generated: { masterKey?: string; lookupKey?: string } = {};
  if (str(env, 'DATABASE_URL') === undefined && (!str(env, 'MASTER_KEY') || !str(env, 'LOOKUP_KEY'))) {
    const dir = path.resolve(str(env, 'DATA_DIR') ?? './data');
    Object.assign(generated, embeddedSecrets(dir));
  }
  return parseConfig(env, generated);
}

function embeddedSecrets(dir: string): { masterKey: string; lookupKey: string } {
  const file = path.join(dir, 'secrets.json');
  mkdirSync(dir, { recursive: true });
  if (existsSync(file)) {
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as { masterKey: string; lookupKey: string };
      if (parsed.masterKey && parsed.lookupKey) return parsed;
    } catch {
      throw new ConfigError('DATA_DIR', `${file} is not readable JSON; restore it or remove DATA_DIR`);
    }
  }
  const secrets = {
    masterKey: `k1:${randomBytes(32).toString('base64')}`,
    lookupKey: `v1:${randomBytes(32).toString('base64')}`,
  };
  writeFileSync(file, JSON.stringify(secrets), { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return secrets;
}
