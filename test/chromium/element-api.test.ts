// Interop for the media-element side of the API and the event constructors: each case is written once against the
// standard API, shipped as source to a page of Debian's Chromium (an HTMLVideoElement, the browser's event classes)
// and run in Node against emekit (EncryptedMediaElement, emekit's event classes) and emekit/dom (a jsdom window's
// <video> and interfaces); the JSON results must be equal.
// Case bodies may use only their parameter and literals (their source is what the page runs).

import { expect, it } from 'vitest';
import { EncryptedMediaElement, MediaEncryptedEvent, MediaKeyMessageEvent, requestMediaKeySystemAccess } from '../../src/index.js';
import { JSDOM } from 'jsdom';
import { installMedia } from '../../src/dom/install.js';
import { describeWithChromium } from './harness.js';

interface Env {
  createElement(): any;
  requestMediaKeySystemAccess(keySystem: string, configurations: unknown[]): Promise<any>;
  MediaEncryptedEvent: any;
  MediaKeyMessageEvent: any;
}

type Case = (env: Env) => Promise<unknown>;

const cases: Record<string, Case> = {
  'setMediaKeys: attach, same again, another element (in use), detach, hand over': async (env) => {
    const outcome = (p: Promise<unknown>) => p.then((v) => `resolved:${v === undefined ? 'undefined' : typeof v}`, (e) => `rejected:${e && e.name}`);
    const access = await env.requestMediaKeySystemAccess('org.w3.clearkey', [{ videoCapabilities: [{ contentType: 'video/mp4; codecs="avc1.42E01E"' }] }]);
    const mediaKeys = await access.createMediaKeys();
    const first = env.createElement();
    const second = env.createElement();
    const log: unknown[] = [first.mediaKeys === null];
    log.push(await outcome(first.setMediaKeys(mediaKeys)), first.mediaKeys === mediaKeys);
    log.push(await outcome(first.setMediaKeys(mediaKeys)));
    log.push(await outcome(second.setMediaKeys(mediaKeys)), second.mediaKeys === null);
    log.push(await outcome(first.setMediaKeys(null)), first.mediaKeys === null);
    log.push(await outcome(second.setMediaKeys(mediaKeys)), second.mediaKeys === mediaKeys);
    return log;
  },
  'setMediaKeys: a second call while one is in progress, and bad arguments': async (env) => {
    const outcome = (p: Promise<unknown>) => p.then(() => 'resolved', (e) => `rejected:${e && e.name}`);
    const access = await env.requestMediaKeySystemAccess('org.w3.clearkey', [{ videoCapabilities: [{ contentType: 'video/mp4; codecs="avc1.42E01E"' }] }]);
    const [a, b] = await Promise.all([access.createMediaKeys(), access.createMediaKeys()]);
    const element = env.createElement();
    const pending = element.setMediaKeys(a);
    const concurrent = await outcome(element.setMediaKeys(b));
    const firstOne = await outcome(pending);
    let noArgument: string;
    try {
      noArgument = await outcome(element.setMediaKeys());
    } catch (e: any) {
      noArgument = `threw:${e && e.name}`;
    }
    const notMediaKeys = await outcome(element.setMediaKeys({}));
    return { concurrent, firstOne, kept: element.mediaKeys === a, noArgument, notMediaKeys };
  },
  'MediaEncryptedEvent: defaults, init members, flags': async (env) => {
    const bare = new env.MediaEncryptedEvent('encrypted');
    const initData = new Uint8Array([1, 2, 3]).buffer;
    const full = new env.MediaEncryptedEvent('encrypted', { initDataType: 'cenc', initData, bubbles: true, cancelable: true });
    const nulled = new env.MediaEncryptedEvent('encrypted', { initDataType: 'keyids', initData: null });
    let noType: string;
    try {
      noType = typeof new env.MediaEncryptedEvent();
    } catch (e: any) {
      noType = `threw:${e && e.name}`;
    }
    return {
      bare: [bare.type, bare.initDataType, bare.initData, bare.bubbles, bare.cancelable, bare.isTrusted, Object.prototype.toString.call(bare)],
      full: [full.initDataType, full.initData === initData, full.initData.byteLength, full.bubbles, full.cancelable],
      nulled: [nulled.initDataType, nulled.initData],
      noType,
    };
  },
  'MediaKeyMessageEvent: required members, enum check, flags': async (env) => {
    const attempt = (make: () => any) => {
      try {
        const e = make();
        return [e.type, e.messageType, e.message && e.message.byteLength, e.bubbles, e.cancelable, e.isTrusted, Object.prototype.toString.call(e)];
      } catch (e: any) {
        return `threw:${e && e.name}`;
      }
    };
    const message = new Uint8Array([7, 7]).buffer;
    return {
      noInit: attempt(() => new env.MediaKeyMessageEvent('message')),
      noMessage: attempt(() => new env.MediaKeyMessageEvent('message', { messageType: 'license-request' })),
      noMessageType: attempt(() => new env.MediaKeyMessageEvent('message', { message })),
      badMessageType: attempt(() => new env.MediaKeyMessageEvent('message', { messageType: 'bogus', message })),
      notABuffer: attempt(() => new env.MediaKeyMessageEvent('message', { messageType: 'license-request', message: 'text' })),
      view: attempt(() => new env.MediaKeyMessageEvent('message', { messageType: 'license-request', message: new Uint8Array(4) })),
      ok: attempt(() => new env.MediaKeyMessageEvent('message', { messageType: 'license-release', message, bubbles: true })),
      sameBuffer: new env.MediaKeyMessageEvent('message', { messageType: 'individualization-request', message }).message === message,
    };
  },
};

