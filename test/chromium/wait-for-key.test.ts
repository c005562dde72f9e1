// EME's Wait for Key at the start of playback, in Debian's Chromium and on emekit/dom (jsdom): the same script plays
// cenc media through MSE with MediaKeys set but no license until waitingforkey (clear_frag.mp4 protected by the test
// encryptor: GPAC's fragments have no tfdt, which Chromium's MSE parser requires). Both: readyState
// HAVE_METADATA at waitingforkey, no loadeddata/canplay/playing before the key, then loadeddata, canplay, playing.
import { JSDOM } from 'jsdom';
import { expect, it } from 'vitest';
import { installMedia } from '../../src/dom/install.js';
import { encryptMp4 } from '../support/encrypt.js';
import { KEYS, readFixture } from '../support/fixtures.js';
import { describeWithChromium } from './harness.js';

interface Env {
  readonly document: any;
  readonly navigator: any;
  readonly MediaSource: any;
  readonly URL: any;
  readonly bytes: Uint8Array;
  readonly license: Uint8Array;
  sleep(ms: number): Promise<void>;
}

// Shipped as source to Chromium's page: only its parameter and literals.
async function scenario(env: Env): Promise<unknown> {
  const events: string[] = [];
  // Every wait bounded: a step that does not come is named in the error, with the events so far.
  const within = (promise: Promise<unknown>, what: string) =>
    Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(`no ${what} within 10 s: ${events.join(', ')}`)), 10_000))]);
  const video = env.document.createElement('video');
  video.muted = true;
  env.document.body.append(video);
  for (const type of ['loadedmetadata', 'loadeddata', 'canplay', 'play', 'playing', 'waiting', 'waitingforkey']) {
    video.addEventListener(type, () => events.push(`${type} ${video.readyState}`));
  }
  const access = await env.navigator.requestMediaKeySystemAccess('org.w3.clearkey', [{ initDataTypes: ['cenc'], videoCapabilities: [{ contentType: 'video/mp4; codecs="avc1.42c01e"' }], audioCapabilities: [{ contentType: 'audio/mp4; codecs="mp4a.40.2"' }] }]);
  const mediaKeys = await access.createMediaKeys();
  await video.setMediaKeys(mediaKeys);
  const source = new env.MediaSource();
  video.src = env.URL.createObjectURL(source);
  await within(new Promise((resolve) => source.addEventListener('sourceopen', resolve, { once: true })), 'sourceopen');
  const blocked = new Promise((resolve) => video.addEventListener('waitingforkey', resolve, { once: true }));
  const metadata = new Promise((resolve) => video.addEventListener('loadedmetadata', resolve, { once: true }));
  const buffer = source.addSourceBuffer('video/mp4; codecs="avc1.42E01E, mp4a.40.2"');
  buffer.appendBuffer(env.bytes);
  await within(new Promise((resolve) => buffer.addEventListener('updateend', resolve, { once: true })), 'updateend');
  source.endOfStream();
  // play() once the metadata is there: Chromium's pipeline may report it after updateend on a busy machine.
  await within(metadata, 'loadedmetadata');
  const played = video.play().then(() => 'resolved', (error: any) => `rejected ${error.name}`);
  await within(blocked, 'waitingforkey');
  await env.sleep(300);
  const beforeLicense = [...events];
  const session = mediaKeys.createSession();
  session.addEventListener('message', () => session.update(env.license));
  await within(session.generateRequest('keyids', new TextEncoder().encode(JSON.stringify({ kids: [JSON.parse(new TextDecoder().decode(env.license)).keys[0].kid] }))), 'generateRequest');
  const playing = await within(played, 'play() settled');
  video.pause();
  const first = (list: string[]) => list.filter((event, i) => list.findIndex((e) => e.split(' ')[0] === event.split(' ')[0]) === i);
  // Before the license: which events, not their order (waitingforkey comes as soon as the first frame is found
  // undecryptable, before or after play() depending on when the decoder gets to it).
  return { beforeLicense: first(beforeLicense).sort(), afterLicense: first(events.slice(beforeLicense.length)), playing };
}

const kid = Buffer.from(KEYS.video.kid, 'hex');
const bytes = encryptMp4(readFixture('clear_frag.mp4'), { scheme: 'cenc', key: Buffer.from(KEYS.video.key, 'hex'), kid, ivSize: 8 });
const b64url = (hex: string) => Buffer.from(hex, 'hex').toString('base64url');
const license = new TextEncoder().encode(JSON.stringify({ keys: [{ kty: 'oct', kid: b64url(KEYS.video.kid), k: b64url(KEYS.video.key) }] }));

describeWithChromium('Wait for Key at the start: Chromium and emekit/dom', (chromium) => {
  it('HAVE_METADATA at waitingforkey, nothing played or notified before the key, then loadeddata, canplay, playing', async () => {
    const theirs = await chromium().page.evaluate(`(async () => {
      var __name = (target) => target;
      const decode = (text) => Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));
      const env = { document, navigator, MediaSource, URL, bytes: decode(${JSON.stringify(bytes.toString('base64'))}),
        license: decode(${JSON.stringify(Buffer.from(license).toString('base64'))}), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };
      return (${scenario.toString()})(env);
    })()`);
    const dom = new JSDOM('<!doctype html><body></body>', { url: 'https://127.0.0.1/' });
    try {
      installMedia(dom.window as never, { clock: 'virtual' });
      const window = dom.window as any;
      const ours = await scenario({ document: window.document, navigator: window.navigator, MediaSource: window.MediaSource, URL: window.URL, bytes, license, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) });
      expect(theirs).toEqual({
        beforeLicense: ['loadedmetadata 1', 'play 1', 'waiting 1', 'waitingforkey 1'].sort(),
        afterLicense: ['loadeddata 4', 'canplay 4', 'playing 4'],
        playing: 'resolved',
      });
      expect(ours).toEqual(theirs);
    } finally {
      dom.window.close();
    }
  }, 60_000);
});
