// One file per aggregate; this index is what drizzle-kit and the client see.
export * from './audit.js';
export * from './businesses.js';
export * from './invoices.js';
export * from './transmission.js';
export * from './notices.js';
export * from './stats.js';
export * from '../../authority-sim/schema.js';
