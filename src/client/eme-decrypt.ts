// The whole player-side EME flow for one file, as a browser would run it: read the file's init data, request
// Clear Key access for its tracks, create a session, generateRequest, send the message to the license source,
// update() with the answer, then decrypt with the MediaKeys, opening a session for each key ID met later.
// Used by `emekit decrypt` and the demo.
import { buildKeyIdsInitData } from '../initdata/keyids.js';
import { isCommonSystemId, parsePsshBoxes } from '../initdata/cenc.js';
import { decryptMedia } from '../element/decrypt-media.js';
import type { MediaKeySystemConfiguration, MediaKeySystemMediaCapability } from '../eme/configuration.js';
import type { MediaKeyMessageEventLike } from '../eme/interfaces.js';
import type { MediaKeySession } from '../eme/media-key-session.js';
import type { MediaKeys } from '../eme/media-keys.js';
import { createEME, type EmePlatform } from '../eme/platform.js';
import { MediaError, readProtection, type DecryptOptions, type DecryptReport, type MediaInfo } from '../media/index.js';
import { parseJsonObject } from '../util/json.js';
import { requestedKids, type LicenseSource } from './license-source.js';

export interface EmeDecryptOptions {
  readonly input: string;
  readonly output: string;
  readonly license: LicenseSource;
  /** Step-by-step narration (access granted, request, statuses); never given key values. */
  readonly onStep?: (step: string, detail?: unknown) => void;
  readonly onProgress?: (bytesRead: number, totalBytes?: number) => void;
  /** Process-level tuning for the decrypt pass (see DecryptOptions): programs that own their process set these. */
  readonly tuning?: Pick<DecryptOptions, 'blockingIo'>;
}

export interface EmeDecryptResult {
  readonly configuration: MediaKeySystemConfiguration;
  readonly initDataType: string;
  readonly licenseRequest: unknown;
  readonly keyStatuses: Record<string, string>;
  readonly report: DecryptReport;
  readonly bytes: number;
  readonly seconds: number;
}

// A representative RFC 6381 string per codec family, for the capability query (the CDM decides by family).
const CODEC_STRINGS: Record<string, string> = {
  avc1: 'avc1.42E01E', avc3: 'avc3.42E01E', hvc1: 'hvc1.1.6.L93.B0', hev1: 'hev1.1.6.L93.B0',
  vp09: 'vp09.00.10.08', av01: 'av01.0.04M.08', mp4a: 'mp4a.40.2', Opus: 'opus', fLaC: 'flac', 'ec-3': 'ec-3', 'ac-3': 'ac-3',
};
// Schemes with an EME encryptionScheme value; cens and cbc1 have none, so they ask for "any" (null).
const EME_SCHEMES: Record<string, string> = { cenc: 'cenc', cbcs: 'cbcs' };

export function configurationFor(info: MediaInfo, initDataType: string): MediaKeySystemConfiguration {
  const video: MediaKeySystemMediaCapability[] = [];
  const audio: MediaKeySystemMediaCapability[] = [];
  for (const track of info.tracks.filter((t) => t.protected)) {
    const codec = CODEC_STRINGS[track.codec];
    if (!codec) throw new MediaError('unsupported-layout', `track ${track.trackId} has codec '${track.codec}', which Clear Key here does not handle`);
    const kind = track.handler === 'soun' ? 'audio' : 'video';
    const capability = { contentType: `${kind}/mp4; codecs="${codec}"`, encryptionScheme: EME_SCHEMES[track.scheme ?? ''] ?? null };
    (kind === 'audio' ? audio : video).push(capability);
  }
  return { initDataTypes: [initDataType], videoCapabilities: video, audioCapabilities: audio };
}

/** The cenc init data when it holds a Common SystemID pssh; otherwise keyids built from the tracks' key IDs. */
function chooseInitData(cenc: Uint8Array, keyIds: readonly string[]): { type: string; data: Uint8Array } {
  if (cenc.length > 0) {
    try {
      if (parsePsshBoxes(cenc).some((box) => box.version === 1 && isCommonSystemId(box.systemId))) return { type: 'cenc', data: cenc };
    } catch {
      // Malformed pssh boxes: fall back to the key IDs the tracks declare.
    }
  }
  if (keyIds.length === 0) throw new MediaError('not-protected', 'the file declares no key IDs: it is not protected');
  return { type: 'keyids', data: buildKeyIdsInitData(keyIds.map((k) => Buffer.from(k, 'hex'))) };
}

