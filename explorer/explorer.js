// explorer/explorer.js: the explorer page (explorer/index.html): reads the
// controls, writes the two parameter files (policy A and policy B, its
// comparator: two prevention policies for the same patients), runs them in
// the worker (explorer/worker.js) and draws the summaries as SVG. engine.js
// (made by scripts/build-explorer) defines IPSIM_WORKER_SOURCE: the engine
// and the worker as one script.
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

  // Both policies' controls from one template, so that A and B offer the
  // same choices; B's ids end in "-b" (A keeps the plain ids).
  function policyControls(fieldset, suffix, trigger) {
    const option = (value, text) =>
      `<option value="${value}"${value === trigger ? ' selected' : ''}>${text}</option>`;
    fieldset.insertAdjacentHTML('beforeend', `
      <label>IVIG given when
        <select id="trigger${suffix}">
          ${option('none', 'never (no IVIG)')}
          ${option('grade:moderate', 'grade is moderate or worse')}
          ${option('grade:severe', 'grade is severe or worse')}
          ${option('grade:very_severe', 'grade is very severe')}
          ${option('igg', 'own IgG is below the threshold')}
        </select></label>
      <label>IgG threshold <output id="igg${suffix}-out"></output> g/L
        <input id="igg${suffix}" type="range" min="2" max="8" step="0.5" value="4"></label>
      <label>IVIG dose <output id="dose${suffix}-out"></output> mg/kg every 4 weeks
        <input id="dose${suffix}" type="range" min="200" max="800" step="100" value="400"></label>
      <label>Antibiotic prophylaxis
        <select id="antibiotics${suffix}">
          <option value="0" selected>none</option>
          <option value="1">levofloxacin, first 3 months (TEAMM)</option>
          <option value="2">co-trimoxazole, first 3 months</option>
        </select></label>
      <label><input id="vaccination${suffix}" type="checkbox"> Vaccination (influenza and
        pneumococcal, 80% coverage)</label>`);
  }
  // The defaults: IVIG for severe or worse against no prevention.
  policyControls($('policy-a'), '', 'grade:severe');
  policyControls($('policy-b'), '-b', 'none');

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

  // One policy's prevention, as its controls (suffix '' for A, '-b' for B) say.
  function policySettings(suffix) {
    return {
      trigger: $('trigger' + suffix).value,
      igg: Number($('igg' + suffix).value),
      dose: Number($('dose' + suffix).value),
      antibiotics: Number($('antibiotics' + suffix).value),
      vaccination: $('vaccination' + suffix).checked,
    };
  }

  // The patients are shared: both policies run on the same cohort and seed
  // (common random numbers), so only a and b differ.
  function settings() {
    return {
      mix: mixShares(),
      patients: Number($('patients').value),
      horizon: Number($('horizon').value),
      seed: Math.max(0, Math.floor(Number($('seed').value) || 0)),
      a: policySettings(''),
      b: policySettings('-b'),
    };
  }

  // The quick fills for policy B: each sets B's controls once; B then keeps
  // them while A changes, until the student changes B.
  const PRESETS = {
    nothing: () => ({...policySettings('-b'), trigger: 'none', antibiotics: 0, vaccination: false}),
    'no-ivig': () => ({...policySettings(''), trigger: 'none'}),
  };
  function fill(preset) {
    const p = PRESETS[preset]();
    $('trigger-b').value = p.trigger;
    $('igg-b').value = p.igg;
    $('dose-b').value = p.dose;
    $('antibiotics-b').value = p.antibiotics;
    $('vaccination-b').checked = p.vaccination;
    showValues();
  }

  // A complete parameter file for `ipsim run`: the defaults (params/baseline.yaml's
  // values) with the page's choices: the shared cohort s and one policy p.
  function yamlFor(s, p, name) {
    const mix = GRADES.map((g, i) => `${g}: ${(s.mix[i] / 1000).toFixed(3)}`).join(', ');
    const lines = [
      `# Written by the ipsim explorer; reproduce with: ipsim run ${name}.yaml`,
      `name: ${name}`, `seed: ${s.seed}`, 'cohort:', `  patients: ${s.patients}`,
      `  horizon_months: ${s.horizon}`, `  baseline_mix: {${mix}}`];
    if (p.trigger !== 'none') {
      lines.push('ivig:');
      if (p.trigger === 'igg') {
        lines.push('  policy: igg', `  igg_threshold_g_per_l: ${p.igg}`);
      } else {
        lines.push('  policy: grade', `  grade_threshold: ${p.trigger.split(':')[1]}`);
      }
      lines.push(`  dose_mg_per_kg: ${p.dose}`);
    }
    if (p.vaccination) {
      lines.push('vaccination:', '  influenza_coverage: 0.8', '  pneumococcal_coverage: 0.8');
    }
    if (p.antibiotics) {
      lines.push('modules:', '  antibiotics:', `    agent: ${p.antibiotics}`, '    schedule: 0',
                 '    start_month: 0', '    duration_months: 3');
    }
    return lines.join('\n') + '\n';
  }

  function runsFor(s) {
    return [{label: 'policy_a', yaml: yamlFor(s, s.a, 'policy_a')},
            {label: 'policy_b', yaml: yamlFor(s, s.b, 'policy_b')}];
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

  let timer = null; // a run waiting for the controls to settle (schedule)
  function run() {
    clearTimeout(timer); // this run supersedes one scheduled before it
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
      $('timing').textContent = `Simulated in ${ms} (policy A and policy B).`;
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

  // Policy A against policy B: the differences are A minus B.
  function drawCe(policyA, policyB) {
    const a = means(policyA), b = means(policyB);
    const dc = a.cost - b.cost, dq = a.qalys - b.qalys;
    const money = (v) => Math.round(v).toLocaleString('en');
    $('ce-table').innerHTML =
      '<tr><th></th><th>cost</th><th>QALYs</th></tr>' +
      `<tr><td>policy A</td><td>${money(a.cost)}</td><td>${a.qalys.toFixed(4)}</td></tr>` +
      `<tr><td>policy B</td><td>${money(b.cost)}</td><td>${b.qalys.toFixed(4)}</td></tr>` +
      `<tr><td>difference (A − B)</td><td>${money(dc)}</td><td>${dq.toFixed(4)}</td></tr>`;
    let verdict;
    if (Math.abs(dc) < 0.5 && Math.abs(dq) < 5e-5) verdict = 'The two policies are the same here.';
    else if (dq <= 0 && dc >= 0) verdict = 'Policy A is dominated by B: it costs more and gains no QALYs.';
    else if (dq >= 0 && dc <= 0) verdict = 'Policy A dominates B: it costs less and gains QALYs.';
    else {
      const icer = dc / dq;
      const word = dq > 0 ? 'per QALY gained' : 'saved per QALY lost';
      verdict = `ICER of A against B: ${money(Math.abs(icer))} ${word}; ` +
        (dq > 0 ? (icer <= 20000 ? 'cost-effective at 20,000 per QALY.'
                   : icer <= 30000 ? 'cost-effective at 30,000 but not 20,000 per QALY.'
                   : 'not cost-effective at 30,000 per QALY.')
                : 'a saving that costs health.');
    }
    $('ce-note').textContent = verdict;
  }

  function draw(results) {
    const [policyA, policyB] = results.map((r) => r.summary);
    drawInfection(policyA);
    drawOccupancy(policyA);
    drawRates(policyA);
    drawIvig(policyA);
    drawCe(policyA, policyB);
  }

  // ---- wiring ----
  function showValues() {
    const shares = mixShares();
    GRADES.forEach((g, i) => { $(`mix-${g}-out`).textContent = `${(shares[i] / 10).toFixed(1)}%`; });
    for (const id of ['igg', 'dose', 'igg-b', 'dose-b']) $(id + '-out').textContent = $(id).value;
  }
  // A run once the controls have been still for a moment (a slider sends
  // many input events while dragged).
  function schedule() {
    showValues();
    clearTimeout(timer);
    timer = setTimeout(() => run().catch(() => {}), 250);
  }
  document.querySelectorAll('#controls input, #controls select').forEach((c) => {
    c.addEventListener('input', schedule);
  });
  $('fill-nothing').addEventListener('click', () => { fill('nothing'); schedule(); });
  $('fill-no-ivig').addEventListener('click', () => { fill('no-ivig'); schedule(); });
  $('cancel').addEventListener('click', cancel);

  window.ipsimExplorerPage = {run, settings, runsFor, last: () => last};
  showValues();
  startWorker();
  run().catch(() => {});
})();
