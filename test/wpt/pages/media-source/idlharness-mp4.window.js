// META: script=/resources/WebIDLParser.js
// META: script=/resources/idlharness.js
// META: timeout=long

'use strict';

// https://w3c.github.io/media-source/
// web-platform-tests' media-source/idlharness.window.js with one change: the SourceBuffer is made for an MP4 type that
// names its codecs. The upstream page asks for WebM, else a bare 'video/mp4', which emekit refuses as Chromium does
// (a type without codecs names no decoder), and emekit has no WebM: there, no SourceBuffer is made and its
// instance subtests cannot run. Served by test/wpt/page-host.ts.

idl_test(
  ['media-source'],
  ['dom', 'html', 'url'],
  async idl_array => {
    idl_array.add_objects({
      MediaSource: ['mediaSource'],
      SourceBuffer: ['sourceBuffer'],
      SourceBufferList: ['mediaSource.sourceBuffers'],
    });

    const video = document.createElement('video');
    self.mediaSource = new MediaSource();
    video.src = URL.createObjectURL(mediaSource);

    self.sourceBuffer = await new Promise((resolve, reject) => {
      mediaSource.addEventListener('sourceopen', () => {
        var defaultType = 'video/webm;codecs="vp8,vorbis"';
        if (MediaSource.isTypeSupported(defaultType)) {
          resolve(mediaSource.addSourceBuffer(defaultType));
        } else {
          resolve(mediaSource.addSourceBuffer('video/mp4;codecs="avc1.64001f"'));
        }
      });
      step_timeout(() => reject(new Error('sourceopen event not fired')), 3000);
    });
  }
);
