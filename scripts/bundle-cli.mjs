// Bundles the `emekit` command (dist/cli, compiled by tsc) into dist/bin: one start-up file plus a chunk per
// command's own code, loaded when that command runs. ~40 ES modules cost a CLI start ~50 ms; the bundle ~10.
// Server-side packages stay external: they are large, some are native, and only `serve`/`keys` load them.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist/bin', { recursive: true, force: true });
await build({
  entryPoints: { emekit: 'dist/cli/main.js' },
  outdir: 'dist/bin',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['better-sqlite3', 'pg', 'fastify', '@fastify/cors', 'jose'],
  // commander and cli-progress are CommonJS: their require() of Node built-ins needs a real require.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
});
