#!/usr/bin/env node
// The `emekit` command. Each sub-command lives in its own file and registers itself on the program.
import { Command } from 'commander';
import { registerInspect } from './inspect.js';

const program = new Command();
program
  .name('emekit')
  .description('W3C Encrypted Media Extensions with a Clear Key CDM: inspect and decrypt protected media, serve licenses')
  .showHelpAfterError();

// Sub-commands (one line each):
registerInspect(program);
(await import('./decrypt.js')).registerDecrypt(program);
(await import('./serve.js')).registerServe(program);
(await import('./keys.js')).registerKeys(program);
(await import('./token.js')).registerToken(program);

await program.parseAsync(process.argv);
