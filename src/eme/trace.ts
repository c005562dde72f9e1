// The EME trace: every call of the API with its arguments, every promise's outcome, every event with its payload
// (CDM messages included), with timestamps and session IDs, as JSON lines, for debugging a player's DRM flow (after
// the EME Logger extension and chrome://media-internals). Key material never enters it: JWK secret members are
// replaced, other responses are reduced to their length. Key IDs are kept, in hex.

import { closeSync, openSync, writeSync } from 'node:fs';
import { toHex } from '../util/bytes.js';

export interface TraceEntry {
  /** Ms since the epoch, with sub-ms precision. */
  readonly time: number;
  readonly seq: number;
  readonly kind: 'call' | 'resolve' | 'reject' | 'event' | 'warning';
  /** 'navigator', 'access 1', 'keys 1', 'session 1', …: the object, numbered in creation order. */
  readonly target: string;
  readonly sessionId?: string;
  readonly method?: string;
  /** For resolve and reject: the seq of the call they answer. */
  readonly call?: number;
  readonly args?: Record<string, unknown>;
  readonly value?: unknown;
  readonly error?: { readonly name: string; readonly message: string };
  /** Event type: message, keystatuseschange, closed, expirationchange (the attribute changed). */
  readonly type?: string;
  readonly detail?: Record<string, unknown>;
  readonly message?: string;
}

/** Where entries go: a function, or the path of a JSON lines file (appended to). */
export type TraceOption = string | ((entry: TraceEntry) => void);

/** Who an entry is about; a session's ID can change, so it is read when the entry is made. */
export type TraceWho = () => { readonly target: string; readonly sessionId?: string };

const SECRET_JWK_MEMBERS = new Set(['k', 'd', 'p', 'q', 'dp', 'dq', 'qi', 'oth']);
const MAX_OPAQUE_BYTES = 4096;
const decoder = new TextDecoder('utf-8', { fatal: true });

function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch {
    return undefined;
  }
}

function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([name, member]) => [name, SECRET_JWK_MEMBERS.has(name) ? '[redacted]' : redact(member)]));
}

/** A CDM message or init data: its JSON (redacted), or its bytes in base64 (the first 4 KB). */
export function describeBytes(bytes: Uint8Array): Record<string, unknown> {
  const json = parseJson(bytes);
  if (typeof json === 'object' && json !== null) return { json: redact(json) };
  const shown = bytes.subarray(0, MAX_OPAQUE_BYTES);
  return { bytes: bytes.length, base64: Buffer.from(shown.buffer, shown.byteOffset, shown.length).toString('base64') };
}

/** A response to update(): JSON with its secret members redacted, anything else only by length (it may be a key). */
export function describeResponse(bytes: Uint8Array): Record<string, unknown> {
  const json = parseJson(bytes);
  return typeof json === 'object' && json !== null ? { json: redact(json) } : { bytes: bytes.length };
}

/** A page-supplied argument, copied as JSON without failing (cycles, BigInt: a placeholder). */
export function describeValue(value: unknown): unknown {
  if (ArrayBuffer.isView(value)) return describeBytes(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
  if (value instanceof ArrayBuffer) return describeBytes(new Uint8Array(value));
  try {
    return value === undefined ? undefined : JSON.parse(JSON.stringify(value) ?? 'null');
  } catch {
    return '[not serializable]';
  }
}

export function describeError(error: unknown): { name: string; message: string } {
  if (error instanceof Error || error instanceof DOMException) return { name: error.name, message: error.message };
  return { name: typeof error, message: String(error) };
}

export function describeKeyStatuses(statuses: Iterable<readonly [ArrayBuffer | Uint8Array, string]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [keyId, status] of statuses) out[toHex(keyId instanceof Uint8Array ? keyId : new Uint8Array(keyId))] = status;
  return out;
}

export class Tracer {
  readonly #sink: (entry: TraceEntry) => void;
  readonly #close: () => void;
  #seq = 0;
  readonly #counters = new Map<string, number>();
  #failed = false;

  constructor(option: TraceOption) {
    if (typeof option === 'function') {
      this.#sink = option;
      this.#close = () => {};
    } else {
      const fd = openSync(option, 'a');
      this.#sink = (entry) => writeSync(fd, `${JSON.stringify(entry)}\n`);
      this.#close = () => closeSync(fd);
    }
  }

  /** A name for a new object of a kind: 'session 3'. */
  name(kind: string): string {
    const n = (this.#counters.get(kind) ?? 0) + 1;
    this.#counters.set(kind, n);
    return `${kind} ${n}`;
  }

  /** Records a call and, when it settles, its outcome; returns the promise unchanged. */
  call<T>(who: TraceWho, method: string, args: Record<string, unknown>, promise: Promise<T>, describe?: (value: T) => unknown): Promise<T> {
    const call = this.#write(who, { kind: 'call', method, args });
    promise.then(
      (value) => this.#write(who, { kind: 'resolve', method, call, ...(describe && { value: describe(value) }) }),
      (error: unknown) => this.#write(who, { kind: 'reject', method, call, error: describeError(error) }),
    );
    return promise;
  }

  /** A synchronous call (createSession): its return or throw. */
  callSync<T>(who: TraceWho, method: string, args: Record<string, unknown>, run: () => T, describe: (value: T) => TraceWho): T {
    const call = this.#write(who, { kind: 'call', method, args });
    try {
      const value = run();
      this.#write(describe(value), { kind: 'resolve', method, call });
      return value;
    } catch (error) {
      this.#write(who, { kind: 'reject', method, call, error: describeError(error) });
      throw error;
    }
  }

  event(who: TraceWho, type: string, detail: Record<string, unknown>): void {
    this.#write(who, { kind: 'event', type, detail });
  }

  warnings(who: TraceWho, messages: readonly string[]): void {
    for (const message of messages) this.#write(who, { kind: 'warning', message });
  }

  close(): void {
    this.#close();
  }

  #write(who: TraceWho, fields: Omit<TraceEntry, 'time' | 'seq' | 'target' | 'sessionId'>): number {
    const seq = ++this.#seq;
    const { target, sessionId } = who();
    const entry: TraceEntry = { time: performance.timeOrigin + performance.now(), seq, target, ...(sessionId ? { sessionId } : {}), ...fields };
    if (this.#failed) return seq;
    try {
      this.#sink(entry);
    } catch (error) {
      // Tracing must never change what the page sees: report the first failure, then drop entries.
      if (!this.#failed) process.emitWarning(`emekit trace: ${describeError(error).message}; further entries are dropped`);
      this.#failed = true;
    }
    return seq;
  }
}

/**
 * Runs a promise-returning operation's steps, recording the call and its outcome when tracing. The arguments are
 * described after the steps have converted them, so tracing does not change what script observes of the order.
 */
export function traced<T>(
  tracer: Tracer | undefined,
  who: TraceWho,
  method: string,
  describeArgs: () => Record<string, unknown>,
  steps: () => Promise<T>,
  describe?: (value: T) => unknown,
): Promise<T> {
  if (!tracer) return steps();
  let promise: Promise<T>;
  try {
    promise = steps();
  } catch (error) {
    tracer.call(who, method, describeArgs(), Promise.reject(error));
    throw error;
  }
  return tracer.call(who, method, describeArgs(), promise, describe);
}

/** Warnings a CDM attached to a result or an error. */
export function warningsOf(value: unknown): readonly string[] {
  const warnings = (value as { warnings?: unknown } | null | undefined)?.warnings;
  return Array.isArray(warnings) ? (warnings as string[]) : [];
}
