// What `--key` takes on the command line: KID:KEY, each 32 hex digits (a KID may have dashes, as a UUID), optionally
// aimed at tracks by a TARGET= prefix (encrypt, package). Messages never echo the argument: it holds the key.
const HEX_32 = /^[0-9a-fA-F]{32}$/;

export interface KeyArgument {
  /** 'all', 'video', 'audio' or a track ID. */
  target: string;
  kid: Buffer;
  key: Buffer;
}

export function parseKeyArgument(text: string, targets = false): KeyArgument {
  const eq = targets ? text.indexOf('=') : -1;
  const target = eq > 0 ? text.slice(0, eq).toLowerCase() : 'all';
  const [kid, key, extra] = text.slice(eq + 1).split(':');
  const kidHex = kid?.replace(/-/g, '') ?? '';
  if (extra !== undefined || !key || !HEX_32.test(kidHex) || !HEX_32.test(key) || (targets && !/^(all|video|audio|\d+)$/.test(target))) {
    throw new Error(targets ? '--key takes [TARGET=]KID:KEY, each 32 hex digits (16 bytes); TARGET is video, audio or a track ID' : '--key takes KID:KEY, each 32 hex digits (16 bytes)');
  }
  return { target, kid: Buffer.from(kidHex, 'hex'), key: Buffer.from(key, 'hex') };
}
