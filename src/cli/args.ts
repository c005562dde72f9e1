// What every emekit command does with its arguments: node:util's parseArgs (strict), plus --help, a fixed list of
// operands, required options, command tables, and errors of one line and a hint. Messages name options, never
// their values (a value may be a key or a token).
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;
type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: true; tokens: true }>>;

export interface CommandSpec<O extends Options> {
  /** 'emekit decrypt', 'emekit keys add': for messages. */
  command: string;
  /** Printed for --help: hand-written, next to the command's code. */
  help: string;
  options: O;
  /** Names of the operands, each required, none more allowed (unless `rest`). */
  operands?: readonly string[];
  /** One or more further operands of this name: `emekit package <in>...`. */
  rest?: string;
  required?: readonly (keyof O & string)[];
  /** A multiple option that also takes the operands after it, up to the next option: --cors-origin a b. */
  variadic?: keyof O & string;
}

/** A table of sub-commands: name → one-line description → its module, loaded only when it runs. */
export type Commands = Record<string, readonly [description: string, load: () => Promise<{ run(argv: string[]): Promise<void> }>]>;

/** Prints `command: message` and where to find help, and fails the process (exit code 1). */
function usageError(command: string, message: string): undefined {
  process.stderr.write(`${command}: ${message}\nRun '${command} --help' for usage.\n`);
  process.exitCode = 1;
  return undefined;
}

function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

/** parseArgs's message, on one line, without its hint about '--' (noise for a mistyped option). */
function parseError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS_')) throw error;
  const message = (error as Error).message.split('. To specify a positional')[0]!.replace(/\n/g, ' ');
  return message.charAt(0).toLowerCase() + message.slice(1);
}

/**
 * The command's options and operands, or undefined when there is nothing to run: help was asked for (printed on
 * stdout) or the arguments are wrong (one line on stderr, exit code 1).
 */
export function parse<const O extends Options>(spec: CommandSpec<O>, argv: string[]): { values: Parsed<O>['values']; operands: string[] } | undefined {
  if (wantsHelp(argv)) {
    process.stdout.write(spec.help);
    return undefined;
  }
  let parsed: Parsed<O>;
  try {
    parsed = parseArgs({ args: argv, options: spec.options, strict: true, allowPositionals: true, tokens: true });
  } catch (error) {
    return usageError(spec.command, parseError(error));
  }
  const values = parsed.values as Record<string, unknown>;
  const operands: string[] = [];
  let variadic: string[] | undefined;
  for (const token of parsed.tokens) {
    if (token.kind === 'positional') (variadic ?? operands).push(token.value);
    else variadic = token.kind === 'option' && token.name === spec.variadic && !token.inlineValue ? (values[token.name] as string[]) : undefined;
  }
  const names = spec.operands ?? [];
  if (operands.length < names.length) return usageError(spec.command, `missing argument <${names[operands.length]}>`);
  if (spec.rest !== undefined && operands.length === names.length) return usageError(spec.command, `missing argument <${spec.rest}>`);
  if (spec.rest === undefined && operands.length > names.length) {
    const expected = names.length === 0 ? 'none' : names.map((name) => `<${name}>`).join(' ');
    return usageError(spec.command, `too many arguments: expected ${expected}, got ${operands.length}`);
  }
  const missing = spec.required?.find((name) => values[name] === undefined);
  if (missing !== undefined) return usageError(spec.command, `missing required option --${missing}`);
  return { values: parsed.values, operands };
}

/** Runs the sub-command named by argv[0] (`emekit decrypt …`, `emekit keys add …`), or prints the table. */
export async function dispatch(group: string, about: string, commands: Commands, argv: string[]): Promise<void> {
  const width = Math.max(...Object.keys(commands).map((name) => name.length), 'help'.length) + 2;
  const rows = [...Object.entries(commands).map(([name, [description]]) => [name, description]), ['help', 'show the help of a command']];
  const help =
    `Usage: ${group} <command> [options]\n\n${about}\n\nCommands:\n` +
    rows.map(([name, description]) => `  ${name!.padEnd(width)}${description}\n`).join('') +
    `\nRun '${group} <command> --help' for the options of a command.\n`;
  const [name, ...rest] = argv;
  if (name === undefined) {
    process.stderr.write(help);
    process.exitCode = 1;
  } else if (name === '--help' || name === '-h' || (name === 'help' && rest.length === 0)) {
    process.stdout.write(help);
  } else if (name === 'help') {
    await dispatch(group, about, commands, [...rest, '--help']);
  } else if (Object.hasOwn(commands, name)) {
    await (await commands[name]![1]()).run(rest);
  } else {
    // An option's value may be a secret: --key=… is named up to its '='.
    usageError(group, name.startsWith('-') ? `unknown option '${name.split('=')[0]}'` : `unknown command '${name}'`);
  }
}
