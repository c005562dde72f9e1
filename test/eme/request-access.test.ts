// requestMediaKeySystemAccess and Get Supported Configuration (EME §3), against the spec's rules.
import { describe, expect, it } from 'vitest';
import { createEME, install, MediaKeySystemAccess, MemorySessionStore, requestMediaKeySystemAccess } from '../../src/index.js';
import { expectRejectName } from '../support/eme.js';

const CK = 'org.w3.clearkey';
const avc = (extra: Record<string, unknown> = {}) => ({ contentType: 'video/mp4; codecs="avc1.42E01E"', ...extra });
const aac = (extra: Record<string, unknown> = {}) => ({ contentType: 'audio/mp4; codecs="mp4a.40.2"', ...extra });

describe('requestMediaKeySystemAccess: argument errors', () => {
  it('rejects (never throws) on missing arguments, empty key system and empty configurations', async () => {
    const call = requestMediaKeySystemAccess as (...args: unknown[]) => Promise<unknown>;
    let p: Promise<unknown> | undefined;
    expect(() => (p = call())).not.toThrow();
    await expectRejectName(p!, 'TypeError');
    await expectRejectName(call(CK), 'TypeError');
    await expectRejectName(call('', [{ videoCapabilities: [avc()] }]), 'TypeError');
    await expectRejectName(call(CK, []), 'TypeError');
    await expectRejectName(call(CK, 'not a sequence'), 'TypeError');
    await expectRejectName(call(CK, [42]), 'TypeError');
  });

  it('rejects invalid enum values with TypeError even when an earlier configuration would match', async () => {
    await expectRejectName(
      requestMediaKeySystemAccess(CK, [{ videoCapabilities: [avc()] }, { persistentState: 'sometimes' as never }]),
      'TypeError',
    );
    await expectRejectName(
      requestMediaKeySystemAccess(CK, [{ distinctiveIdentifier: 'yes' as never, videoCapabilities: [avc()] }]),
      'TypeError',
    );
  });

  it('NotSupportedError for unknown key systems (case-sensitive)', async () => {
    await expectRejectName(requestMediaKeySystemAccess('org.w3.ClearKey', [{ videoCapabilities: [avc()] }]), 'NotSupportedError');
    await expectRejectName(requestMediaKeySystemAccess('com.widevine.alpha', [{ videoCapabilities: [avc()] }]), 'NotSupportedError');
  });
});

