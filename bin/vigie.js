#!/usr/bin/env node
// Entry point: the compiled CLI lives in dist/ (built by `npm install` through the `prepare` script).
import { main } from '../dist/src/cli/main.js';
main(process.argv).then((code) => { process.exitCode = code; }, (err) => {
  process.stderr.write(`vigie: internal error: ${err && err.stack ? err.stack : err}\n`);
  process.exitCode = 70;
});
