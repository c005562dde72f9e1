// Runs the scenarios of scenarios.ts in Debian's Chromium (through playwright-core, no downloaded browser) and in
// emekit, producing JSON-normalized results that can be compared directly.

import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe } from 'vitest';
import { requestMediaKeySystemAccess, type EmePlatform } from '../../src/index.js';
import { makeHelpers, type RequestAccess, type Scenario } from './scenarios.js';

export const CHROMIUM_PATH = process.env['EMEKIT_CHROMIUM'] ?? '/usr/bin/chromium';
export const chromiumAvailable = (): boolean => existsSync(CHROMIUM_PATH);

const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Per scenario, on each side: a hung promise becomes a visible result instead of a stuck test. */
const SCENARIO_TIMEOUT_MS = 10_000;

const PAGE = '<!doctype html><meta charset="utf-8"><title>emekit interop</title><body>emekit interop</body>';

export interface ChromiumSide {
  readonly browser: Browser;
  readonly page: Page;
  readonly version: string;
  run(scenario: Scenario): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * A blank page on 127.0.0.1 (a secure context, as EME requires) in a fresh headless Chromium; `extraArgs` are added
 * to its command line (e.g. `--js-flags=--expose-gc`).
 */
export async function startChromium(extraArgs: readonly string[] = []): Promise<ChromiumSide> {
  const { chromium } = await import('playwright-core');
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    response.end(PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...LAUNCH_ARGS, ...extraArgs], timeout: 30_000 });
    const page = await browser.newPage();
    const { port } = server.address() as AddressInfo;
    await page.goto(`http://127.0.0.1:${port}/`);
    const secure = await page.evaluate('isSecureContext && typeof navigator.requestMediaKeySystemAccess === "function"');
    if (secure !== true) throw new Error('the interop page is not a secure context with EME');
    const launched = browser;
    return {
      browser: launched,
      page,
      version: launched.version(),
      run: (scenario) => runInPage(page, scenario),
      async close() {
        await launched.close();
        server.close();
      },
    };
  } catch (error) {
    await browser?.close().catch(() => undefined);
    server.close();
    throw error;
  }
}

/**
 * The page-side program for one scenario, as source text: the helpers and the scenario function are shipped as
 * their own source (fn.toString()) and called with navigator's requestMediaKeySystemAccess. The result comes back
 * as a JSON string, so both sides are normalized by the same JSON round trip.
 */
export function pageProgram(scenario: Scenario): string {
  return `(async () => {
    // esbuild (vitest, tsx) may wrap functions in __name() to keep their names; a no-op in the page.
    var __name = (target) => target;
    const requestMediaKeySystemAccess = (...args) => navigator.requestMediaKeySystemAccess(...args);
    const h = (${makeHelpers.toString()})(requestMediaKeySystemAccess);
    const run = (${scenario.run.toString()});
    let result;
    let diagnostic;
    try {
      result = await Promise.race([
        run({ requestMediaKeySystemAccess, h }),
        new Promise((resolve) => setTimeout(() => resolve({ timedOut: ${SCENARIO_TIMEOUT_MS} }), ${SCENARIO_TIMEOUT_MS})),
      ]);
    } catch (error) {
      result = { scenarioThrew: error && error.name };
      diagnostic = String(error && error.stack || error);
    }
    return JSON.stringify({ result: result === undefined ? '(undefined)' : result, diagnostic });
  })()`;
}

async function runInPage(page: Page, scenario: Scenario): Promise<unknown> {
  const json = (await page.evaluate(pageProgram(scenario))) as string;
  const { result, diagnostic } = JSON.parse(json) as { result: unknown; diagnostic?: string };
  if (diagnostic) console.warn(`[chromium] scenario "${scenario.name}" threw: ${diagnostic}`);
  return result;
}

