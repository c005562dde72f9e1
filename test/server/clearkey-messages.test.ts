// The Clear Key wire formats, checked against the examples and rules of W3C EME's Clear Key section.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { HttpError } from '../../src/server/errors.js';
import { formatLicense, formatReleaseAck, parseLicenseMessage } from '../../src/server/clearkey-messages.js';
import { fromBase64Url, toBase64Url } from '../../src/server/bytes.js';

const utf8 = (text: string) => new TextEncoder().encode(text);

function refusal(text: string | Uint8Array): HttpError {
  try {
    parseLicenseMessage(typeof text === 'string' ? utf8(text) : text);
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('license request and release', () => {
  it('reads the spec example request', () => {
    const message = parseLicenseMessage(
      utf8('{"kids":["LwVHf8JLtPrv2GUXFW2v_A","0DdtU9od-Bh5L3xbv0Xf_A"],"type":"temporary"}'),
    );
    expect(message.kind).toBe('request');
    expect(message.kids.map(toBase64Url)).toEqual(['LwVHf8JLtPrv2GUXFW2v_A', '0DdtU9od-Bh5L3xbv0Xf_A']);
    expect(message.kids.every((kid) => kid.byteLength === 16)).toBe(true);
  });

  it('tells a release (no "type") from a request', () => {
    const message = parseLicenseMessage(utf8('{ "kids": [ "LwVHf8JLtPrv2GUXFW2v_A", "0DdtU9od-Bh5L3xbv0Xf_A" ] }'));
    expect(message).toMatchObject({ kind: 'release' });
    expect(parseLicenseMessage(utf8('{"kids":["LwVHf8JLtPrv2GUXFW2v_A"],"type":"persistent-license"}'))).toMatchObject({
      kind: 'request',
      type: 'persistent-license',
    });
  });

  it('collapses repeated key IDs', () => {
    const message = parseLicenseMessage(utf8('{"kids":["LwVHf8JLtPrv2GUXFW2v_A","LwVHf8JLtPrv2GUXFW2v_A"],"type":"temporary"}'));
    expect(message.kids).toHaveLength(1);
  });

  it.each([
    ['not JSON', '{"kids":'],
    ['a JSON array', '[]'],
    ['a JSON string', '"kids"'],
    ['no kids', '{"type":"temporary"}'],
    ['empty kids', '{"kids":[],"type":"temporary"}'],
    ['kids not an array', '{"kids":"LwVHf8JLtPrv2GUXFW2v_A","type":"temporary"}'],
    ['a number as key ID', '{"kids":[42],"type":"temporary"}'],
    ['padded base64url', '{"kids":["LwVHf8JLtPrv2GUXFW2v_A=="],"type":"temporary"}'],
    ['base64 (not url) characters', '{"kids":["LwVHf8JLtPrv2GUXFW2v/A"],"type":"temporary"}'],
    ['non-canonical trailing bits', '{"kids":["LwVHf8JLtPrv2GUXFW2v_B"],"type":"temporary"}'],
    ['an impossible length', '{"kids":["LwVHf"],"type":"temporary"}'],
    ['an empty key ID', '{"kids":[""],"type":"temporary"}'],
    ['a 513-byte key ID', JSON.stringify({ kids: [toBase64Url(new Uint8Array(513))], type: 'temporary' })],
    ['65 key IDs', JSON.stringify({ kids: Array.from({ length: 65 }, (_, i) => toBase64Url(new Uint8Array(16).fill(i))), type: 'temporary' })],
    ['an unknown type', '{"kids":["LwVHf8JLtPrv2GUXFW2v_A"],"type":"persistent-usage-record"}'],
  ])('refuses %s with 400', (_name, text) => {
    const error = refusal(text);
    expect(error.status).toBe(400);
    expect(error.code).toBe('bad_request');
  });

  it('refuses bytes that are not UTF-8', () => {
    expect(refusal(new Uint8Array([0x7b, 0xff, 0x7d])).status).toBe(400);
  });

  it('refuses bodies nested 200 levels deep or more (as Chromium\'s JSON reader), accepts 199', () => {
    const nested = (levels: number) => `{"kids":["LwVHf8JLtPrv2GUXFW2v_A"],"type":"temporary","x":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`;
    expect(parseLicenseMessage(utf8(nested(199))).kids).toHaveLength(1);
    const error = refusal(nested(200));
    expect([error.status, error.code, error.message]).toEqual([400, 'bad_request', 'body nests arrays and objects deeper than 199 levels']);
  });

  it('accepts key IDs of 1 and 512 bytes and 64 key IDs', () => {
    const edge = parseLicenseMessage(
      utf8(JSON.stringify({ kids: [toBase64Url(new Uint8Array(1)), toBase64Url(new Uint8Array(512))], type: 'temporary' })),
    );
    expect(edge.kids.map((kid) => kid.byteLength)).toEqual([1, 512]);
    const many = Array.from({ length: 64 }, (_, i) => toBase64Url(new Uint8Array(16).fill(i)));
    expect(parseLicenseMessage(utf8(JSON.stringify({ kids: many, type: 'temporary' }))).kids).toHaveLength(64);
  });

  it('round-trips any key IDs through base64url', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 64 }), { minLength: 1, maxLength: 8 }), (kids) => {
        const text = JSON.stringify({ kids: kids.map(toBase64Url), type: 'temporary' });
        const unique = new Set(kids.map((kid) => Buffer.from(kid).toString('hex')));
        const parsed = parseLicenseMessage(utf8(text)).kids.map((kid) => kid.toString('hex'));
        expect(new Set(parsed)).toEqual(unique);
      }),
    );
  });

  it('base64url decoding is strict and canonical', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const bytes = fromBase64Url(text);
        if (bytes !== undefined) expect(toBase64Url(bytes)).toBe(text);
      }),
    );
  });
});

describe('license and acknowledgement', () => {
  it('formats the spec example license exactly', () => {
    const kid = Buffer.from('LwVHf8JLtPrv2GUXFW2v_A', 'base64url');
    const key = Buffer.from('tQ0bJVWb6b0KPL6KtZIy_A', 'base64url');
    expect(JSON.parse(formatLicense([{ kid, key }], 'temporary'))).toEqual({
      keys: [{ kty: 'oct', kid: 'LwVHf8JLtPrv2GUXFW2v_A', k: 'tQ0bJVWb6b0KPL6KtZIy_A' }],
      type: 'temporary',
    });
  });

  it('acknowledges a release with its key IDs', () => {
    const kids = ['LwVHf8JLtPrv2GUXFW2v_A', '0DdtU9od-Bh5L3xbv0Xf_A'].map((kid) => Buffer.from(kid, 'base64url'));
    expect(JSON.parse(formatReleaseAck(kids))).toEqual({ kids: ['LwVHf8JLtPrv2GUXFW2v_A', '0DdtU9od-Bh5L3xbv0Xf_A'] });
  });
});
