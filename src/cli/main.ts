/** Command-line entry: wires the commands. Each command lives in its own module under src/cli/. */
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { CliError, EXIT, EXIT_CODES_HELP } from './exit-codes.js';

export type SetExit = (code: number) => void;

type Register = (program: Command, setExit: SetExit) => void;
/**
 * The commands, in help order. A command's module (and what it imports: the mail stack for scan, the Sigma
 * engine for hunt…) is loaded only when that command runs, or when help must list every command.
 */
const COMMANDS: [name: string, load: () => Promise<{ register: Register }>][] = [
  ['dump', () => import('./dump.js')],
  ['hunt', () => import('./hunt.js')],
  ['scan', () => import('./scan.js')],
  ['rules', () => import('./rules.js')],
];

/** The command named on the command line (first word that is not an option), if it is one of ours. */
export function commandOf(argv: string[]): string | undefined {
  const first = argv.slice(2).find((a) => !a.startsWith('-'));
  return COMMANDS.some(([n]) => n === first) ? first : undefined;
}

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    return pkg.version;
  } catch {
    return '0.0.0';
  }
}

/** The program with every command, or only `only` (the command about to run: its help and parsing are the same). */
export async function buildProgram(setExit: SetExit, only?: string): Promise<Command> {
  const program = new Command('vigie');
  program
    .description('Catch espionage against mail infrastructure: hunt logs with Sigma, scan messages for phishing.')
    .version(version(), '-V, --version')
    .showHelpAfterError()
    .addHelpText('after', '\n' + EXIT_CODES_HELP)
    .exitOverride();
  const wanted = COMMANDS.filter(([n]) => only === undefined || n === only);
  const modules = await Promise.all(wanted.map(([, load]) => load()));
  for (const m of modules) m.register(program, setExit);
  for (const c of program.commands) c.exitOverride().addHelpText('after', '\n' + EXIT_CODES_HELP);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  // `vigie hunt … | head`: a closed pipe ends output quietly instead of crashing
  for (const s of [process.stdout, process.stderr]) {
    s.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
  let code: number = EXIT.OK;
  const program = await buildProgram((c) => { code = Math.max(code, c); }, commandOf(argv));
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.OK;
      return EXIT.USAGE;
    }
    if (e instanceof CliError) {
      process.stderr.write(`vigie: ${e.message}\n`);
      return e.code;
    }
    throw e;
  }
  return code;
}