/** The page side: the case's own source, run with the browser's classes. */
function pageProgram(run: Case): string {
  return `(async () => {
    var __name = (target) => target;
    const env = {
      createElement: () => document.createElement('video'),
      requestMediaKeySystemAccess: (...args) => navigator.requestMediaKeySystemAccess(...args),
      MediaEncryptedEvent,
      MediaKeyMessageEvent,
    };
    try {
      return JSON.stringify({ result: await (${run.toString()})(env) });
    } catch (error) {
      return JSON.stringify({ threw: String(error && error.stack || error) });
    }
  })()`;
}

const emekitEnv: Env = {
  createElement: () => new EncryptedMediaElement(),
  requestMediaKeySystemAccess: (keySystem, configurations) => requestMediaKeySystemAccess(keySystem, configurations as never),
  MediaEncryptedEvent,
  MediaKeyMessageEvent,
};

// The same cases on emekit/dom: a jsdom window's <video>, its navigator and its event interfaces.
function jsdomEnv(): Env {
  const { window } = new JSDOM('<!doctype html>', { url: 'http://127.0.0.1/' });
  installMedia(window);
  return {
    createElement: () => window.document.createElement('video'),
    requestMediaKeySystemAccess: (keySystem, configurations) => window.navigator.requestMediaKeySystemAccess(keySystem, configurations),
    MediaEncryptedEvent: window.MediaEncryptedEvent,
    MediaKeyMessageEvent: window.MediaKeyMessageEvent,
  };
}

describeWithChromium('media element API and event constructors: emekit vs Chromium', (chromium) => {
  for (const [name, run] of Object.entries(cases)) {
    it(name, async () => {
      const theirs = JSON.parse((await chromium().page.evaluate(pageProgram(run))) as string) as { result?: unknown; threw?: string };
      expect(theirs.threw, 'the case threw in Chromium').toBeUndefined();
      const ours = JSON.parse(JSON.stringify(await run(emekitEnv))) as unknown;
      expect(ours).toEqual(theirs.result);
      const onJsdom = JSON.parse(JSON.stringify(await run(jsdomEnv()))) as unknown;
      expect(onJsdom, 'emekit/dom under jsdom').toEqual(theirs.result);
    });
  }
});
