// EME as a page in a jsdom or happy-dom window sees it: every error, thrown at once or rejecting a promise later, is
// made by the window's own TypeError or DOMException (happy-dom's window has its own built-ins, TypeError and
// Promise included; jsdom's its own DOMException), and the promises are the window's. A page's `instanceof` checks
// and testharness's promise_rejects_js/dom compare with the window's constructors.
import { describe, expect, it } from 'vitest';
import { installMedia } from '../../src/dom/install.js';
import { KEY_A, KID_A, keyIdsInitData, license, VIDEO_CONFIG } from '../support/eme.js';
import { HOSTS, hostWindow, type Dom } from '../support/mse.js';

const bytes = (text: string) => new TextEncoder().encode(text);

/** The error's kind by the window's constructors: 'TypeError', a DOMException's name, or what it is instead. */
function kindOf(window: Dom, error: unknown): string {
  if (error instanceof window.TypeError) return 'TypeError';
  if (error instanceof window.DOMException) return (error as DOMException).name;
  return `not the window's: ${Object.prototype.toString.call(error)} ${(error as Error)?.name}`;
}

/** What a page sees of call(): a throw, or a promise of the window that rejects, and with what. */
async function outcome(window: Dom, call: () => unknown): Promise<string> {
  let result: unknown;
  try {
    result = call();
  } catch (error) {
    return `throws ${kindOf(window, error)}`;
  }
  const windowPromise = result instanceof window.Promise;
  try {
    await result;
    return 'resolves';
  } catch (error) {
    return `${windowPromise ? 'rejects' : "a promise not the window's rejects"} ${kindOf(window, error)}`;
  }
}

async function installed(host: (typeof HOSTS)[number]): Promise<{ window: Dom; mediaKeys: Dom }> {
  const window = hostWindow(host) as Dom;
  installMedia(window, { clock: 'virtual' });
  const access = await window.navigator.requestMediaKeySystemAccess('org.w3.clearkey', [VIDEO_CONFIG]);
  return { window, mediaKeys: await access.createMediaKeys() };
}

