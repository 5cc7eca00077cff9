// explorer/node_run.js: runs a parameter file on the explorer's engine in
// Node, as the page's worker does, and prints the summary JSON (with the
// run's wall time in milliseconds as "elapsed_ms") to stdout.
//
//   node explorer/node_run.js build/explorer/site/ipsim_explorer.js FILE.yaml [STEP]
//
// Used by tests/test_explorer.py to compare the engine's counts with
// `ipsim run`, and to time it. STEP: patients per step (default 2000).
'use strict';
const fs = require('fs');
const path = require('path');

async function main() {
  const [engine, file, step] = process.argv.slice(2);
  const factory = require(path.resolve(engine));
  const M = await factory();
  // Timed from the model's build (as ipsim run's wall time) to the summary.
  const start = process.hrtime.bigint();
  const x = M.ccall('ipsim_explorer_open', 'number', ['string'], [fs.readFileSync(file, 'utf8')]);
  const fail = () => {
    process.stderr.write(M.UTF8ToString(M._ipsim_explorer_error(x)) + '\n');
    process.exit(2);
  };
  if (!x) throw new Error('out of memory');
  if (M.UTF8ToString(M._ipsim_explorer_error(x))) fail();
  let r;
  while ((r = M._ipsim_explorer_step(x, Number(step || 2000))) === 0) { /* next slice */ }
  if (r < 0) fail();
  const json = JSON.parse(M.UTF8ToString(M._ipsim_explorer_json(x)));
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  json.elapsed_ms = elapsed;
  M._ipsim_explorer_free(x);
  process.stdout.write(JSON.stringify(json) + '\n');
}
main().catch(e => { process.stderr.write(String(e.stack || e) + '\n'); process.exit(1); });
