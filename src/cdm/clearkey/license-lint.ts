// The usual mistakes of hand-written Clear Key license servers, named: padded or standard base64, hex where
// base64url belongs, a license holding none of the requested key IDs (e.g. "k" and "kid" swapped), key IDs in GUID
// byte order (the first three fields byte-swapped, as PlayReady writes them). Key IDs may be named; keys never.

import { decodeBase64Url } from '../../util/base64url.js';
import { toHex } from '../../util/bytes.js';

const HEX_KEY = /^[0-9a-fA-F]{32}$/;

/** Why a kid or k string is not base64url, when it is a known mistake; undefined otherwise. */
export function spellingMistake(value: string): string | undefined {
  if (value.includes('=')) return 'has "=" padding, which base64url leaves out';
  if (/[+/]/.test(value)) return 'is standard base64 ("+" or "/"), not base64url ("-" and "_")';
  if (HEX_KEY.test(value)) return 'looks like hex: Clear Key wants the 16 bytes in base64url';
  return undefined;
}

/** Lenient decoding (padding, standard alphabet, hex), only to recognise what a server meant. */
function looseBytes(value: string): Uint8Array | undefined {
  if (HEX_KEY.test(value)) return Buffer.from(value, 'hex');
  const normal = value.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return /^[A-Za-z0-9_-]+$/.test(normal) ? Buffer.from(normal, 'base64url') : undefined;
}

/** The GUID byte order of a key ID: its first three fields (4, 2 and 2 bytes) reversed. */
function guidSwapped(keyId: Uint8Array): string {
  const b = [...keyId];
  return toHex(Uint8Array.from([b[3]!, b[2]!, b[1]!, b[0]!, b[5]!, b[4]!, b[7]!, b[6]!, ...b.slice(8)]));
}

/** Warnings about a license (a parsed JSON object) answering a request for `requested` key IDs. */
export function licenseWarnings(license: Record<string, unknown>, requested: readonly Uint8Array[]): string[] {
  const keys = license['keys'];
  if (!Array.isArray(keys)) return [];
  const warnings: string[] = [];
  const requestedHex = new Set(requested.map(toHex));
  const delivered: string[] = [];
  const keyValues: string[] = [];
  keys.forEach((jwk: unknown, index) => {
    if (typeof jwk !== 'object' || jwk === null) return;
    const { kid, k } = jwk as Record<string, unknown>;
    for (const [name, value] of [['kid', kid], ['k', k]] as const) {
      const mistake = typeof value === 'string' ? spellingMistake(value) : undefined;
      if (mistake) warnings.push(`keys[${index}].${name} ${mistake}`);
    }
    // As Clear Key reads it (a hex kid is valid base64url of other bytes), to tell whether the requested key arrives;
    // a kid Clear Key rejects (padding, standard base64) as its server meant it, its spelling being warned about.
    const kidBytes = typeof kid === 'string' ? (decodeBase64Url(kid) ?? looseBytes(kid)) : undefined;
    if (kidBytes) delivered.push(toHex(kidBytes));
    const keyBytes = typeof k === 'string' ? looseBytes(k) : undefined;
    if (keyBytes) keyValues.push(toHex(keyBytes));
  });
  if (requestedHex.size === 0 || delivered.some((kid) => requestedHex.has(kid))) return warnings;
  const wanted = [...requestedHex].join(', ');
  warnings.push(`the license holds none of the requested key IDs (${wanted}): the requested keys will not arrive`);
  if (keyValues.some((value) => requestedHex.has(value))) warnings.push('a requested key ID is in "k": "k" and "kid" look swapped');
  for (const kid of delivered) {
    if (kid.length !== 32) continue;
    const swapped = guidSwapped(Buffer.from(kid, 'hex'));
    if (requestedHex.has(swapped)) warnings.push(`key ID ${kid} is requested key ID ${swapped} in GUID byte order (first three fields byte-swapped, as PlayReady writes them)`);
  }
  return warnings;
}
