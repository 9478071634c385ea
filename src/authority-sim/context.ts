// What the simulator's checks and answers need, narrow on purpose.
import type { Db, Tx } from '../db/client.js';
import type { EnvelopeHeader } from '../invoice/message.js';
import type { ParsedMessage } from '../invoice/parse.js';
import type { Signer } from '../signing/pkcs12.js';
import type { SimReason } from './codes.js';
import type { XsdValidator } from './xsd.js';

export interface SimLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: SimLogger = { debug() {}, info() {}, warn() {}, error() {} };

export interface SimContext {
  db: Db;
  clock: () => Date;
  random: () => number;
  /** The simulator's own signing identity (replies 102, 103, 204, 301). */
  signer: Signer;
  /** xmllint-backed schema checks, or null when switched off. */
  validator: XsdValidator | null;
  /** When set, seller certificates must chain to one of these. */
  trustedCertsDer?: Buffer[];
  log: SimLogger;
  /** Delay before a business answer becomes visible (faults may override it at any time). */
  replyDelayMs(): number;
}

/** A request that parsed as a `TDiep` with a usable `MTDiep` (a 206 is parsed with its `HDon` emptied). */
export interface IncomingMessage {
  text: string;
  sha256: string;
  header: EnvelopeHeader;
  parsed: ParsedMessage;
  receivedAt: Date;
}

/** A signed business answer and when it shows up: `receivedAt + delaySteps × replyDelayMs`. */
export interface PlannedReply {
  type: number;
  xml: string;
  delaySteps: number;
}

/**
 * What the checks of one message type decided: not taken in (999 TTTNhan=1), or taken in, with
 * the answers computed inside the transaction that stores the message.
 */
export type Intake =
  | { refused: SimReason[] }
  | { refused?: undefined; taxCode?: string; commit(tx: Tx, at: Date): Promise<PlannedReply[]> };