describe('Get Supported Configuration', () => {
  it('returns exactly the accumulated configuration, capabilities unmodified and encryptionScheme null', async () => {
    const access = await requestMediaKeySystemAccess(CK, [
      {
        label: 'mine',
        initDataTypes: ['cenc', 'bogus', 'keyids'],
        videoCapabilities: [avc(), { contentType: 'video/mp4; codecs="nope"' }, { contentType: 'video/webm; codecs="vp9"', encryptionScheme: 'cenc' }],
        audioCapabilities: [aac({ robustness: '' })],
      },
    ]);
    expect(access).toBeInstanceOf(MediaKeySystemAccess);
    expect(access.keySystem).toBe(CK);
    expect(access.getConfiguration()).toEqual({
      label: 'mine',
      initDataTypes: ['cenc', 'keyids'],
      videoCapabilities: [
        { contentType: 'video/mp4; codecs="avc1.42E01E"', encryptionScheme: null, robustness: '' },
        { contentType: 'video/webm; codecs="vp9"', encryptionScheme: 'cenc', robustness: '' },
      ],
      audioCapabilities: [{ contentType: 'audio/mp4; codecs="mp4a.40.2"', encryptionScheme: null, robustness: '' }],
      distinctiveIdentifier: 'not-allowed',
      persistentState: 'not-allowed',
      sessionTypes: ['temporary'],
    });
    // A new object each time.
    expect(access.getConfiguration()).not.toBe(access.getConfiguration());
    const c = access.getConfiguration();
    c.videoCapabilities!.length = 0;
    expect(access.getConfiguration().videoCapabilities).toHaveLength(2);
  });

  it('picks the first satisfiable configuration', async () => {
    const access = await requestMediaKeySystemAccess(CK, [
      { label: 'a', videoCapabilities: [{ contentType: 'video/mp4; codecs="avc1.42E01E"', robustness: 'HW_SECURE_ALL' }] },
      { label: 'b', audioCapabilities: [aac()] },
      { label: 'c', videoCapabilities: [avc()] },
    ]);
    expect(access.getConfiguration().label).toBe('b');
  });

  it.each([
    ['no capabilities at all', {}],
    ['only empty capability lists', { videoCapabilities: [], audioCapabilities: [] }],
    ['no supported init data type', { initDataTypes: ['fairplay'], videoCapabilities: [avc()] }],
    ['empty init data type', { initDataTypes: [''], videoCapabilities: [avc()] }],
    ['distinctiveIdentifier required', { distinctiveIdentifier: 'required', videoCapabilities: [avc()] }],
    ['persistentState required without a store', { persistentState: 'required', videoCapabilities: [avc()] }],
    ['persistent-license without a store', { sessionTypes: ['persistent-license'], videoCapabilities: [avc()] }],
    ['unknown session type', { sessionTypes: ['persistent-usage-record'], videoCapabilities: [avc()] }],
    ['robustness other than ""', { videoCapabilities: [avc({ robustness: 'SW_SECURE_CRYPTO' })] }],
    ['mp4 without codecs', { videoCapabilities: [{ contentType: 'video/mp4' }] }],
    ['unknown codec', { videoCapabilities: [{ contentType: 'video/mp4; codecs="xyz1"' }] }],
    ['malformed avc1 codec', { videoCapabilities: [{ contentType: 'video/mp4; codecs="avc1.4"' }] }],
    ['audio codec in a video capability', { videoCapabilities: [{ contentType: 'video/mp4; codecs="avc1.42E01E,mp4a.40.2"' }] }],
    ['audio type as video', { videoCapabilities: [aac()] }],
    ['video type as audio', { audioCapabilities: [avc()] }],
    ['unparsable MIME type', { videoCapabilities: [{ contentType: 'video mp4' }] }],
    ['unknown MIME parameter', { videoCapabilities: [{ contentType: 'video/mp4; codecs="avc1.42E01E"; profiles="x"' }] }],
    ['unsupported container', { videoCapabilities: [{ contentType: 'video/ogg; codecs="theora"' }] }],
    ['empty encryptionScheme', { videoCapabilities: [avc({ encryptionScheme: '' })] }],
    ['unknown encryptionScheme', { videoCapabilities: [avc({ encryptionScheme: 'cens' })] }],
    ['empty contentType fails the list', { videoCapabilities: [avc(), { contentType: '' }] }],
  ])('NotSupportedError: %s', async (_name, config) => {
    await expectRejectName(requestMediaKeySystemAccess(CK, [config as never]), 'NotSupportedError');
  });

  it.each([
    ['cenc', 'video/mp4; codecs="avc1.640028"'],
    ['cbcs', 'video/mp4; codecs="hvc1.1.6.L93.B0"'],
    ['cbcs-1-9', 'video/mp4; codecs="hev1.2.4.L120.B0"'],
    [null, 'video/webm; codecs="vp8"'],
    ['cenc', 'video/webm; codecs="vp09.00.10.08"'],
    ['cbcs', 'video/webm; codecs="vp8"'],
    [undefined, 'VIDEO/MP4; CODECS="avc3.4d401f"'],
  ])('supports scheme %s for %s', async (scheme, contentType) => {
    const capability: Record<string, unknown> = { contentType };
    if (scheme !== undefined) capability['encryptionScheme'] = scheme;
    const access = await requestMediaKeySystemAccess(CK, [{ videoCapabilities: [capability] }]);
    expect(access.getConfiguration().videoCapabilities![0]).toEqual({ contentType, encryptionScheme: scheme ?? null, robustness: '' });
  });

  it('supports audio codecs mp4a, opus (mp4 and webm)', async () => {
    for (const contentType of ['audio/mp4; codecs="mp4a.40.5"', 'audio/mp4; codecs="opus"', 'audio/webm; codecs="opus"', 'audio/webm; codecs=vorbis']) {
      await expect(requestMediaKeySystemAccess(CK, [{ audioCapabilities: [{ contentType }] }])).resolves.toBeInstanceOf(MediaKeySystemAccess);
    }
  });

  it('reads dictionaries in WebIDL order: members sorted lexicographically, each read once', async () => {
    const reads: string[] = [];
    const config = new Proxy(
      { videoCapabilities: [avc()] } as Record<string, unknown>,
      { get: (target, key) => (typeof key === 'string' && reads.push(key), target[key as string]) },
    );
    await requestMediaKeySystemAccess(CK, [config]);
    expect(reads).toEqual([
      'audioCapabilities',
      'distinctiveIdentifier',
      'initDataTypes',
      'label',
      'persistentState',
      'sessionTypes',
      'videoCapabilities',
    ]);
  });

  it('copies the configuration at call time', async () => {
    const config = { label: 'before', videoCapabilities: [avc()] };
    const promise = requestMediaKeySystemAccess(CK, [config]);
    config.label = 'after';
    expect((await promise).getConfiguration().label).toBe('before');
  });

  it('with a store: persistent-license and persistentState required', async () => {
    const eme = createEME({ store: new MemorySessionStore() });
    const access = await eme.requestMediaKeySystemAccess(CK, [
      { sessionTypes: ['temporary', 'persistent-license'], videoCapabilities: [avc()] },
    ]);
    expect(access.getConfiguration().persistentState).toBe('required');
    expect(access.getConfiguration().sessionTypes).toEqual(['temporary', 'persistent-license']);
    await expectRejectName(
      eme.requestMediaKeySystemAccess(CK, [{ persistentState: 'not-allowed', sessionTypes: ['persistent-license'], videoCapabilities: [avc()] }]),
      'NotSupportedError',
    );
    const optional = await eme.requestMediaKeySystemAccess(CK, [{ videoCapabilities: [avc()] }]);
    expect(optional.getConfiguration().persistentState).toBe('not-allowed');
  });

  it('resolves asynchronously, in a later task', async () => {
    let resolved = false;
    const p = requestMediaKeySystemAccess(CK, [{ videoCapabilities: [avc()] }]).then(() => (resolved = true));
    await Promise.resolve();
    await Promise.resolve();
    expect(resolved).toBe(false);
    await p;
    expect(resolved).toBe(true);
  });

  it('MediaKeySystemAccess has no public constructor and brand-checks its members', async () => {
    expect(() => new (MediaKeySystemAccess as unknown as new () => unknown)()).toThrow(TypeError);
    const access = await requestMediaKeySystemAccess(CK, [{ videoCapabilities: [avc()] }]);
    expect(() => access.getConfiguration.call({})).toThrow(TypeError);
    await expectRejectName(access.createMediaKeys.call({} as never), 'TypeError');
    expect(() => Object.getOwnPropertyDescriptor(MediaKeySystemAccess.prototype, 'keySystem')!.get!.call({})).toThrow(TypeError);
  });
});

