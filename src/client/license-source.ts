// Where a player's license comes from: keys the user holds (a local Clear Key "server"), or a license server URL.
// Either way the input is the message event's bytes and the output is what update() takes.

import { encodeBase64Url } from '../util/base64url.js';
import { parseJsonObject } from '../util/json.js';

export class LicenseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LicenseError';
  }
}

export type LicenseSource = (message: Uint8Array, messageType: string) => Promise<Uint8Array>;

/** The key IDs a Clear Key license request ({"kids": [base64url, ...]}) names, as written in it. */
export function requestedKids(request: Record<string, unknown> | undefined): string[] {
  const kids = request?.['kids'];
  return Array.isArray(kids) ? kids.filter((kid): kid is string => typeof kid === 'string') : [];
}

/** Answers Clear Key license requests from keys given by hex key ID; key values never reach a message. */
export function localKeys(keys: ReadonlyMap<string, Uint8Array>): LicenseSource {
  return async (message) => {
    const request = parseJsonObject(message);
    const answered = [];
    const missing: string[] = [];
    for (const kid of requestedKids(request)) {
      const hex = Buffer.from(kid, 'base64url').toString('hex');
      const key = keys.get(hex);
      if (key) answered.push({ kty: 'oct', kid, k: encodeBase64Url(key) });
      else missing.push(hex);
    }
    if (answered.length === 0) {
      throw new LicenseError(`no key given for key ID${missing.length === 1 ? '' : 's'} ${missing.join(', ')} (use --key KID:KEY)`);
    }
    const type = request?.['type'] === 'persistent-license' ? 'persistent-license' : 'temporary';
    return new TextEncoder().encode(JSON.stringify({ keys: answered, type }));
  };
}

/** POSTs the message to a Clear Key license server, with a bearer token when given. */
export function licenseServer(url: string, token?: string): LicenseSource {
  return async (message) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers['authorization'] = `Bearer ${token}`;
    let response: Response;
    try {
      response = await fetch(url, { method: 'POST', headers, body: message });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      throw new LicenseError(`license server ${url} is not reachable${cause ? ` (${cause})` : ''}`);
    }
    const body = new Uint8Array(await response.arrayBuffer());
    if (response.ok) return body;
    const detail = parseJsonObject(body)?.['message'];
    const why = typeof detail === 'string' ? `: ${detail}` : '';
    if (response.status === 401) throw new LicenseError(`license server refused: not authenticated (401)${why}; pass a valid --token`);
    if (response.status === 403) throw new LicenseError(`license server refused: the token does not allow these keys (403)${why}`);
    if (response.status === 404) throw new LicenseError(`license server has none of the requested keys (404)${why}`);
    throw new LicenseError(`license server answered ${response.status}${why}`);
  };
}
