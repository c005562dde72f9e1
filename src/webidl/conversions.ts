// WebIDL type conversions (https://webidl.spec.whatwg.org/#es-type-mapping) for the types the EME and media IDL use.
// Each throws the TypeError WebIDL prescribes; callers in promise-returning methods turn it into a rejection.

import { viewOfBufferSource } from './buffer-source.js';
import type { IdlType } from './interface.js';

export function requireArguments(given: number, required: number, context: string): void {
  if (given < required) {
    throw new TypeError(`${context}: ${required} argument${required === 1 ? '' : 's'} required, but only ${given} present`);
  }
}

export function toDOMString(value: unknown, context: string): string {
  if (typeof value === 'symbol') throw new TypeError(`${context}: a Symbol cannot be converted to a string`);
  return String(value);
}

export function toEnum<T extends string>(value: unknown, allowed: readonly T[], context: string): T {
  const s = toDOMString(value, context);
  if (!(allowed as readonly string[]).includes(s)) {
    throw new TypeError(`${context}: '${s}' is not a valid value (expected one of ${allowed.map((a) => `'${a}'`).join(', ')})`);
  }
  return s as T;
}

/** sequence<T>: any iterable object; strings and other primitives are rejected. */
export function toSequence<T>(value: unknown, context: string, convert: (item: unknown, ctx: string) => T): T[] {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) {
    throw new TypeError(`${context}: value is not a sequence (an iterable object)`);
  }
  const iteratorMethod = (value as { [Symbol.iterator]?: unknown })[Symbol.iterator];
  if (typeof iteratorMethod !== 'function') {
    throw new TypeError(`${context}: value is not iterable`);
  }
  const out: T[] = [];
  let index = 0;
  for (const item of value as Iterable<unknown>) {
    out.push(convert(item, `${context}[${index}]`));
    index++;
  }
  return out;
}

/**
 * The object a dictionary conversion reads members from. undefined and null are an empty dictionary;
 * any other non-object is a TypeError.
 */
export function dictionarySource(value: unknown, context: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' && typeof value !== 'function') {
    throw new TypeError(`${context}: value is not an object`);
  }
  return value as Record<string, unknown>;
}

/** Reads one member (each member read exactly once, as WebIDL requires: getters may have side effects). */
export function readMember(source: Record<string, unknown> | undefined, key: string): unknown {
  return source === undefined ? undefined : source[key];
}

/** DOMString? : null stays null. */
export function toNullableDOMString(value: unknown, context: string): string | null {
  return value === null ? null : toDOMString(value, context);
}

/** boolean: ToBoolean, which never throws. */
export function toBoolean(value: unknown): boolean {
  return Boolean(value);
}

/** unrestricted double: ToNumber (a Symbol or BigInt is a TypeError, as ToNumber throws). */
export function toUnrestrictedDouble(value: unknown, context: string): number {
  if (typeof value === 'symbol' || typeof value === 'bigint') throw new TypeError(`${context}: the value cannot be converted to a number`);
  return Number(value);
}

/** double: as unrestricted double, and NaN or an infinity is a TypeError. */
export function toDouble(value: unknown, context: string): number {
  const number = toUnrestrictedDouble(value, context);
  if (!Number.isFinite(number)) throw new TypeError(`${context}: The provided double value is non-finite.`);
  return number;
}

/** unsigned long: ToNumber, truncated, modulo 2^32 (WebIDL's ConvertToInt without [EnforceRange]). */
export function toUnsignedLong(value: unknown, context: string): number {
  const number = toUnrestrictedDouble(value, context);
  return Number.isFinite(number) ? Math.trunc(number) >>> 0 : 0;
}

/** The conversion of a value to one of the IdlTypes a shape names (an enumeration outside its strings: TypeError). */
export function convertTo(type: IdlType, value: unknown, context: string): unknown {
  switch (type) {
    case 'boolean':
      return toBoolean(value);
    case 'double':
      return toDouble(value, context);
    case 'unrestricted double':
      return toUnrestrictedDouble(value, context);
    case 'unsigned long':
      return toUnsignedLong(value, context);
    case 'DOMString':
      return toDOMString(value, context);
    case 'BufferSource':
      return viewOfBufferSource(value, context);
    default:
      if ('enum' in type) return toEnum(value, type.enum, context);
      if (!type.interface.implementedBy(value)) throw new TypeError(`${context}: the value is not of type '${type.interface.name}'.`);
      return value;
  }
}
