// Strict UTF-8 JSON object parsing for the byte formats of EME (keyids, Clear Key licenses and releases).

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** The parsed object, or undefined when the bytes are not UTF-8 text holding one JSON object. */
export function parseJsonObject(bytes: Uint8Array): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return value as Record<string, unknown>;
}
