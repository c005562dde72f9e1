// The parsers under test, each driven through the public API with one input, and what counts as a documented
// outcome for each. Shared by `npm run fuzz` (fuzz/loop.ts) and test/regressions/replay.test.ts (fuzz/worker.mjs).
import { Writable } from 'node:stream';
import { createEME, MemorySessionStore } from '../src/index.js';
import type { MediaKeys, MediaKeySession } from '../src/index.js';
import { decryptMedia, extractInitData, inspectMedia, listSamples, MediaError } from '../src/media/index.js';
import { encodeBase64Url } from '../src/util/base64url.js';
import { mse, setUpMse } from './mse.js';

export const TARGETS = ['mp4', 'mse', 'cenc', 'keyids', 'webm', 'license', 'release', 'server'] as const;
export type Target = (typeof TARGETS)[number];

/** How one input ended: accepted, rejected with a documented error, or something else (a finding). */
export interface Outcome {
  kind: 'ok' | 'rejected' | 'undocumented';
  /** Error name, MediaError code, box and field when rejected. */
  name?: string;
  code?: string;
  box?: string;
  field?: string;
  message?: string;
}

const OK: Outcome = { kind: 'ok' };

function describeError(error: unknown, documented: boolean): Outcome {
  const e = error as { name?: unknown; code?: unknown; box?: unknown; field?: unknown; message?: unknown; stack?: unknown } | undefined;
  const out: Outcome = { kind: documented ? 'rejected' : 'undocumented', name: String(e?.name ?? typeof error) };
  if (typeof e?.code === 'string') out.code = e.code;
  if (typeof e?.box === 'string') out.box = e.box;
  if (typeof e?.field === 'string') out.field = e.field;
  out.message = documented ? String(e?.message) : String(e?.stack ?? e?.message ?? error);
  return out;
}

async function attempt(step: () => Promise<unknown>, documented: (e: unknown) => boolean): Promise<Outcome> {
  try {
    await step();
    return OK;
  } catch (e) {
    return describeError(e, documented(e));
  }
}

const sink = (): Writable => new Writable({ write: (_c, _e, cb) => cb() });
const anyKey = (): Buffer => Buffer.alloc(16, 7);

/**
 * `b` as an async iterable of `size`-byte chunks. A plain iterator of settled promises rather than an async
 * generator: the parser sees the same chunks and awaits, and the harness's own cost per chunk was a third of it.
 */
function chunks(b: Buffer, size: number): AsyncIterable<Buffer> {
  return {
    [Symbol.asyncIterator]() {
      let i = 0;
      return {
        next(): Promise<IteratorResult<Buffer>> {
          if (i >= b.length) return Promise.resolve({ done: true, value: undefined });
          const value = b.subarray(i, (i += size));
          return Promise.resolve({ done: false, value });
        },
        return(): Promise<IteratorResult<Buffer>> {
          i = b.length;
          return Promise.resolve({ done: true, value: undefined });
        },
      };
    },
  };
}

/** The media layer's documented rejections: a MediaError with one of its codes, never 'internal' (a bug). */
const mediaError = (e: unknown): boolean => e instanceof MediaError && e.code !== 'internal';

/** ISO-BMFF: inspectMedia, extractInitData, decryptMedia and listSamples from bytes, and inspectMedia from a stream. */
async function mp4(input: Buffer): Promise<Outcome> {
  let first: Outcome | undefined;
  for (const step of [
    () => inspectMedia(input),
    () => extractInitData(input),
    () => decryptMedia(input, sink(), { keys: anyKey, verify: false }),
    async () => listSamples(input),
    // Small chunks of a size the input picks: the stream path's header and queue handling.
    () => inspectMedia(chunks(input, 1 + (input.length % 61))),
  ]) {
    const r = await attempt(step, mediaError);
    if (r.kind === 'undocumented') return r;
    first ??= r.kind === 'rejected' ? r : undefined;
  }
  return first ?? OK;
}

// --- EME: generateRequest and update on Clear Key sessions --------------------------------------------------

const KID_A = Buffer.from('2f05477fc24bb4faefd86517156daffc', 'hex');
const KEY_A = Buffer.from('b50d1b25559be9bd0a3cbe8ab59232fc', 'hex');
const KID_B = Buffer.from('d0376d53da1df818792f7c5bbf45dffc', 'hex');
const enc = new TextEncoder();

