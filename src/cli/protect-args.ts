// Arguments shared by `emekit encrypt` and `emekit package`: the scheme, the keys (given with --key or
// generated into the license server's store), and one-line error messages.
import type { ContentKey, Scheme } from '../media/index.js';
import { MediaError } from '../media/errors.js';
import { parseKeyArgument } from './key-args.js';

const SCHEMES = ['cenc', 'cbcs', 'cens', 'cbc1'];

export function parseScheme(text: string): Scheme {
  if (!SCHEMES.includes(text)) throw new Error(`--scheme takes ${SCHEMES.join(', ')}`);
  return text as Scheme;
}

type TrackRef = { id: number; handler: string };

export interface KeyChoice {
  keys: (track: TrackRef) => ContentKey | undefined;
  /** Keys of later key periods (--rotate with the store). */
  rotation?: (period: number, track: TrackRef) => Promise<ContentKey>;
  generated: ContentKey[];
  storeLocation?: string;
  close(): Promise<void>;
}

/** --key [TARGET=]KID:KEY …: a track takes its own ID's key, else its kind's (video/audio), else the one for all. */
export function keysFromArguments(texts: readonly string[]): KeyChoice {
  const byTarget = new Map<string, ContentKey>();
  const byKid = new Map<string, string>();
  for (const text of texts) {
    const { target, kid, key } = parseKeyArgument(text, true);
    const hex = kid.toString('hex');
    if (byKid.has(hex) && byKid.get(hex) !== key.toString('hex')) throw new Error(`key ID ${hex} is given twice with different keys`);
    byKid.set(hex, key.toString('hex'));
    if (byTarget.has(target)) throw new Error(`two keys for ${target === 'all' ? 'all tracks' : target}`);
    byTarget.set(target, { keyId: kid, key });
  }
  const kind = (handler: string) => (handler === 'vide' ? 'video' : handler === 'soun' ? 'audio' : handler);
  return {
    keys: (t) => byTarget.get(String(t.id)) ?? byTarget.get(kind(t.handler)) ?? byTarget.get('all'),
    generated: [],
    close: async () => undefined,
  };
}

/** --key-from-store: one new key for every track (and one per later key period), recorded sealed in the store. */
export async function keysFromStore(o: { db: string | undefined; label: string | undefined; rotate: boolean }): Promise<KeyChoice> {
  const { resolveDbLocation } = await import('../server/db-location.js');
  const { masterKeyFromEnv } = await import('../server/master-key.js');
  const { openKeyStore } = await import('../server/key-store.js');
  const store = await openKeyStore(resolveDbLocation(o.db), masterKeyFromEnv().key);
  const generate = async (): Promise<ContentKey> => {
    const [made] = await store.generateKeys(1, o.label ?? null);
    return { keyId: Buffer.from(made!.kid), key: Buffer.from(made!.key!) };
  };
  const first = await generate();
  const choice: KeyChoice = {
    keys: () => first,
    generated: [first],
    storeLocation: store.location,
    close: () => store.close(),
  };
  if (o.rotate) {
    const periods = new Map<number, ContentKey>();
    choice.rotation = async (period) => {
      let key = periods.get(period);
      if (!key) {
        key = await generate();
        periods.set(period, key);
        choice.generated.push(key);
      }
      return key;
    };
  }
  return choice;
}

/** --key or --key-from-store, as encrypt and package take them; says where generated keys went. */
export async function chooseKeys(
  v: { key?: string[] | undefined; 'key-from-store'?: boolean | undefined; db?: string | undefined; label?: string | undefined },
  rotate: boolean,
  say: (line: string) => void,
): Promise<KeyChoice> {
  if (v['key-from-store']) {
    if (v.key?.length) throw new Error('give either --key or --key-from-store');
    const choice = await keysFromStore({ db: v.db, label: v.label, rotate });
    say(`keys: generated and stored in ${choice.storeLocation} as ${choice.generated.map((k) => k.keyId.toString('hex')).join(', ')}${v.label ? ` (label ${v.label})` : ''}`);
    return choice;
  }
  if (!v.key?.length) throw new Error('give the keys with --key [TARGET=]KID:KEY or --key-from-store');
  if (rotate) throw new Error('--rotate needs --key-from-store (a new key per period)');
  return keysFromArguments(v.key);
}

export function explainMediaError(error: unknown): string {
  if (error instanceof MediaError) return error.code === 'malformed' || error.code === 'truncated' ? `not a usable MP4: ${error.message}` : error.message;
  return error instanceof Error ? error.message : String(error);
}
