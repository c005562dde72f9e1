// What the player tests talk to over loopback: a static server for a presentation's files (players fetch through
// the DOM's XHR/fetch, cross-origin: CORS as a CDN sends it) and a real `emekit serve` process holding the keys
// (test/support/license-server.ts).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
export { startLicenseServer, type LicenseServer } from '../../support/license-server.js';

export interface MediaServer {
  /** Base URL ending in '/'. */
  url: string;
  /** Serves `files` under `prefix/` (e.g. one presentation per test). */
  mount(prefix: string, files: Map<string, Buffer>): string;
  /** Paths requested so far, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { html: 'text/html', js: 'text/javascript', mpd: 'application/dash+xml', m3u8: 'application/vnd.apple.mpegurl', mp4: 'video/mp4', m4s: 'video/iso.segment' };
const CORS = { 'access-control-allow-origin': '*', 'access-control-allow-headers': '*', 'access-control-allow-methods': 'GET, HEAD, OPTIONS' };

export async function startMediaServer(): Promise<MediaServer> {
  const files = new Map<string, Buffer>();
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (req.method === 'OPTIONS') return void res.writeHead(204, CORS).end();
    requests.push(path);
    const body = files.get(path);
    if (!body) return void res.writeHead(404, CORS).end();
    const type = TYPES[path.split('.').pop()!] ?? 'application/octet-stream';
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (range) {
      const start = Number(range[1]);
      const end = range[2] ? Math.min(Number(range[2]), body.length - 1) : body.length - 1;
      res.writeHead(206, { ...CORS, 'content-type': type, 'content-range': `bytes ${start}-${end}/${body.length}`, 'content-length': end - start + 1 });
      return void res.end(req.method === 'HEAD' ? undefined : body.subarray(start, end + 1));
    }
    res.writeHead(200, { ...CORS, 'content-type': type, 'content-length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url,
    requests,
    mount(prefix, mounted) {
      for (const [path, body] of mounted) files.set(`/${prefix}/${path}`, body);
      return `${url}${prefix}/`;
    },
    close: () => new Promise((done) => server.close(() => done())),
  };
}
