// Runs the CLI from TypeScript sources (used by test/helpers.ts runCli under tsx).
import { main } from '../src/cli/main.js';
main(process.argv).then((code) => { process.exitCode = code; }, (err) => {
  process.stderr.write(`vigie: internal error: ${err && err.stack ? err.stack : err}\n`);
  process.exitCode = 70;
});
