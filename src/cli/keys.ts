// `emekit keys add|generate|list`: put content keys into the license server's store and see what is there.
// Key values are printed only with --show-keys, so a listing can be pasted into a ticket safely.
// Light modules statically; the store (pg, better-sqlite3) only when a keys command runs, so other commands
// start fast.
import { DB_ENV, DEFAULT_DB, resolveDbLocation } from '../server/db-location.js';
import { fromHex, toHex } from '../server/bytes.js';
import { masterKeyFromEnv } from '../server/master-key.js';
import type { KeyInfo, KeyStore } from '../server/index.js';
import { dispatch, parse, type Commands } from './args.js';

async function withStore(options: { db?: string | undefined }, use: (store: KeyStore) => Promise<void>): Promise<void> {
  try {
    const { openKeyStore } = await import('../server/key-store.js');
    const store = await openKeyStore(resolveDbLocation(options.db), masterKeyFromEnv().key);
    try {
      await use(store);
    } finally {
      await store.close();
    }
  } catch (error) {
    // Operator mistakes (no master key, wrong one, duplicate key ID) deserve one clear line, not a stack trace.
    console.error(`emekit keys: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}

function printKeys(keys: readonly KeyInfo[], json: boolean, showKeys: boolean): void {
  const rows = keys.map((info) => ({
    kid: toHex(info.kid),
    label: info.label,
    createdAt: info.createdAt.toISOString(),
    ...(showKeys && info.key !== undefined ? { key: toHex(info.key) } : {}),
  }));
  if (json) {
    console.log(JSON.stringify(rows, null, 2));
    return;
  }
  for (const row of rows) {
    const fields = [row.kid, row.label ?? '-', row.createdAt];
    if (row.key !== undefined) fields.push(row.key);
    console.log(fields.join('  '));
  }
}

function hexArg(name: '--kid' | '--key', text: string): Buffer {
  const bytes = fromHex(text);
  // A key ID may be quoted back; a key, even a mistyped one, is not.
  if (bytes === undefined || bytes.byteLength === 0) throw new Error(`${name} must be hex${name === '--kid' ? `, got ${JSON.stringify(text)}` : ''}`);
  return bytes;
}

const db = { type: 'string' } as const;
const dbHelp = `  --db LOCATION    SQLite file or postgres:// URL
                   (default: $${DB_ENV} or ${DEFAULT_DB})`;

export const addSpec = {
  command: 'emekit keys add',
  options: { kid: { type: 'string' }, key: { type: 'string' }, label: { type: 'string' }, db },
  required: ['kid', 'key'],
  help: `Usage: emekit keys add --kid HEX --key HEX [--label LABEL] [--db LOCATION]

Store one content key.

Options:
  --kid HEX        key ID in hex (16 bytes for CENC; dashes as in a UUID are
                   ignored)
  --key HEX        16-byte AES key in hex
  --label LABEL    label tokens can name to grant a group of keys
${dbHelp}
  -h, --help       show this help
`,
} as const;

export const generateSpec = {
  command: 'emekit keys generate',
  options: {
    count: { type: 'string', default: '1' },
    label: { type: 'string' },
    'show-keys': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    db,
  },
  help: `Usage: emekit keys generate [--count N] [--label LABEL] [--show-keys] [--json]
                            [--db LOCATION]

Make random 16-byte key IDs and keys and store them; print the key IDs (and
the keys with --show-keys).

Options:
  --count N        how many (default: 1)
  --label LABEL    label for all of them
  --show-keys      also print the key values (needed to package content)
  --json           print JSON
${dbHelp}
  -h, --help       show this help
`,
} as const;

export const listSpec = {
  command: 'emekit keys list',
  options: { 'show-keys': { type: 'boolean', default: false }, json: { type: 'boolean', default: false }, db },
  help: `Usage: emekit keys list [--show-keys] [--json] [--db LOCATION]

List stored key IDs, labels and dates (key values only with --show-keys).

Options:
  --show-keys      also print the key values
  --json           print JSON
${dbHelp}
  -h, --help       show this help
`,
} as const;

async function add(argv: string[]): Promise<void> {
  const options = parse(addSpec, argv)?.values;
  if (options === undefined) return;
  await withStore(options, async (store) => {
    const kid = hexArg('--kid', options.kid!);
    await store.addKey(kid, hexArg('--key', options.key!), options.label ?? null);
    console.log(`added ${toHex(kid)}${options.label === undefined ? '' : ` (${options.label})`} to ${store.location}`);
  });
}

async function generate(argv: string[]): Promise<void> {
  const options = parse(generateSpec, argv)?.values;
  if (options === undefined) return;
  await withStore(options, async (store) => {
    const count = Number(options.count);
    if (!Number.isSafeInteger(count) || count < 1) throw new Error('--count must be a positive integer');
    const made = await store.generateKeys(count, options.label ?? null);
    const now = new Date();
    printKeys(
      made.map((key) => ({ ...key, createdAt: now })),
      options.json,
      options['show-keys'],
    );
  });
}

async function list(argv: string[]): Promise<void> {
  const options = parse(listSpec, argv)?.values;
  if (options === undefined) return;
  await withStore(options, async (store) => {
    printKeys(await store.listKeys({ withKeys: options['show-keys'] }), options.json, options['show-keys']);
  });
}

const commands: Commands = {
  add: ['store one content key', async () => ({ run: add })],
  generate: ['make random key IDs and keys and store them', async () => ({ run: generate })],
  list: ['list stored key IDs, labels and dates (values with --show-keys)', async () => ({ run: list })],
};

export function run(argv: string[]): Promise<void> {
  return dispatch(
    'emekit keys',
    "Manage the license server's content keys (encrypted at rest; needs\nEMEKIT_MASTER_KEY: 32 bytes, hex or base64).",
    commands,
    argv,
  );
}
