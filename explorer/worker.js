// explorer/worker.js: the explorer's Web Worker. scripts/build-explorer
// appends it to the engine (ipsim_explorer.js, which defines the factory
// ipsimExplorer), and the page starts the pair from a Blob, so that it also
// works from file:// where a worker cannot be loaded by URL.
//
// Message in: {id, runs: [{label, yaml}], step}. Messages out:
// {id, type: 'progress', done} (0..1 over all runs), then
// {id, type: 'done', results: [{label, yaml, summary, ms}]} or
// {id, type: 'error', label, message}. The page cancels a run by
// terminating the worker: a run in progress cannot read messages.
'use strict';
const engine = ipsimExplorer();

function runOne(M, yaml, step, report) {
  // Timed from the model's build (as ipsim run's wall time) to the summary.
  const start = performance.now();
  const x = M.ccall('ipsim_explorer_open', 'number', ['string'], [yaml]);
  if (!x) throw new Error('out of memory');
  try {
    const error = () => M.UTF8ToString(M._ipsim_explorer_error(x));
    if (error()) throw new Error(error());
    let r;
    while ((r = M._ipsim_explorer_step(x, step)) === 0) report(M._ipsim_explorer_done(x));
    if (r < 0) throw new Error(error());
    const summary = JSON.parse(M.UTF8ToString(M._ipsim_explorer_json(x)));
    return {summary, ms: performance.now() - start};
  } finally {
    M._ipsim_explorer_free(x);
  }
}

self.onmessage = async (event) => {
  const {id, runs, step} = event.data;
  const M = await engine;
  const results = [];
  for (let i = 0; i < runs.length; i++) {
    const report = (done) => self.postMessage({id, type: 'progress', done: (i + done) / runs.length});
    try {
      const {summary, ms} = runOne(M, runs[i].yaml, step || 2000, report);
      results.push({label: runs[i].label, yaml: runs[i].yaml, summary, ms});
    } catch (e) {
      self.postMessage({id, type: 'error', label: runs[i].label, message: String(e.message || e)});
      return;
    }
  }
  self.postMessage({id, type: 'done', results});
};
