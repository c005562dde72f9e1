// The test file's window as the players see it: in vitest's jsdom / happy-dom environment, globalThis (its
// properties forward to the DOM's window). The project compiles without the DOM library, so it is typed here.
import type { HostWindow } from '../../../src/dom/host-window.js';
import type { PlayerVideo } from './playback.js';

export interface TestWindow extends HostWindow {
  readonly document: HostWindow['document'] & {
    createElement(name: 'video'): PlayerVideo & { play(): Promise<void>; pause(): void };
    readonly body: { appendChild(node: unknown): unknown };
  };
  readonly MediaKeys: { prototype: { createSession: (...args: never[]) => unknown } };
}

export const testWindow = globalThis as unknown as TestWindow;

/** A <video> in the document, as a page has it. */
export function newVideo(): PlayerVideo & { play(): Promise<void>; pause(): void } {
  const video = testWindow.document.createElement('video');
  testWindow.document.body.appendChild(video);
  return video;
}
