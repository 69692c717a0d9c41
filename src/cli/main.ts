/** Command-line entry: wires the commands. Each command lives in its own module under src/cli/. */
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { CliError, EXIT, EXIT_CODES_HELP } from './exit-codes.js';
import { register as registerDump } from './dump.js';
import { register as registerHunt } from './hunt.js';
import { register as registerScan } from './scan.js';
import { register as registerRules } from './rules.js';

export type SetExit = (code: number) => void;

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    return pkg.version;
  } catch {
    return '0.0.0';
  }
}

export function buildProgram(setExit: SetExit): Command {
  const program = new Command('vigie');
  program
    .description('Catch espionage against mail infrastructure: hunt logs with Sigma, scan messages for phishing.')
    .version(version(), '-V, --version')
    .showHelpAfterError()
    .addHelpText('after', '\n' + EXIT_CODES_HELP)
    .exitOverride();
  registerDump(program, setExit);
  registerHunt(program, setExit);
  registerScan(program, setExit);
  registerRules(program, setExit);
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
  const program = buildProgram((c) => { code = Math.max(code, c); });
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