/** What a player has before its first license: Clear Key access for the file's protected tracks, its MediaKeys. */
export interface PreparedMediaKeys {
  readonly configuration: MediaKeySystemConfiguration;
  readonly initDataType: string;
  readonly initData: Uint8Array;
  readonly mediaKeys: MediaKeys;
}

/**
 * Reads the file's tracks and init data and asks `eme` for org.w3.clearkey access to them, as a player does before
 * its first license. The moov and the first fragment say what it needs; key IDs that come into use later (key
 * rotation) are asked for when decryption meets them, as a player does on waitingforkey, so the file is not read
 * twice to find them.
 */
export async function prepareMediaKeys(input: string, eme: EmePlatform, tuning?: EmeDecryptOptions['tuning']): Promise<PreparedMediaKeys> {
  const { info, initData } = await readProtection(input, { blockingIo: tuning?.blockingIo, maxFragments: 1 });
  if (!info.tracks.some((t) => t.protected)) throw new MediaError('not-protected', 'the file has no protected track');
  const { type: initDataType, data } = chooseInitData(initData.cenc, initData.allKeyIds);
  const access = await eme.requestMediaKeySystemAccess('org.w3.clearkey', [configurationFor(info, initDataType)]);
  return { configuration: access.getConfiguration(), initDataType, initData: data, mediaKeys: await access.createMediaKeys() };
}

export async function decryptThroughEme(options: EmeDecryptOptions): Promise<EmeDecryptResult> {
  const step = options.onStep ?? (() => {});
  const { configuration, initDataType, initData: data, mediaKeys } = await prepareMediaKeys(options.input, createEME(), options.tuning);
  step('access', configuration);
  const sessions: MediaKeySession[] = [];
  const requested = new Set<string>();
  const license = async (type: string, initData: Uint8Array) => {
    const session = mediaKeys.createSession('temporary');
    sessions.push(session);
    const licensed = await runLicenseExchange(session, type, initData, options.license, step);
    for (const kid of requestedKids(licensed.request)) requested.add(Buffer.from(kid, 'base64url').toString('hex'));
    return licensed;
  };
  try {
    const first = await license(initDataType, data);
    const started = process.hrtime.bigint();
    const report = await decryptMedia(options.input, options.output, {
      mediaKeys,
      ...options.tuning,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      // A key ID no request has named yet: a new session for it. One already asked for stays missing.
      onWaitingForKey: (missing) => (requested.has(missing.keyId) ? undefined : license('keyids', buildKeyIdsInitData([Buffer.from(missing.keyIdBytes)]))),
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { configuration, initDataType, licenseRequest: first.request, keyStatuses: first.keyStatuses, report, bytes: report.bytesRead, seconds };
  } finally {
    for (const session of sessions) if (session.sessionId !== '') await session.close().catch(() => {});
  }
}

/**
 * One session's exchange, driven by its events as in a player: generateRequest → message → license → update →
 * keystatuseschange. Resolves with the license request (the message, parsed) and the key statuses. Later messages
 * (renewals) are answered the same way, for as long as the session lives.
 */
export async function runLicenseExchange(
  session: MediaKeySession,
  initDataType: string,
  initData: Uint8Array,
  license: LicenseSource,
  step: (step: string, detail?: unknown) => void,
): Promise<{ request: Record<string, unknown> | undefined; keyStatuses: Record<string, string> }> {
  let request: Record<string, unknown> | undefined;
  const licensed = new Promise<Record<string, string>>((resolve, reject) => {
    session.onmessage = (event: MediaKeyMessageEventLike) => {
      const message = new Uint8Array(event.message);
      request = parseJsonObject(message);
      step('message', { type: event.messageType, body: request });
      license(message, event.messageType)
        .then((response) => session.update(response))
        .catch(reject);
    };
    session.onkeystatuseschange = () => {
      const statuses: Record<string, string> = {};
      for (const [keyId, status] of session.keyStatuses) statuses[Buffer.from(keyId as ArrayBuffer).toString('hex')] = status;
      step('keystatuses', statuses);
      if (session.keyStatuses.size > 0) resolve(statuses);
    };
  });
  // The license may fail while generateRequest is still settling: the rejection is taken up below.
  licensed.catch(() => {});
  await session.generateRequest(initDataType, initData);
  const keyStatuses = await licensed;
  return { request, keyStatuses };
}
