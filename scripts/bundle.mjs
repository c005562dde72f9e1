// Bundles what tsc compiled into dist/ so that a cold start loads a few files instead of ~40 ES modules
// (~50 ms → ~10 ms here):
// - dist/lib: the package entry points (emekit, emekit/media, emekit/server, emekit/testing, emekit/dom), sharing chunks, so a class
//   is the same object whichever entry it is imported from. npm packages stay external.
// - dist/bin: the `emekit` command (below).
// dist/**/*.d.ts from tsc stay the types of both.
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const common = { bundle: true, splitting: true, format: 'esm', platform: 'node', target: 'node20', logLevel: 'warning', chunkNames: 'chunks/[name]-[hash]' };

rmSync('dist/lib', { recursive: true, force: true });
await build({
  ...common,
  entryPoints: { index: 'dist/index.js', media: 'dist/media/index.js', server: 'dist/server/index.js', testing: 'dist/testing/index.js', dom: 'dist/dom/index.js' },
  outdir: 'dist/lib',
  packages: 'external',
  // Class and function names are what script sees (console.log, .name, stack traces): esbuild must not rename them.
  keepNames: true,
});

rmSync('dist/bin', { recursive: true, force: true });
// The command: one CommonJS file, which Node starts without its ES module loader (~12 ms here), run through a V8
// code cache by the launcher (src/cli/launcher.cts) that becomes dist/bin/emekit.cjs, the package's bin. Commands
// and cli-progress are initialised only when used (esbuild keeps each module's body lazy); server packages
// (large, some native) stay external, except jose, which is ES modules only.
await build({
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  entryPoints: ['dist/cli/main.js'],
  outfile: 'dist/bin/emekit-cli.cjs',
  external: ['better-sqlite3', 'pg', 'fastify', '@fastify/cors'],
  // import.meta.url (createRequire in sqlite-store) is the bundle's own URL.
  define: { 'import.meta.url': '__bundleUrl' },
  // The launcher runs this inside a function, where only a leading "use strict" counts.
  banner: { js: "'use strict';\nconst __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
});
// A script run by vm (the launcher) has no dynamic import() on Node 20: the bundle must not need one.
// The launcher reads the bundle as Latin-1 (no decoding, and a one-byte string for V8), so it must be ASCII.
// esbuild escapes strings and regular expressions; what is left is in the comments it keeps (EME §…).
const cliSource = readFileSync('dist/bin/emekit-cli.cjs', 'utf8').replace(/[^\x00-\x7f]/gu, (c) => `\\u{${c.codePointAt(0).toString(16)}}`);
writeFileSync('dist/bin/emekit-cli.cjs', cliSource);
if (/\bimport\(/.test(cliSource.replace(/\/\/.*$/gm, ''))) throw new Error('dist/bin/emekit-cli.cjs contains import(): use a static import in the lazily loaded command module');
const hash = createHash('sha256').update(cliSource).digest('hex').slice(0, 16);
// tsc's source map comment points into dist/cli; the launcher is small enough to read as it is.
const launcher = readFileSync('dist/cli/launcher.cjs', 'utf8').replace('__EMEKIT_BUNDLE_HASH__', hash).replace(/\n\/\/# sourceMappingURL=.*\n?$/, '\n');
writeFileSync('dist/bin/emekit.cjs', `#!/usr/bin/env node\n${launcher}`, { mode: 0o755 });
