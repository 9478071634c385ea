// The domain's public surface: pure rules, no I/O. Other layers import from here.
export * from './errors.js';
export * from './text.js';
export * from './vat.js';
export * from './decimal.js';
export * from './line-input.js';
export * from './amounts.js';
export * from './words.js';
export * from './dates.js';
export * from './provinces.js';
export * from './birth-provinces.js';
export * from './personal-id.js';
export * from './tax-code.js';
export * from './codes.js';
export * from './qr.js';
export * from './uuid7.js';
