// explorer/explorer.js: the explorer page (explorer/index.html): reads the
// controls, writes the two parameter files (your policy and the
// comparator), runs them in the worker (explorer/worker.js) and draws the
// summaries as SVG. engine.js (made by scripts/build-explorer) defines
// IPSIM_WORKER_SOURCE: the engine and the worker as one script.
//
// For tests (tests/test_explorer.py): window.ipsimExplorerPage.run()
// returns a promise of the last run's results; <html data-state> is
// "running", "done" or "error".
'use strict';
(function () {
  const GRADES = ['none', 'mild', 'moderate', 'severe', 'very_severe'];
  const LABELS = ['none', 'mild', 'moderate', 'severe', 'very severe'];
  const COLOURS = ['#1b9e77', '#66a61e', '#e6ab02', '#d95f02', '#7570b3', '#999999'];
  const TYPE_COLOURS = ['#377eb8', '#4daf4a', '#984ea3'];
  const DEFAULT_MIX = [99, 140, 286, 99, 376]; // params/baseline.yaml, per mille
  const $ = (id) => document.getElementById(id);
  const root = document.documentElement;

  // ---- controls and parameter files ----
  GRADES.forEach((g, i) => {
    const label = document.createElement('label');
    label.innerHTML = `${LABELS[i]} <input id="mix-${g}" type="range" min="0" max="1000" step="1"
      value="${DEFAULT_MIX[i]}"> <output id="mix-${g}-out"></output>`;
    $('mix').appendChild(label);
  });

  // Shares in thousandths that add up to exactly 1000 (largest remainder),
  // so that the file's mix sums to 1 as the loader requires.
  function mixShares() {
    const w = GRADES.map((g) => Number($('mix-' + g).value));
    const total = w.reduce((a, b) => a + b, 0);
    if (total === 0) return [0, 0, 0, 0, 1000]; // no weights: all in the last grade
    const exact = w.map((x) => (x * 1000) / total);
    const floor = exact.map(Math.floor);
    let left = 1000 - floor.reduce((a, b) => a + b, 0);
    exact.map((x, i) => [x - floor[i], i]).sort((a, b) => b[0] - a[0])
      .forEach(([, i]) => { if (left > 0) { floor[i]++; left--; } });
    return floor;
  }

  function settings() {
    return {
      mix: mixShares(),
      trigger: $('trigger').value,
      igg: Number($('igg').value),
      dose: Number($('dose').value),
      antibiotics: Number($('antibiotics').value),
      vaccination: $('vaccination').checked,
      patients: Number($('patients').value),
      horizon: Number($('horizon').value),
      seed: Math.max(0, Math.floor(Number($('seed').value) || 0)),
      comparator: $('comparator').value,
    };
  }

  // A complete parameter file for `ipsim run`: the defaults (params/baseline.yaml's
  // values) with the page's choices. withIvig/withOthers switch parts off for
  // the comparator.
  function yamlFor(s, name, withIvig, withOthers) {
    const mix = GRADES.map((g, i) => `${g}: ${(s.mix[i] / 1000).toFixed(3)}`).join(', ');
    const lines = [
      `# Written by the ipsim explorer; reproduce with: ipsim run ${name}.yaml`,
      `name: ${name}`, `seed: ${s.seed}`, 'cohort:', `  patients: ${s.patients}`,
      `  horizon_months: ${s.horizon}`, `  baseline_mix: {${mix}}`];
    if (withIvig && s.trigger !== 'none') {
      lines.push('ivig:');
      if (s.trigger === 'igg') {
        lines.push('  policy: igg', `  igg_threshold_g_per_l: ${s.igg}`);
      } else {
        lines.push('  policy: grade', `  grade_threshold: ${s.trigger.split(':')[1]}`);
      }
      lines.push(`  dose_mg_per_kg: ${s.dose}`);
    }
    if (withOthers && s.vaccination) {
      lines.push('vaccination:', '  influenza_coverage: 0.8', '  pneumococcal_coverage: 0.8');
    }
    if (withOthers && s.antibiotics) {
      lines.push('modules:', '  antibiotics:', `    agent: ${s.antibiotics}`, '    schedule: 0',
                 '    start_month: 0', '    duration_months: 3');
    }
    return lines.join('\n') + '\n';
  }

  function runsFor(s) {
    const others = s.comparator === 'no-ivig';
    return [{label: 'policy', yaml: yamlFor(s, 'policy', true, true)},
            {label: 'comparator', yaml: yamlFor(s, 'comparator', false, others)}];
  }

  // ---- the worker: one run at a time; a new run or Cancel ends the old ----
  let worker = null, runId = 0, pending = null;
  function startWorker() {
    const blob = new Blob([window.IPSIM_WORKER_SOURCE], {type: 'text/javascript'});
    const url = URL.createObjectURL(blob);
    worker = new Worker(url);
    URL.revokeObjectURL(url);
    worker.onmessage = (e) => onMessage(e.data);
    worker.onerror = (e) => finish('error', 'worker: ' + e.message);
  }

  function cancel() {
    if (!worker || root.dataset.state !== 'running') return;
    worker.terminate();
    startWorker();
    finish('cancelled', 'cancelled');
  }

  function run() {
    if (root.dataset.state === 'running') {
      worker.terminate();
      startWorker();
    }
    const s = settings();
    const runs = runsFor(s);
    $('yaml-policy').textContent = runs[0].yaml;
    $('yaml-comparator').textContent = runs[1].yaml;
    runId++;
    root.dataset.state = 'running';
    $('status-text').textContent = 'running';
    $('status-text').className = '';
    $('progress').value = 0;
    const step = Math.max(500, Math.round(s.patients / 20));
    worker.postMessage({id: runId, runs, step});
    return new Promise((resolve, reject) => { pending = {id: runId, resolve, reject}; });
  }

  function finish(state, text, value) {
    root.dataset.state = state;
    $('status-text').textContent = text;
    $('status-text').className = state === 'error' ? 'error' : '';
    if (pending) {
      const p = pending;
      pending = null;
      if (state === 'done') p.resolve(value); else p.reject(new Error(text));
    }
  }

  let last = null;
  function onMessage(m) {
    if (m.id !== runId) return; // a cancelled run's late message
    if (m.type === 'progress') {
      $('progress').value = m.done;
      $('status-text').textContent = `running: ${Math.round(100 * m.done)}%`;
    } else if (m.type === 'error') {
      finish('error', `${m.label}: ${m.message}`);
    } else if (m.type === 'done') {
      last = m.results;
      draw(m.results);
      const ms = m.results.map((r) => r.ms.toFixed(0) + ' ms').join(' and ');
      $('timing').textContent = `Simulated in ${ms} (policy and comparator).`;
      $('progress').value = 1;
      finish('done', 'done', m.results);
    }
  }

  // ---- drawing ----
  const SVG = 'http://www.w3.org/2000/svg';
  const PAD = {l: 58, r: 110, t: 10, b: 34}, W = 560, H = 300;
  function el(parent, name, attrs, text) {
    const e = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    parent.appendChild(e);
    return e;
  }
  function frame(svg, xmax, ymax, xlabel, ylabel, percent) {
    svg.textContent = '';
    const x = (v) => PAD.l + (v / xmax) * (W - PAD.l - PAD.r);
    const y = (v) => H - PAD.b - (v / ymax) * (H - PAD.t - PAD.b);
    for (let i = 0; i <= 4; i++) {
      const v = (ymax * i) / 4;
      el(svg, 'line', {x1: PAD.l, x2: W - PAD.r, y1: y(v), y2: y(v), class: 'grid'});
      el(svg, 'text', {x: PAD.l - 4, y: y(v) + 4, 'text-anchor': 'end'},
         percent ? `${+(100 * v).toFixed(1)}%` : v.toFixed(v < 10 ? 1 : 0));
    }
    el(svg, 'line', {x1: PAD.l, x2: W - PAD.r, y1: y(0), y2: y(0), class: 'axis'});
    el(svg, 'line', {x1: PAD.l, x2: PAD.l, y1: y(0), y2: PAD.t, class: 'axis'});
    el(svg, 'text', {x: (PAD.l + W - PAD.r) / 2, y: H - 4, 'text-anchor': 'middle'}, xlabel);
    el(svg, 'text', {x: 12, y: H / 2, transform: `rotate(-90 12 ${H / 2})`, 'text-anchor': 'middle'},
       ylabel);
    return {x, y};
  }
  function legend(svg, names, colours) {
    names.forEach((n, i) => {
      el(svg, 'rect', {x: W - PAD.r + 10, y: PAD.t + 16 * i, width: 10, height: 10, fill: colours[i]});
      el(svg, 'text', {x: W - PAD.r + 24, y: PAD.t + 9 + 16 * i}, n);
    });
  }
  function monthTicks(svg, f, months) {
    const step = months > 60 ? 24 : 12;
    for (let m = 0; m <= months; m += step) {
      el(svg, 'text', {x: f.x(m), y: H - PAD.b + 14, 'text-anchor': 'middle'}, String(m));
    }
  }
  const path = (pts) => 'M' + pts.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join('L');

  function drawInfection(s) {
    const svg = document.querySelector('#fig-infection svg');
    const M = s.months - 1, at = (a, m, g) => a[m * 5 + g];
    let ymax = 0;
    for (let i = 0; i < s.cumulative_infected_high.length; i++) {
      ymax = Math.max(ymax, s.cumulative_infected_high[i] || 0);
    }
    ymax = Math.min(1, Math.ceil(ymax * 10) / 10 || 1);
    const f = frame(svg, M, ymax, 'months since diagnosis', 'share infected', true);
    monthTicks(svg, f, M);
    GRADES.forEach((g, gi) => {
      if (!s.patients_by_baseline_grade[gi]) return;
      const up = [], down = [], line = [];
      for (let m = 0; m <= M; m++) {
        up.push([f.x(m), f.y(at(s.cumulative_infected_high, m, gi))]);
        down.push([f.x(m), f.y(at(s.cumulative_infected_low, m, gi))]);
        line.push([f.x(m), f.y(at(s.cumulative_infected_share, m, gi))]);
      }
      el(svg, 'path', {d: path(up.concat(down.reverse())) + 'Z', fill: COLOURS[gi], opacity: 0.25});
      el(svg, 'path', {d: path(line), fill: 'none', stroke: COLOURS[gi], 'stroke-width': 1.8});
    });
    legend(svg, LABELS, COLOURS);
  }

  function drawOccupancy(s) {
    const svg = document.querySelector('#fig-occupancy svg');
    const M = s.months - 1, n = s.patients;
    const f = frame(svg, M, 1, 'months since diagnosis', 'share of cohort', true);
    monthTicks(svg, f, M);
    const below = new Array(s.months).fill(0);
    for (let st = 0; st < 6; st++) {
      const top = [], bottom = [];
      for (let m = 0; m <= M; m++) {
        bottom.push([f.x(m), f.y(below[m] / n)]);
        below[m] += s.occupancy_patients[m * 6 + st];
        top.push([f.x(m), f.y(below[m] / n)]);
      }
      el(svg, 'path', {d: path(top.concat(bottom.reverse())) + 'Z', fill: COLOURS[st]});
    }
    legend(svg, LABELS.concat(['dead']), COLOURS);
  }

  function drawRates(s) {
    const svg = document.querySelector('#fig-rates svg');
    const at = (a, g, t) => a[g * 4 + t];
    let ymax = 0;
    for (let g = 0; g < 5; g++) for (let t = 0; t < 3; t++) ymax = Math.max(ymax, at(s.rate_per_100py_high, g, t) || 0);
    ymax = Math.ceil(ymax / 10) * 10 || 10;
    const f = frame(svg, 5, ymax, 'grade at onset', 'episodes per 100 patient-years', false);
    const bw = (f.x(1) - f.x(0)) / 4;
    for (let g = 0; g < 5; g++) {
      el(svg, 'text', {x: f.x(g + 0.5), y: H - PAD.b + 14, 'text-anchor': 'middle'}, LABELS[g]);
      for (let t = 0; t < 3; t++) {
        const v = at(s.rate_per_100py, g, t);
        if (v === null) continue;
        const x0 = f.x(g) + bw * (t + 0.5);
        el(svg, 'rect', {x: x0, y: f.y(v), width: bw * 0.9, height: f.y(0) - f.y(v), fill: TYPE_COLOURS[t]});
        const lo = at(s.rate_per_100py_low, g, t), hi = at(s.rate_per_100py_high, g, t);
        el(svg, 'line', {x1: x0 + bw * 0.45, x2: x0 + bw * 0.45, y1: f.y(lo), y2: f.y(hi), stroke: '#222'});
      }
    }
    legend(svg, s.infection_types, TYPE_COLOURS);
  }

  function drawIvig(s) {
    const svg = document.querySelector('#fig-ivig svg');
    const M = s.months - 2; // on_ivig's last row is the horizon: no cycle starts there
    const share = s.on_ivig.slice(0, M + 1).map((k) => k / s.patients);
    const ymax = Math.max(0.1, Math.ceil(Math.max(...share) * 10) / 10);
    const f = frame(svg, M + 1, ymax, 'months since diagnosis', 'share of cohort on IVIG', true);
    monthTicks(svg, f, M + 1);
    el(svg, 'path', {d: path(share.map((v, m) => [f.x(m), f.y(v)])), fill: 'none', stroke: COLOURS[3], 'stroke-width': 2});
    const grams = s.ivig_milligrams / 1e6;
    $('ivig-note').textContent = s.ivig_patients
      ? `${s.ivig_patients.toLocaleString('en')} of ${s.patients.toLocaleString('en')} patients ever given IVIG; ` +
        `${s.ivig_patient_months.toLocaleString('en')} patient-months, ${grams.toFixed(1)} kg in all.`
      : 'No patient was given IVIG under this policy.';
  }

  // Mean discounted cost and QALYs per patient from the fixed-point sums.
  function means(s) {
    const k = (name) => s.economic_outcomes.indexOf(name);
    const mean = (name) => (s.sum_fixed_point[k(name)] * s.economic_unit[k(name)]) / s.patients;
    return {cost: mean('cost_discounted'), qalys: mean('qalys_discounted')};
  }

  function drawCe(policy, comparator) {
    const a = means(comparator), b = means(policy);
    const dc = b.cost - a.cost, dq = b.qalys - a.qalys;
    const money = (v) => Math.round(v).toLocaleString('en');
    $('ce-table').innerHTML =
      '<tr><th></th><th>cost</th><th>QALYs</th></tr>' +
      `<tr><td>comparator</td><td>${money(a.cost)}</td><td>${a.qalys.toFixed(4)}</td></tr>` +
      `<tr><td>your policy</td><td>${money(b.cost)}</td><td>${b.qalys.toFixed(4)}</td></tr>` +
      `<tr><td>difference</td><td>${money(dc)}</td><td>${dq.toFixed(4)}</td></tr>`;
    let verdict;
    if (Math.abs(dc) < 0.5 && Math.abs(dq) < 5e-5) verdict = 'The two policies are the same here.';
    else if (dq <= 0 && dc >= 0) verdict = 'Your policy is dominated: it costs more and gains no QALYs.';
    else if (dq >= 0 && dc <= 0) verdict = 'Your policy dominates: it costs less and gains QALYs.';
    else {
      const icer = dc / dq;
      const word = dq > 0 ? 'per QALY gained' : 'saved per QALY lost';
      verdict = `ICER ${money(Math.abs(icer))} ${word}; ` +
        (dq > 0 ? (icer <= 20000 ? 'cost-effective at 20,000 per QALY.'
                   : icer <= 30000 ? 'cost-effective at 30,000 but not 20,000 per QALY.'
                   : 'not cost-effective at 30,000 per QALY.')
                : 'a saving that costs health.');
    }
    $('ce-note').textContent = verdict;
  }

  function draw(results) {
    const [policy, comparator] = results.map((r) => r.summary);
    drawInfection(policy);
    drawOccupancy(policy);
    drawRates(policy);
    drawIvig(policy);
    drawCe(policy, comparator);
  }

  // ---- wiring ----
  function showValues() {
    const shares = mixShares();
    GRADES.forEach((g, i) => { $(`mix-${g}-out`).textContent = `${(shares[i] / 10).toFixed(1)}%`; });
    $('igg-out').textContent = $('igg').value;
    $('dose-out').textContent = $('dose').value;
  }
  let timer = null;
  document.querySelectorAll('#controls input, #controls select').forEach((c) => {
    c.addEventListener('input', () => {
      showValues();
      clearTimeout(timer);
      timer = setTimeout(() => run().catch(() => {}), 250);
    });
  });
  $('cancel').addEventListener('click', cancel);

  window.ipsimExplorerPage = {run, settings, runsFor, last: () => last};
  showValues();
  startWorker();
  run().catch(() => {});
})();
