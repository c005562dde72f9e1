// The `mse` fuzz target: emekit/dom's Media Source Extensions and media element under hostile bytes, as a player
// feeds them. A fragmented MP4 is cut where its top-level moof boxes start (the init segment, then each moof + mdat)
// and appended to a SourceBuffer of a happy-dom window whose <video> has Clear Key keys for the fixtures; it is then
// played on the virtual clock. Documented outcomes: played to the end; the append error algorithm or a decode error
// (the element's `error`); a DOMException of the window from an MSE call; a stall where a browser stalls too (a gap
// in the buffer, a key the license does not hold). Anything else thrown is a finding, and so is an element error
// that names emekit's own failure ('internal error:', 'playback failed:'), and an exception that escapes to the
// event loop (it ends the fuzz process: a crash).
import { readFileSync } from 'node:fs';
import type { Outcome } from './targets.js';

type Dom = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const TYPE = 'video/mp4; codecs="avc1.42C00D, mp4a.40.2"';
/** Wall time an input may take to end, error or stall: the virtual clock plays a seed's seconds in milliseconds. */
const SETTLE_MS = 1500;
/** Elements made in one window before a new one (a window keeps what its document ever held). */
const ELEMENTS_PER_WINDOW = 50;

interface Stage {
  window: Dom;
  mediaKeys: Dom;
  elements: number;
}
let stage: Promise<Stage> | undefined;

interface FixtureKey {
  readonly kid: string;
  readonly key: string;
  readonly kid_b64url: string;
  readonly key_b64url: string;
}

/** The fixtures' keys (test/fixtures/cenc/keys.json): 'video' first. */
export function fixtureKeys(): FixtureKey[] {
  const entries = JSON.parse(readFileSync(new URL('../test/fixtures/cenc/keys.json', import.meta.url), 'utf8')) as Record<string, Partial<FixtureKey>>;
  return Object.values(entries).filter((k): k is FixtureKey => typeof k === 'object' && !!k.kid && !!k.key && !!k.kid_b64url && !!k.key_b64url);
}

/** Those keys as a Clear Key license. */
function fixtureLicense(): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ keys: fixtureKeys().map((k) => ({ kty: 'oct', kid: k.kid_b64url, k: k.key_b64url })) }));
}

async function newStage(): Promise<Stage> {
  const [{ Window }, { installMedia }] = await Promise.all([import('happy-dom'), import('../src/dom/install.js')]);
  const window = new Window({ url: 'http://127.0.0.1/' }) as Dom;
  installMedia(window, { clock: 'virtual' });
  const access = await window.navigator.requestMediaKeySystemAccess('org.w3.clearkey', [
    { initDataTypes: ['keyids'], videoCapabilities: [{ contentType: 'video/mp4; codecs="avc1.42c01e"' }], audioCapabilities: [{ contentType: 'audio/mp4; codecs="mp4a.40.2"' }] },
  ]);
  const mediaKeys = await access.createMediaKeys();
  const session = mediaKeys.createSession();
  const license = fixtureLicense();
  const kids = JSON.parse(new TextDecoder().decode(license)).keys.map((k: { kid: string }) => k.kid);
  await session.generateRequest('keyids', new TextEncoder().encode(JSON.stringify({ kids })));
  await session.update(license);
  return { window, mediaKeys, elements: 0 };
}

export async function setUpMse(): Promise<void> {
  stage ??= newStage();
  await stage;
}

/** The input cut before each top-level moof; a box whose size does not fit ends the cutting (the rest is one piece). */
export function segmentsOf(input: Buffer): Buffer[] {
  const cuts = [0];
  let at = 0;
  while (at + 8 <= input.length) {
    let size = input.readUInt32BE(at);
    if (size === 1 && at + 16 <= input.length) size = Number(input.readBigUInt64BE(at + 8));
    if (size < 8 || at + size > input.length) break;
    if (at > 0 && input.toString('latin1', at + 4, at + 8) === 'moof') cuts.push(at);
    at += size;
  }
  return cuts.map((start, i) => input.subarray(start, cuts[i + 1] ?? input.length));
}

function isWindowDomException(window: Dom, error: unknown): boolean {
  return error instanceof window.DOMException;
}

function event(target: Dom, types: string[]): Promise<string> {
  return new Promise((resolve) => {
    for (const type of types) target.addEventListener(type, () => resolve(type), { once: true });
  });
}

export async function mse(input: Buffer): Promise<Outcome> {
  let current = await (stage ??= newStage());
  if (current.elements >= ELEMENTS_PER_WINDOW) {
    await current.window.happyDOM.close();
    stage = newStage();
    current = await stage;
  }
  current.elements++;
  const { window, mediaKeys } = current;
  const video = window.document.createElement('video');
  window.document.body.appendChild(video);
  try {
    await video.setMediaKeys(mediaKeys);
    const mediaSource = new window.MediaSource();
    const opened = event(mediaSource, ['sourceopen']);
    video.src = window.URL.createObjectURL(mediaSource);
    await opened;
    const sourceBuffer = mediaSource.addSourceBuffer(TYPE);
    for (const segment of segmentsOf(input)) {
      if (mediaSource.readyState !== 'open') break;
      const done = event(sourceBuffer, ['updateend']);
      sourceBuffer.appendBuffer(segment);
      await done;
    }
    if (mediaSource.readyState === 'open' && !sourceBuffer.updating) mediaSource.endOfStream();
    // Everything is appended: 'waiting' is a gap and 'waitingforkey' a key the license lacks, stalls for good.
    const settled = Promise.race([
      event(video, ['ended', 'error', 'waiting', 'waitingforkey']),
      new Promise<string>((resolve) => setTimeout(() => resolve('stalled'), SETTLE_MS)),
    ]);
    video.play().catch(() => undefined);
    const how = await settled;
    if (how === 'ended') return { kind: 'ok' };
    // The element's catch-alls name emekit's own failures (src/dom/mse/source-buffer-core.ts, headless-media.ts).
    const message = String(video.error?.message ?? '');
    if (/internal error:|^playback failed:/.test(message)) return { kind: 'undocumented', name: 'MediaError', code: String(video.error.code), message };
    return video.error ? { kind: 'rejected', name: how, code: String(video.error.code), message: String(video.error.message) } : { kind: 'rejected', name: how };
  } catch (error) {
    if (isWindowDomException(window, error)) return { kind: 'rejected', name: (error as Error).name, message: (error as Error).message };
    const e = error as Error;
    return { kind: 'undocumented', name: e?.name ?? typeof error, message: String(e?.stack ?? e?.message ?? error) };
  } finally {
    video.removeAttribute('src');
    video.load();
    // A MediaKeys serves one element at a time (EME §7.1: QuotaExceededError otherwise): free it for the next.
    await video.setMediaKeys(null).catch(() => undefined);
    video.remove();
  }
}
