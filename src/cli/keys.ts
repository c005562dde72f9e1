// `emekit keys add|generate|list`: put content keys into the license server's store and see what is there.
// Key values are printed only with --show-keys, so a listing can be pasted into a ticket safely.
import { Command, Option } from 'commander';
// Light modules statically; the store (pg, better-sqlite3) only when a keys command runs, so other commands
// start fast.
import { DB_ENV, DEFAULT_DB, resolveDbLocation } from '../server/db-location.js';
import { fromHex, toHex } from '../server/bytes.js';
import { masterKeyFromEnv } from '../server/master-key.js';
import type { KeyInfo, KeyStore } from '../server/index.js';

interface DbOptions {
  db?: string;
}

function dbOption(): Option {
  return new Option('--db <location>', `SQLite file or postgres:// URL (default: $${DB_ENV} or ${DEFAULT_DB})`);
}

async function withStore(options: DbOptions, use: (store: KeyStore) => Promise<void>): Promise<void> {
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

function hexArg(name: string, text: string): Buffer {
  const bytes = fromHex(text);
  if (bytes === undefined || bytes.byteLength === 0) throw new Error(`${name} must be hex, got ${JSON.stringify(text)}`);
  return bytes;
}

export function registerKeys(program: Command): void {
  const keys = program
    .command('keys')
    .description(
      'manage the license server\'s content keys (encrypted at rest; needs EMEKIT_MASTER_KEY: 32 bytes, hex or base64)',
    );

  keys
    .command('add')
    .description('store one content key')
    .requiredOption('--kid <hex>', 'key ID in hex (16 bytes for CENC; dashes as in a UUID are ignored)')
    .requiredOption('--key <hex>', '16-byte AES key in hex')
    .option('--label <label>', 'label tokens can name to grant a group of keys')
    .addOption(dbOption())
    .action((options: DbOptions & { kid: string; key: string; label?: string }) =>
      withStore(options, async (store) => {
        const kid = hexArg('--kid', options.kid);
        await store.addKey(kid, hexArg('--key', options.key), options.label ?? null);
        console.log(`added ${toHex(kid)}${options.label === undefined ? '' : ` (${options.label})`} to ${store.location}`);
      }),
    );

  keys
    .command('generate')
    .description('make random 16-byte key IDs and keys and store them; prints the key IDs (keys with --show-keys)')
    .option('--count <n>', 'how many', '1')
    .option('--label <label>', 'label for all of them')
    .option('--show-keys', 'also print the key values (needed to package content)', false)
    .option('--json', 'print JSON', false)
    .addOption(dbOption())
    .action((options: DbOptions & { count: string; label?: string; showKeys: boolean; json: boolean }) =>
      withStore(options, async (store) => {
        const count = Number(options.count);
        if (!Number.isSafeInteger(count) || count < 1) throw new Error('--count must be a positive integer');
        const made = await store.generateKeys(count, options.label ?? null);
        const now = new Date();
        printKeys(
          made.map((key) => ({ ...key, createdAt: now })),
          options.json,
          options.showKeys,
        );
      }),
    );

  keys
    .command('list')
    .description('list stored key IDs, labels and dates (key values only with --show-keys)')
    .option('--show-keys', 'also print the key values', false)
    .option('--json', 'print JSON', false)
    .addOption(dbOption())
    .action((options: DbOptions & { showKeys: boolean; json: boolean }) =>
      withStore(options, async (store) => {
        printKeys(await store.listKeys({ withKeys: options.showKeys }), options.json, options.showKeys);
      }),
    );
}