describe('requestMediaKeySystemAccess: a document not allowed to use encrypted-media (step 1)', () => {
  const config = [{ initDataTypes: ['keyids'], videoCapabilities: [avc()] }];
  type Nav = { requestMediaKeySystemAccess(k: string, c: unknown[]): Promise<unknown> };
  const navigatorOf = (window: object) => (window as { navigator: Nav }).navigator;

  it('a nested frame with an opaque origin (sandboxed) rejects with SecurityError; top-level and same-origin frames are allowed', async () => {
    const { JSDOM } = await import('jsdom');
    // jsdom's default document is about:blank at the top: an opaque origin, but not nested (its allowlist is 'self');
    // its about:blank frame shares that origin.
    const blank = new JSDOM('<iframe></iframe>').window;
    expect(blank.origin).toBe('null');
    const blankFrame = blank.document.querySelector('iframe')!.contentWindow!;
    const top = new JSDOM('<iframe></iframe>', { url: 'https://player.test/' }).window;
    const frame = top.document.querySelector('iframe')!.contentWindow!;
    for (const window of [blank, blankFrame, top, frame]) {
      install(window, createEME());
      await expect(navigatorOf(window).requestMediaKeySystemAccess(CK, config)).resolves.toBeInstanceOf((window as never)['MediaKeySystemAccess']);
    }
    // jsdom ignores `sandbox`: the frame's origin as a host that honours it reports a sandboxed frame's.
    Object.defineProperty(frame, 'origin', { value: 'null', configurable: true });
    await expectRejectName(navigatorOf(frame).requestMediaKeySystemAccess(CK, config), 'SecurityError');
    blank.close();
    top.close();
  });
});
