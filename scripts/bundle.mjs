// Bundles what tsc compiled into dist/ so that a cold start loads a few files instead of ~40 ES modules
// (~50 ms → ~10 ms here):
// - dist/lib: the package entry points (emekit, emekit/media, emekit/server), sharing chunks, so a class
//   is the same object whichever entry it is imported from. npm packages stay external.
// - dist/bin: the `emekit` command, one small start-up file (node:util's parseArgs, the command table) plus a
//   chunk per command's own code, loaded when the command runs. cli-progress is bundled into a chunk of its own,
//   loaded only when a progress bar shows; server packages (large, some native) are not bundled.
// dist/**/*.d.ts from tsc stay the types of both.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

const common = { bundle: true, splitting: true, format: 'esm', platform: 'node', target: 'node20', logLevel: 'warning', chunkNames: 'chunks/[name]-[hash]' };

rmSync('dist/lib', { recursive: true, force: true });
await build({
  ...common,
  entryPoints: { index: 'dist/index.js', media: 'dist/media/index.js', server: 'dist/server/index.js' },
  outdir: 'dist/lib',
  packages: 'external',
});

rmSync('dist/bin', { recursive: true, force: true });
await build({
  ...common,
  entryPoints: { emekit: 'dist/cli/main.js' },
  outdir: 'dist/bin',
  external: ['better-sqlite3', 'pg', 'fastify', '@fastify/cors', 'jose'],
  // cli-progress is CommonJS: its require() of Node built-ins needs a real require.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
});
