// window.open() for the WPT page host, as a browser opens a same-origin window: the opened page runs in a page host
// of its own (another process: its own document, emekit and media, the same origin and session store file, as two
// tabs of one browser profile), and the two talk by postMessage (structured clone over IPC). The retrieve pages
// open one to play a persistent license again from storage.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What the page host's process does: opens windows (the page) or is one (a popup, `EMEKIT_WPT_POPUP=1`). */
type Ipc = { readonly kind: 'message'; readonly data: unknown } | { readonly kind: 'load' } | { readonly kind: 'close' };

interface HostGlobals {
  dispatchEvent(event: unknown): boolean;
  MessageEvent: new (type: string, init: { data: unknown; origin: string; source?: unknown }) => unknown;
}

const pageHost = fileURLToPath(new URL('./page-host.ts', import.meta.url));

/** The opener's side: `window.open(url)` starts a page host for `url` and returns the window it stands for. */
export function openWindow(global: HostGlobals, wptRoot: string, origin: string, url: string, env: NodeJS.ProcessEnv): unknown {
  const { pathname } = new URL(url);
  const page = pathname.replace(/^\/encrypted-media\//, '');
  const child: ChildProcess = fork(pageHost, [wptRoot, page], {
    execArgv: ['--import', 'tsx'],
    env: { ...env, EMEKIT_WPT_POPUP: '1' },
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const opened = {
    closed: false,
    onload: null as null | (() => void),
    postMessage(data: unknown) {
      if (!opened.closed) child.send({ kind: 'message', data } satisfies Ipc);
    },
    close() {
      if (opened.closed) return;
      opened.closed = true;
      child.send({ kind: 'close' } satisfies Ipc);
      child.disconnect();
    },
  };
  child.on('message', (ipc: Ipc) => {
    if (ipc.kind === 'load') opened.onload?.();
    if (ipc.kind === 'message') global.dispatchEvent(new global.MessageEvent('message', { data: ipc.data, origin, source: opened }));
  });
  child.on('exit', () => (opened.closed = true));
  return opened;
}

/** The opened window's side: `opener.postMessage` goes back to the page; the page's messages arrive as events. */
export function beOpenedWindow(global: HostGlobals & Record<string, unknown>, origin: string): { loaded(): void } {
  const opener = {
    postMessage(data: unknown) {
      process.send!({ kind: 'message', data } satisfies Ipc);
    },
  };
  // happy-dom's window has an opener getter (null here): the page's opener is the window that opened it.
  Object.defineProperty(global, 'opener', { value: opener, configurable: true, writable: true });
  process.on('message', (ipc: Ipc) => {
    if (ipc.kind === 'close') process.exit(0);
    if (ipc.kind === 'message') global.dispatchEvent(new global.MessageEvent('message', { data: ipc.data, origin, source: opener }));
  });
  process.on('disconnect', () => process.exit(0));
  return { loaded: () => process.send!({ kind: 'load' } satisfies Ipc) };
}
