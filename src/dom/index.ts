// emekit/dom: installMedia(window) makes a host DOM (jsdom, happy-dom) play media for players run unchanged in
// Node, decrypting through emekit.

export { installMedia, type InstallMediaOptions, type InstalledMedia, type MediaElementRecord } from './install.js';
export type { PlayedSample, PlayedTrack } from './element/frames.js';
export { VirtualClock } from '../util/virtual-clock.js';
export { realClock, type Clock } from '../util/clock.js';
export type { AttachedSource, CodedFrame, InstallMediaSource, MediaElementLink, MediaSourceRegistry, TrackBufferView } from './media-source-link.js';
export type { HostWindow } from './host-window.js';
