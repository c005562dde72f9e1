// VideoPlaybackQuality (Media Playback Quality §2), what HTMLVideoElement.getVideoPlaybackQuality() returns: a
// snapshot of the element's frame counts, an interface object per window (webidl's realms).

import { WebIDLInterface } from '../../webidl/interface.js';
import { PlatformObject } from '../../webidl/platform-object.js';
import type { Realm } from '../../webidl/realm.js';

export interface PlaybackQualityRecord {
  /** The clock's time in ms when the snapshot was taken (DOMHighResTimeStamp). */
  readonly creationTime: number;
  readonly totalVideoFrames: number;
  readonly droppedVideoFrames: number;
}

export class VideoPlaybackQuality extends PlatformObject {
  readonly #record: PlaybackQualityRecord;

  constructor(object: object, record: PlaybackQualityRecord) {
    super(object);
    this.#record = record;
  }

  get creationTime(): number {
    return this.#record.creationTime;
  }

  get droppedVideoFrames(): number {
    return this.#record.droppedVideoFrames;
  }

  get totalVideoFrames(): number {
    return this.#record.totalVideoFrames;
  }

  /** Deprecated in the spec, and always 0: a headless decoder shows no corrupted frames. */
  get corruptedVideoFrames(): number {
    return 0;
  }
}

export const VideoPlaybackQualityInterface: WebIDLInterface<VideoPlaybackQuality> = WebIDLInterface.define({
  name: 'VideoPlaybackQuality',
  implementation: VideoPlaybackQuality,
  attributes: [{ name: 'creationTime' }, { name: 'droppedVideoFrames' }, { name: 'totalVideoFrames' }, { name: 'corruptedVideoFrames' }],
});

export function videoPlaybackQuality(realm: Realm, record: PlaybackQualityRecord): VideoPlaybackQuality {
  return new VideoPlaybackQuality(realm.create(VideoPlaybackQualityInterface), record);
}
