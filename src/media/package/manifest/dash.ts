// The DASH MPD (static, isoff-live, SegmentTemplate with a SegmentTimeline): an adaptation set per representation,
// protected ones with ContentProtection for mp4protection (scheme and cenc:default_KID) and Clear Key: the W3C
// common system ID (urn:uuid:1077efec-…, with its cenc:pssh) and DASH-IF's Clear Key ID (urn:uuid:e2719d58-…), each
// with the license server as clearkey:Laurl (and dashif:Laurl, which newer players read).
import type { Presentation, Representation } from './presentation.js';

const COMMON_URN = 'urn:uuid:1077efec-c0b2-4d02-ace3-3c1e52e2fb4b';
const DASHIF_CLEARKEY_URN = 'urn:uuid:e2719d58-a985-b3c9-781a-b030af78d30e';

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function uuid(keyId: Buffer): string {
  const h = keyId.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function isoDuration(seconds: number): string {
  return `PT${seconds.toFixed(3)}S`;
}

function contentProtection(p: Presentation, keyId: Buffer, indent: string): string[] {
  const laurl = p.licenseUrl
    ? [`${indent}  <clearkey:Laurl Lic_type="EME-1.0">${escape(p.licenseUrl)}</clearkey:Laurl>`, `${indent}  <dashif:Laurl>${escape(p.licenseUrl)}</dashif:Laurl>`]
    : [];
  return [
    `${indent}<ContentProtection schemeIdUri="urn:mpeg:dash:mp4protection:2011" value="${p.scheme}" cenc:default_KID="${uuid(keyId)}"/>`,
    `${indent}<ContentProtection schemeIdUri="${COMMON_URN}" value="ClearKey1.0">`,
    `${indent}  <cenc:pssh>${p.pssh(keyId).toString('base64')}</cenc:pssh>`,
    ...laurl,
    `${indent}</ContentProtection>`,
    `${indent}<ContentProtection schemeIdUri="${DASHIF_CLEARKEY_URN}" value="ClearKey1.0">`,
    ...laurl,
    `${indent}</ContentProtection>`,
  ];
}

function timeline(r: Representation, indent: string): string[] {
  const out: string[] = [`${indent}<SegmentTimeline>`];
  let expected = -1;
  for (let i = 0; i < r.segments.length; ) {
    const s = r.segments[i]!;
    let repeat = 0;
    while (i + repeat + 1 < r.segments.length && r.segments[i + repeat + 1]!.duration === s.duration && r.segments[i + repeat + 1]!.start === s.start + (repeat + 1) * s.duration) repeat++;
    out.push(`${indent}  <S${s.start !== expected ? ` t="${s.start}"` : ''} d="${s.duration}"${repeat > 0 ? ` r="${repeat}"` : ''}/>`);
    expected = s.start + (repeat + 1) * s.duration;
    i += repeat + 1;
  }
  out.push(`${indent}</SegmentTimeline>`);
  return out;
}

export function dashManifest(p: Presentation): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" xmlns:cenc="urn:mpeg:cenc:2013" xmlns:clearkey="http://dashif.org/guidelines/clearKey" xmlns:dashif="https://dashif.org/CPS" profiles="urn:mpeg:dash:profile:isoff-live:2011" type="static" mediaPresentationDuration="${isoDuration(p.duration)}" minBufferTime="PT2S">`,
    '  <Period id="0" start="PT0S">',
  ];
  p.representations.forEach((r, i) => {
    const mime = `${r.kind}/mp4`;
    lines.push(`    <AdaptationSet id="${i + 1}" contentType="${r.kind}" mimeType="${mime}" segmentAlignment="true" startWithSAP="1">`);
    if (r.keyId) lines.push(...contentProtection(p, r.keyId, '      '));
    const attrs = r.kind === 'video' ? ` width="${r.width}" height="${r.height}"` : ` audioSamplingRate="${r.sampleRate}"`;
    lines.push(`      <Representation id="${escape(r.id)}" codecs="${escape(r.codecs)}" bandwidth="${r.bandwidth}"${attrs}>`);
    if (r.kind === 'audio') lines.push(`        <AudioChannelConfiguration schemeIdUri="urn:mpeg:dash:23003:3:audio_channel_configuration:2011" value="${r.channels}"/>`);
    lines.push(`        <SegmentTemplate timescale="${r.timescale}" initialization="${escape(r.init)}" media="${escape(r.media)}" startNumber="1">`);
    lines.push(...timeline(r, '          '));
    lines.push('        </SegmentTemplate>', '      </Representation>', '    </AdaptationSet>');
  });
  lines.push('  </Period>', '</MPD>', '');
  return lines.join('\n');
}
