// Strict UTF-8 JSON object parsing for the byte formats of EME (keyids, Clear Key licenses and releases).

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Deepest nesting of arrays and objects accepted, the outermost counting as 1. Chromium's Clear Key reads its JSON
 * with base::JSONReader, which refuses 200 levels and more (test/chromium: 199 accepted, 200 a TypeError). It also
 * bounds the work: JSON.parse costs ~35 times more per byte on deep nesting than on flat text (64 KB of '[': ~9 ms).
 */
export const MAX_JSON_DEPTH = 199;

/**
 * Whether arrays and objects in `text` nest deeper than `limit`: one pass, string contents skipped (escaped quotes
 * honoured). Exact for valid JSON; on invalid text the answer does not matter, JSON.parse refuses it anyway.
 */
export function jsonNestsDeeperThan(text: string, limit: number = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
    else if (c === 0x22) {
      // To the closing quote: one preceded by an even number of backslashes.
      for (;;) {
        const end = text.indexOf('"', i + 1);
        if (end < 0) return false;
        let slashes = 0;
        while (text.charCodeAt(end - 1 - slashes) === 0x5c) slashes++;
        i = end;
        if (slashes % 2 === 0) break;
      }
    }
  }
  return false;
}

/** The parsed object, or undefined when the bytes are not UTF-8 text holding one JSON object of MAX_JSON_DEPTH levels at most. */
export function parseJsonObject(bytes: Uint8Array): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return undefined;
  }
  if (jsonNestsDeeperThan(text)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return value as Record<string, unknown>;
}
