// Reading the plain objects of src/invoice/parse.ts `parseMessage` without trusting their shape.
import type { PlainObject, PlainValue } from '../invoice/parse.js';

export const obj = (v: PlainValue | undefined): PlainObject => (v && typeof v === 'object' && !Array.isArray(v) ? v : {});
export const str = (v: PlainValue | undefined): string => (typeof v === 'string' ? v : '');
export const list = (v: PlainValue | undefined): PlainValue[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