describe.each(HOSTS)('EME errors on a %s window are the window\'s', (host) => {
  it('requestMediaKeySystemAccess: bad arguments and unsupported configurations', async () => {
    const { window } = await installed(host);
    const request = (...args: unknown[]) => () => window.navigator.requestMediaKeySystemAccess(...args);
    const seen = {
      noArguments: await outcome(window, request()),
      oneArgument: await outcome(window, request('org.w3.clearkey')),
      emptyKeySystem: await outcome(window, request('', [VIDEO_CONFIG])),
      noConfigurations: await outcome(window, request('org.w3.clearkey', [])),
      notASequence: await outcome(window, request('org.w3.clearkey', 5)),
      unknownKeySystem: await outcome(window, request('com.example.none', [VIDEO_CONFIG])),
      unsupportedConfiguration: await outcome(window, request('org.w3.clearkey', [{ initDataTypes: ['none'] }])),
    };
    expect(seen).toEqual({
      noArguments: 'rejects TypeError',
      oneArgument: 'rejects TypeError',
      emptyKeySystem: 'rejects TypeError',
      noConfigurations: 'rejects TypeError',
      notASequence: 'rejects TypeError',
      unknownKeySystem: 'rejects NotSupportedError',
      unsupportedConfiguration: 'rejects NotSupportedError',
    });
  });

  it('MediaKeys and MediaKeySession: argument checks, state errors and the CDM\'s rejections', async () => {
    const { window, mediaKeys } = await installed(host);
    const fresh = () => mediaKeys.createSession();
    const started = fresh();
    await started.generateRequest('keyids', keyIdsInitData(KID_A));
    const closed = fresh();
    await closed.generateRequest('keyids', keyIdsInitData(KID_A));
    await closed.close();
    const seen = {
      createSessionType: await outcome(window, () => mediaKeys.createSession('persistent-license')),
      createSessionEnum: await outcome(window, () => mediaKeys.createSession('bogus')),
      emptyCertificate: await outcome(window, () => mediaKeys.setServerCertificate(new Uint8Array(0))),
      emptyPolicy: await outcome(window, () => mediaKeys.getStatusForPolicy({})),
      generateNoArguments: await outcome(window, () => fresh().generateRequest()),
      generateEmptyType: await outcome(window, () => fresh().generateRequest('', keyIdsInitData(KID_A))),
      generateEmptyData: await outcome(window, () => fresh().generateRequest('keyids', new Uint8Array(0))),
      generateNotBytes: await outcome(window, () => fresh().generateRequest('keyids', 'kids')),
      generateUnsupportedType: await outcome(window, () => fresh().generateRequest('none', keyIdsInitData(KID_A))),
      generateInvalidInitData: await outcome(window, () => fresh().generateRequest('keyids', bytes('{"kids":5}'))),
      generateTwice: await outcome(window, () => started.generateRequest('keyids', keyIdsInitData(KID_A))),
      updateUninitialized: await outcome(window, () => fresh().update(license([[KID_A, KEY_A]]))),
      updateEmpty: await outcome(window, () => started.update(new Uint8Array(0))),
      updateNotBytes: await outcome(window, () => started.update('{}')),
      updateInvalidLicense: await outcome(window, () => started.update(bytes('{'))),
      updateClosed: await outcome(window, () => closed.update(license([[KID_A, KEY_A]]))),
      loadTemporary: await outcome(window, () => fresh().load('abc')),
      closeUninitialized: await outcome(window, () => fresh().close()),
      removeUninitialized: await outcome(window, () => fresh().remove()),
      update: await outcome(window, () => started.update(license([[KID_A, KEY_A]]))),
    };
    expect(seen).toEqual({
      createSessionType: 'throws NotSupportedError',
      createSessionEnum: 'throws TypeError',
      emptyCertificate: 'rejects TypeError',
      emptyPolicy: 'rejects TypeError',
      generateNoArguments: 'rejects TypeError',
      generateEmptyType: 'rejects TypeError',
      generateEmptyData: 'rejects TypeError',
      generateNotBytes: 'rejects TypeError',
      generateUnsupportedType: 'rejects NotSupportedError',
      generateInvalidInitData: 'rejects TypeError',
      generateTwice: 'rejects InvalidStateError',
      updateUninitialized: 'rejects InvalidStateError',
      updateEmpty: 'rejects TypeError',
      updateNotBytes: 'rejects TypeError',
      updateInvalidLicense: 'rejects TypeError',
      updateClosed: 'rejects InvalidStateError',
      loadTemporary: 'rejects TypeError',
      closeUninitialized: 'rejects InvalidStateError',
      removeUninitialized: 'rejects InvalidStateError',
      update: 'resolves',
    });
    expect(started.closed).toBeInstanceOf(window.Promise);
  });

  it('the element\'s setMediaKeys and the EME event constructors', async () => {
    const { window, mediaKeys } = await installed(host);
    const [video, other] = [window.document.createElement('video'), window.document.createElement('video')];
    const seen = {
      notMediaKeys: await outcome(window, () => video.setMediaKeys({})),
      noArguments: await outcome(window, () => video.setMediaKeys()),
      attach: await outcome(window, () => video.setMediaKeys(mediaKeys)),
      inUseElsewhere: await outcome(window, () => other.setMediaKeys(mediaKeys)),
      // A second call while the first is still attaching.
      whileAttaching: await outcome(window, () => {
        void video.setMediaKeys(null);
        return video.setMediaKeys(null);
      }),
      messageEventWithoutInit: await outcome(window, () => new window.MediaKeyMessageEvent('message')),
      messageEventWithoutMessage: await outcome(window, () => new window.MediaKeyMessageEvent('message', { messageType: 'license-request' })),
    };
    expect(seen).toEqual({
      notMediaKeys: 'rejects TypeError',
      noArguments: 'rejects TypeError',
      attach: 'resolves',
      inUseElsewhere: 'rejects QuotaExceededError',
      whileAttaching: 'rejects InvalidStateError',
      messageEventWithoutInit: 'throws TypeError',
      messageEventWithoutMessage: 'throws TypeError',
    });
  });
});

describe('happy-dom windows sharing HTMLMediaElement.prototype', () => {
  it('an element\'s promise operations reject in its own window, not the last one installed', async () => {
    const [first, second] = [hostWindow('happy-dom') as Dom, hostWindow('happy-dom') as Dom];
    for (const window of [first, second]) installMedia(window, { clock: 'virtual' });
    expect(first.HTMLMediaElement.prototype).toBe(second.HTMLMediaElement.prototype);
    const video = first.document.createElement('video');
    expect(await outcome(first, () => video.setMediaKeys())).toBe('rejects TypeError');
    expect(await outcome(first, () => video.setMediaKeys({}))).toBe('rejects TypeError');
  });
});
