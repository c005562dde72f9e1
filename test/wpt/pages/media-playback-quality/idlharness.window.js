// META: script=/resources/WebIDLParser.js
// META: script=/resources/idlharness.js

'use strict';

// https://w3c.github.io/media-playback-quality/
// web-platform-tests' media-playback-quality/idlharness.window.js, which ../shared/wpt does not carry: served at its
// upstream path by test/wpt/page-host.ts.

idl_test(
  ['media-playback-quality'],
  ['html', 'dom'],
  idl_array => {
    idl_array.add_objects({
      HTMLVideoElement: ['video'],
      VideoPlaybackQuality: ['videoPlaybackQuality'],
    });
    self.video = document.createElement('video');
    self.videoPlaybackQuality = video.getVideoPlaybackQuality();
  }
);