export function licenseFor(keys: [Buffer, Buffer][], type?: string): Uint8Array {
  const body: Record<string, unknown> = { keys: keys.map(([kid, k]) => ({ kty: 'oct', kid: encodeBase64Url(kid), k: encodeBase64Url(k) })) };
  if (type !== undefined) body['type'] = type;
  return enc.encode(JSON.stringify(body));
}

export const KEYIDS_A_B = enc.encode(JSON.stringify({ kids: [encodeBase64Url(KID_A), encodeBase64Url(KID_B)] }));

let mediaKeys: Promise<MediaKeys> | undefined;
/**
 * Sessions the current MediaKeys holds that can never be closed: close() rejects until generateRequest succeeds,
 * and a session that is not closed lives as long as its MediaKeys (EME §6; Chromium alike), ~4.7 KB each. Most
 * init data inputs leave one, so the MediaKeys is replaced after a bounded number: kept for every input, it made
 * the fuzz process's heap grow without end (GC thrashing near the heap limit, then the limit itself).
 */
let unclosable = 0;
const UNCLOSABLE_MAX = 256;

function keys(): Promise<MediaKeys> {
  mediaKeys ??= (async () => {
    const eme = createEME({ store: new MemorySessionStore() });
    const access = await eme.requestMediaKeySystemAccess('org.w3.clearkey', [
      {
        initDataTypes: ['cenc', 'keyids', 'webm'],
        videoCapabilities: [{ contentType: 'video/mp4; codecs="avc1.64001f"' }],
        persistentState: 'required',
        sessionTypes: ['temporary', 'persistent-license'],
      },
    ]);
    return access.createMediaKeys();
  })();
  return mediaKeys;
}

/** generateRequest's documented rejections for bad init data: TypeError, or NotSupportedError when nothing is usable. */
const initDataError = (e: unknown): boolean => e instanceof TypeError || (e instanceof DOMException && e.name === 'NotSupportedError');
/** update's documented rejection for a bad response: TypeError. */
const responseError = (e: unknown): boolean => e instanceof TypeError;

function initData(type: 'cenc' | 'keyids' | 'webm') {
  return async (input: Buffer): Promise<Outcome> => {
    const session = (await keys()).createSession();
    try {
      return await attempt(() => session.generateRequest(type, input), initDataError);
    } finally {
      await session.close().catch(() => {
        if (++unclosable < UNCLOSABLE_MAX) return;
        unclosable = 0;
        mediaKeys = undefined;
      });
    }
  };
}

function statuses(session: MediaKeySession): string {
  const out: string[] = [];
  session.keyStatuses.forEach((status, kid) => out.push(`${Buffer.from(kid as ArrayBuffer).toString('hex')}=${status}`));
  return out.sort().join(',');
}

/** A rejected update must leave the session's keys as they were. */
async function updateKeeping(session: MediaKeySession, input: Buffer): Promise<Outcome> {
  const before = statuses(session);
  const r = await attempt(() => session.update(input), responseError);
  if (r.kind === 'rejected' && statuses(session) !== before) {
    return { kind: 'undocumented', name: 'KeysChanged', message: `rejected update changed the keys: ${before} -> ${statuses(session)}` };
  }
  return r;
}

/**
 * Whether `license` and `release` may start an input from the session the previous input left (fuzz/loop.ts turns
 * it on). A rejected update must leave a session as it was (updateKeeping checks its keys), so the next input can
 * start there instead of from a new session, request, license (and remove): most of the work per input. Any
 * other outcome closes the session. Off by default: replaying and minimising a finding (fuzz/bounded.ts) starts
 * every input from a new session.
 */
let reuse = false;
const prepared = new Map<'license' | 'release', MediaKeySession>();

export function reuseSessions(on: boolean): void {
  reuse = on;
}

async function onPrepared(kind: 'license' | 'release', prepare: () => Promise<MediaKeySession>, input: Buffer): Promise<Outcome> {
  const reused = reuse ? prepared.get(kind) : undefined;
  prepared.delete(kind);
  const session = reused ?? (await prepare());
  let keep = false;
  try {
    const r = await updateKeeping(session, input);
    keep = reuse && r.kind === 'rejected';
    return r;
  } finally {
    if (keep) prepared.set(kind, session);
    else await session.close().catch(() => undefined);
  }
}

