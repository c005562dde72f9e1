// EMEKIT_TRACE reaches emekit/dom: installMedia() without an `eme` option makes its platform with createEME(), which
// records the page's EME flow, through the window's navigator, to the file the variable names (keys redacted).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JSDOM } from 'jsdom';
import { afterAll, describe, expect, it } from 'vitest';
import { installMedia } from '../../src/dom/install.js';
import type { TraceEntry } from '../../src/eme/trace.js';
import { KEY_A, KID_A, keyIdsInitData, license, settle, VIDEO_CONFIG } from '../support/eme.js';

const dir = mkdtempSync(join(tmpdir(), 'emekit-dom-trace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('EMEKIT_TRACE with emekit/dom', () => {
  it("records a page's EME calls, events and outcomes made through the window", async () => {
    const file = join(dir, 'page.jsonl');
    const dom = new JSDOM('<!doctype html><video></video>', { url: 'http://127.0.0.1/' });
    const before = process.env['EMEKIT_TRACE'];
    process.env['EMEKIT_TRACE'] = file;
    try {
      installMedia(dom.window as never);
    } finally {
      if (before === undefined) delete process.env['EMEKIT_TRACE'];
      else process.env['EMEKIT_TRACE'] = before;
    }
    const window = dom.window as any;
    const access = await window.navigator.requestMediaKeySystemAccess('org.w3.clearkey', [VIDEO_CONFIG]);
    const session = (await access.createMediaKeys()).createSession();
    const message = new Promise((resolve) => session.addEventListener('message', resolve, { once: true }));
    await session.generateRequest('keyids', keyIdsInitData(KID_A));
    await message;
    await session.update(license([[KID_A, KEY_A]]));
    await settle();
    dom.window.close();

    const text = readFileSync(file, 'utf8');
    const entries = text.trimEnd().split('\n').map((line) => JSON.parse(line) as TraceEntry);
    const seen = entries.map((e) => `${e.target.replace(/ \d+$/, '')} ${e.kind} ${e.method ?? e.type}`);
    expect(seen).toEqual(
      expect.arrayContaining([
        'navigator call requestMediaKeySystemAccess',
        'navigator resolve requestMediaKeySystemAccess',
        'session call generateRequest',
        'session event message',
        'session call update',
        'session resolve update',
        'session event keystatuseschange',
      ]),
    );
    expect(seen.indexOf('session event message')).toBeLessThan(seen.indexOf('session call update'));
    expect(text).not.toContain(Buffer.from(KEY_A).toString('base64url'));
    expect(text).not.toContain(Buffer.from(KEY_A).toString('hex'));
  });
});
