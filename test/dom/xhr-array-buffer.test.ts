// An "arraybuffer" request's `response` is an ArrayBuffer (XHR), the same object on every read, as rx-player needs for
// its DASH manifest: on both hosts once emekit/dom is installed. happy-dom 21 gives a Uint8Array (corrected in
// src/dom/xhr-array-buffer.ts); jsdom's are left as they are. Other response types are untouched.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installMedia } from '../../src/dom/install.js';
import { HOSTS, hostWindow } from '../support/mse.js';

type Any = any;

const BODY = Buffer.from('<?xml version="1.0"?><MPD/>\u00e9\u0000\u00ff');

let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((_req, res) => res.writeHead(200, { 'access-control-allow-origin': '*', 'content-type': 'application/dash+xml' }).end(BODY));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/manifest.mpd`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

/** One real request of `responseType`; its `response` read twice in onload. */
function load(window: Any, responseType: string): Promise<[unknown, unknown]> {
  return new Promise((resolve, reject) => {
    const request = new window.XMLHttpRequest();
    request.open('GET', url, true);
    request.responseType = responseType;
    request.onload = () => resolve([request.response, request.response]);
    request.onerror = () => reject(new Error('request failed'));
    request.send();
  });
}

const close = (window: Any) => (window.happyDOM ? window.happyDOM.close() : window.close());

describe.each(HOSTS)('XMLHttpRequest response under %s with emekit/dom', (host) => {
  it('is an ArrayBuffer of the body for responseType "arraybuffer", the same object on every read', async () => {
    const window: Any = hostWindow(host);
    try {
      installMedia(window);
      const [response, again] = await load(window, 'arraybuffer');
      expect(Object.prototype.toString.call(response)).toBe('[object ArrayBuffer]');
      expect(Buffer.from(response as ArrayBuffer).equals(BODY)).toBe(true);
      expect(again).toBe(response);
    } finally {
      await close(window);
    }
  });

  it('is the body as text for responseType "text" and ""', async () => {
    const window: Any = hostWindow(host);
    try {
      installMedia(window);
      for (const type of ['text', '']) expect((await load(window, type))[0]).toBe(BODY.toString('utf8'));
    } finally {
      await close(window);
    }
  });
});

describe('XMLHttpRequest response: a host that gives a view into a larger buffer', () => {
  it('gets a copy of the view\'s bytes alone, the same object on every read', async () => {
    const window: Any = hostWindow('happy-dom');
    try {
      const bytes = new Uint8Array([9, 9, 1, 2, 3, 9]).subarray(2, 5);
      const ViewXhr = class {
        responseType = 'arraybuffer';
        get response() {
          return bytes;
        }
      };
      Object.defineProperty(window, 'XMLHttpRequest', { value: ViewXhr, configurable: true, writable: true });
      installMedia(window);
      const request = new window.XMLHttpRequest();
      expect([...new Uint8Array(request.response)]).toEqual([1, 2, 3]);
      expect(request.response).toBe(request.response);
      request.responseType = 'text';
      expect(request.response).toBe(bytes);
    } finally {
      await close(window);
    }
  });
});
