// One file per aggregate; this index is what drizzle-kit and the client see.
export * from './audit.js';
