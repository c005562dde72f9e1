// A request's event handler attributes run with the request as `this` (HTML's callback this value: the event's
// currentTarget), as dash.js's XHR loader needs, on both hosts once emekit/dom is installed: happy-dom 21 calls them
// without it (src/dom/xhr-handlers.ts), jsdom does it right and is left as it is.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Window as HappyWindow } from 'happy-dom';
import { JSDOM } from 'jsdom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installMedia } from '../../src/dom/install.js';

type Any = any;

const hosts: Record<string, () => { window: Any; close(): void }> = {
  'happy-dom': () => {
    const window = new HappyWindow({ url: 'http://127.0.0.1/' });
    return { window, close: () => void window.happyDOM.close() };
  },
  jsdom: () => {
    const { window } = new JSDOM('<!doctype html><body></body>', { url: 'http://127.0.0.1/' });
    return { window, close: () => window.close() };
  },
};

let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((_req, res) => res.writeHead(200, { 'access-control-allow-origin': '*', 'content-type': 'text/plain' }).end('hello'));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/file.txt`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

/** The load and loadend handlers' `this` and what they read through it, for one real request. */
function load(window: Any): Promise<{ request: unknown; seen: unknown[]; status: unknown; text: unknown; url: unknown }> {
  return new Promise((resolve) => {
    const request = new window.XMLHttpRequest();
    const seen: unknown[] = [];
    request.onload = function (this: Any) {
      seen.push(this);
    };
    request.onloadend = function (this: Any) {
      seen.push(this);
      resolve({ request, seen, status: this?.status, text: this?.responseText, url: this?.responseURL });
    };
    request.open('GET', url, true);
    request.send();
  });
}

describe.each(Object.keys(hosts))('XMLHttpRequest event handlers under %s with emekit/dom', (host) => {
  it('run with the request as `this` (load, loadend), reading its status and response', async () => {
    const { window, close } = hosts[host]!();
    try {
      installMedia(window);
      const { request, seen, status, text, url: responseURL } = await load(window);
      expect(seen.length).toBe(2);
      expect(seen.every((self) => self === request)).toBe(true);
      expect({ status, text, responseURL }).toEqual({ status: 200, text: 'hello', responseURL: url });
    } finally {
      close();
    }
  });

  it('the attribute reads back as the function set, null clears it, listeners are untouched', () => {
    const { window, close } = hosts[host]!();
    try {
      installMedia(window);
      const request = new window.XMLHttpRequest();
      const calls: string[] = [];
      const handler = function (this: unknown) {
        calls.push(this === request ? 'handler' : 'handler elsewhere');
      };
      request.ontimeout = handler;
      expect(request.ontimeout).toBe(handler);
      request.addEventListener('timeout', function (this: unknown) {
        calls.push(this === request ? 'listener on the request' : 'listener elsewhere');
      });
      request.dispatchEvent(new window.Event('timeout'));
      request.ontimeout = null;
      expect(request.ontimeout).toBe(null);
      request.dispatchEvent(new window.Event('timeout'));
      // (The order of handler and listener within one dispatch differs between the hosts; not what is tested here.)
      expect(calls.sort()).toEqual(['handler', 'listener on the request', 'listener on the request']);
    } finally {
      close();
    }
  });
});

describe('XMLHttpRequest event handlers: a host whose requests cannot be made', () => {
  it('installMedia leaves it alone and does not throw', () => {
    const { window, close } = hosts['happy-dom']!();
    try {
      const Broken = class {
        constructor() {
          throw new Error('no requests here');
        }
      };
      Object.defineProperty(window, 'XMLHttpRequest', { value: Broken, configurable: true, writable: true });
      expect(() => installMedia(window)).not.toThrow();
      expect(window.XMLHttpRequest).toBe(Broken);
    } finally {
      close();
    }
  });
});