/**
 * The session an update input meets: for licenses, a temporary session that already holds KID_A's key; for release
 * acknowledgements, a persistent-license session after remove().
 */
async function prepare(kind: 'license' | 'release'): Promise<MediaKeySession> {
  const persistent = kind === 'release';
  const session = (await keys()).createSession(persistent ? 'persistent-license' : 'temporary');
  await session.generateRequest('keyids', KEYIDS_A_B);
  await session.update(licenseFor([[KID_A, KEY_A]], persistent ? 'persistent-license' : undefined));
  if (persistent) await session.remove();
  return session;
}

/** Clear Key licenses and release acknowledgements: update() on the session prepare() makes. */
const license = (input: Buffer): Promise<Outcome> => onPrepared('license', () => prepare('license'), input);
const release = (input: Buffer): Promise<Outcome> => onPrepared('release', () => prepare('release'), input);

// --- The license server's HTTP body ---------------------------------------------------------------------------

interface ServerFixture {
  post(body: Buffer): Promise<{ statusCode: number; body: string; contentType: string }>;
  /** Base64url of every stored key, and of the one the token does not cover. */
  allKeys: string[];
  uncoveredKey: string;
}

let server: Promise<ServerFixture> | undefined;

function licenseServer(): Promise<ServerFixture> {
  server ??= (async () => {
    const { randomBytes } = await import('node:crypto');
    const { buildLicenseApp, openKeyStore, signLicenseToken } = await import('../src/server/index.js');
    const store = await openKeyStore(':memory:', randomBytes(32));
    const [covered, other] = await store.generateKeys(2);
    const secret = randomBytes(32).toString('hex');
    const app = await buildLicenseApp({ store, auth: { kind: 'hs256', secret }, log: false });
    // Plugins load at the first request otherwise, inside the first input's time.
    await app.ready();
    const token = await signLicenseToken(secret, { kids: [covered!.kid], ttlSeconds: 3600 });
    const b64 = (k: Uint8Array) => encodeBase64Url(k);
    return {
      allKeys: [covered!, other!].map((k) => b64(k.key)),
      uncoveredKey: b64(other!.key),
      async post(body) {
        const r = await app.inject({ method: 'POST', url: '/license', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: body });
        return { statusCode: r.statusCode, body: r.body, contentType: String(r.headers['content-type'] ?? '') };
      },
    };
  })();
  return server;
}

/** Documented: 200 with a license, or a 4xx with a JSON error body; never a 5xx, never a key the token does not cover. */
async function serverBody(input: Buffer): Promise<Outcome> {
  const s = await licenseServer();
  const r = await s.post(input);
  if (r.body.includes(s.uncoveredKey)) return { kind: 'undocumented', name: 'KeyLeak', message: `status ${r.statusCode}: a key the token does not cover` };
  if (r.statusCode === 200) return OK;
  if (r.statusCode >= 400 && r.statusCode < 500 && r.contentType.startsWith('application/json')) {
    if (s.allKeys.some((k) => r.body.includes(k))) return { kind: 'undocumented', name: 'KeyLeak', message: `status ${r.statusCode} carries a key` };
    return { kind: 'rejected', name: 'HTTP', code: String(r.statusCode), message: r.body.slice(0, 200) };
  }
  return { kind: 'undocumented', name: 'HTTP', code: String(r.statusCode), message: r.body.slice(0, 500) };
}

/**
 * Makes what a target's inputs run against (the MediaKeys, the license server and its modules), so that the first
 * input's time is its own: loading the server took seconds of the first input's time on a loaded machine.
 */
export async function setUp(target: Target): Promise<void> {
  if (target === 'server') await licenseServer();
  else if (target === 'mse') await setUpMse();
  else if (target !== 'mp4') await keys();
}

export const RUN: Record<Target, (input: Buffer) => Promise<Outcome>> = {
  mp4,
  mse,
  cenc: initData('cenc'),
  keyids: initData('keyids'),
  webm: initData('webm'),
  license,
  release,
  server: serverBody,
};