/** The same scenario against emekit's default requestMediaKeySystemAccess, normalized the same way. */
/** A scenario's result in emekit: through the package's requestMediaKeySystemAccess, or a given platform's. */
export async function runInEmekit(scenario: Scenario, platform?: Pick<EmePlatform, 'requestMediaKeySystemAccess'>): Promise<unknown> {
  const requestAccess = platform ? platform.requestMediaKeySystemAccess.bind(platform) : requestMediaKeySystemAccess;
  const request: RequestAccess = (...args: any[]) => (requestAccess as (...a: unknown[]) => ReturnType<RequestAccess>)(...args);
  const h = makeHelpers(request);
  let result: unknown;
  let timer: NodeJS.Timeout | undefined;
  try {
    result = await Promise.race([
      scenario.run({ requestMediaKeySystemAccess: request, h }),
      new Promise((resolve) => {
        timer = setTimeout(() => resolve({ timedOut: SCENARIO_TIMEOUT_MS }), SCENARIO_TIMEOUT_MS);
      }),
    ]);
  } catch (error) {
    result = { scenarioThrew: (error as { name?: unknown } | undefined)?.name };
    console.warn(`[emekit] scenario "${scenario.name}" threw:`, error);
  } finally {
    clearTimeout(timer);
  }
  return JSON.parse(JSON.stringify(result === undefined ? '(undefined)' : result));
}

/**
 * A describe() whose tests share one Chromium, started before them (with `extraArgs` on its command line) and
 * closed after; skipped with a message where Chromium is not installed. `body` gets the running Chromium by call.
 */
export function describeWithChromium(name: string, body: (chromium: () => ChromiumSide) => void, extraArgs: readonly string[] = []): void {
  const available = chromiumAvailable();
  if (!available) console.warn(`chromium not installed: skipping "${name}"`);
  (available ? describe : describe.skip)(name, () => {
    let side: ChromiumSide | undefined;
    beforeAll(async () => {
      side = await startChromium(extraArgs);
    }, 60_000);
    afterAll(async () => {
      await side?.close();
    });
    body(() => {
      if (!side) throw new Error('Chromium did not start');
      return side;
    });
  });
}

/**
 * Page-side helpers (JavaScript source, for page programs) for playing media through Media Source Extensions:
 * decodeBase64(text); newVideo(): a muted <video> playing at 8x; appendAll(video, type, bytes): a MediaSource with
 * the whole file appended, resolving { source, buffer, appended: 'ok' | 'error' }; playToEnd(video, source,
 * stallMs): 'ended', 'error …', 'stalled at <time>' or 'play() <error>'.
 */
export const MSE_PAGE_HELPERS = `
  const decodeBase64 = (text) => Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));
  const newVideo = () => {
    const video = document.createElement('video');
    video.muted = true;
    video.defaultPlaybackRate = 8;
    document.body.append(video);
    return video;
  };
  const appendAll = async (video, type, bytes) => {
    const source = new MediaSource();
    video.src = URL.createObjectURL(source);
    await new Promise((resolve) => source.addEventListener('sourceopen', resolve, { once: true }));
    const buffer = source.addSourceBuffer(type);
    buffer.appendBuffer(bytes);
    const appended = await new Promise((resolve) => {
      buffer.addEventListener('updateend', () => resolve('ok'), { once: true });
      buffer.addEventListener('error', () => resolve('error'), { once: true });
    });
    return { source, buffer, appended };
  };
  const playToEnd = (video, source, stallMs) => {
    source.endOfStream();
    return Promise.race([
      new Promise((resolve) => video.addEventListener('ended', () => resolve('ended'), { once: true })),
      new Promise((resolve) => video.addEventListener('error', () => resolve('error ' + video.error.message), { once: true })),
      new Promise((resolve) => setTimeout(() => resolve('stalled at ' + video.currentTime.toFixed(3)), stallMs)),
      video.play().then(() => new Promise(() => {}), (e) => 'play() ' + e.name),
    ]);
  };
`;
