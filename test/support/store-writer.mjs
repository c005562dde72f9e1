// Child process for the crash test: writes session records to an SQLite store as fast as it can, printing the
// index of each committed write, until it is killed.
import { createHash, randomBytes } from 'node:crypto';
import { SqliteSessionStore } from '../../dist/storage/sqlite-store.js';

const store = new SqliteSessionStore(process.argv[2]);
for (let i = 0; ; i++) {
  const payload = randomBytes(16 * 1024 + (i % 7) * 4096).toString('base64');
  const record = JSON.stringify({ i, payload, sha256: createHash('sha256').update(payload).digest('hex') });
  // Overwrite a few IDs (updates) and add new ones (inserts), as sessions do.
  await store.put('https://crash.example', `s${i % 5 === 0 ? i : i % 5}`, new TextEncoder().encode(record));
  process.stdout.write(`committed ${i}\n`);
}
