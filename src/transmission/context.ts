import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { Clock } from '../deps.js';
import type { SignerSource } from '../modules/businesses/keystore.js';
import type { AuthorityClient } from './authority-client.js';
import type { ReplyHandler } from './messenger.js';

/** What the transmission processors need: narrow on purpose, the same in a gateway or a worker. */
export interface TransmissionContext {
  db: Db;
  config: Config;
  clock: Clock;
  authority: AuthorityClient;
  signers: SignerSource;
  log: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error' | 'debug'>;
  /** Names this process in message leases. */
  workerId: string;
  /** Business answers by message type (206 → 204 here; 100 → 102/103 in the businesses module). */
  replyHandlers: Map<number, ReplyHandler>;
  /** Work that follows transmission events, for modules built on top (e.g. 303 notices). */
  followUps?: {
    /** A message got its business answer (after its transaction committed). */
    answered?(m: { id: string; type: number; businessId: string }): Promise<void>;
    /** Each reconciler pass. */
    reconcile?(): Promise<unknown>;
  };
  /** Polling for a business answer starts here and backs off. */
  pollBaseMs?: number;
  /** How long a message lease lasts before another worker may take over. */
  leaseMs?: number;
  /** Resending a failed message backs off from this (default 1 s) … */
  retryBaseMs?: number;
  /** … to this (default 5 min). */
  retryMaxMs?: number;
}
