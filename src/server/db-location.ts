// Where the key store is when nobody says: EMEKIT_DB, else a SQLite file in the working directory.
import { DB_ENV } from './env.js';

export { DB_ENV };
export const DEFAULT_DB = 'emekit-keys.sqlite';

export function resolveDbLocation(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag !== undefined && flag !== '') return flag;
  const fromEnv = env[DB_ENV];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : DEFAULT_DB;
}
