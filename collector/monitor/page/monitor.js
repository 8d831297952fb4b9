// @ts-check
// The collector's live page. Plain browser JavaScript, no build step: it receives
// `MonitorMessage`s (collector/monitor/status.ts) over /ws and writes them into the DOM.
// Every number is shown as JSON gave it (String(n) is the shortest round-trip form), but the
// per-second rates (see showRate); values from the feed go in through textContent only, never as HTML.
(() => {
  const CHANNELS = ['L1', 'L2', 'ADMIN'];
  /** @type {Record<string, string>} */
  const CHANNEL_COLORS = { L1: '#2f6fdf', L2: '#d9730d', ADMIN: '#7a7f87' };
  /** The chart's window; the collector keeps the same 10 minutes of history. */
  const HISTORY_MS = 10 * 60 * 1000;
  /** The collector pushes every second; three missed pushes turn the badge red. */
  const STALE_AFTER_MS = 3000;
  const RECONNECT_MIN_MS = 500;
  const RECONNECT_MAX_MS = 5000;
  const LADDER_ROWS = 5;

  const token = new URLSearchParams(location.search).get('token');

  // ---------------------------------------------------------------- formatting

  /** @param {unknown} v */
  const show = (v) => (v === null || v === undefined ? '—' : String(v));

  /** Lines per second: whole from 10 up, where the fraction of a ~1 s quotient is noise; one
   * decimal below, where rounding would show a quiet but live channel (0.4/s) as "0", silent. A
   * rate under 0.05 keeps one significant digit for the same reason. ops/status.ts `rateText`
   * follows the same rule; the chart keeps the exact values.
   * @param {unknown} v */
  function showRate(v) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v === 0) return show(v);
    const tenths = v.toFixed(1);
    if (Math.abs(Number(tenths)) >= 10) return String(Math.round(v));
    return Number(tenths) !== 0 ? tenths : String(Number(v.toPrecision(1)));
  }

  /** @param {number} bytes */
  function humanBytes(bytes) {
    const units = ['KiB', 'MiB', 'GiB', 'TiB'];
    let v = bytes;
    let unit = '';
    for (const u of units) {
      if (v < 1024) break;
      v /= 1024;
      unit = u;
    }
    return unit === '' ? '' : `(${v.toFixed(1)} ${unit})`;
  }

  /** @param {number} s */
  function humanDuration(s) {
    const d = Math.floor(s / 86400);
    const h = Math.floor((s % 86400) / 3600);
    const m = Math.floor((s % 3600) / 60);
    const sec = Math.floor(s % 60);
    const parts =
      d > 0 ? [`${d}d`, `${h}h`, `${m}m`] : h > 0 ? [`${h}h`, `${m}m`, `${sec}s`] : [`${m}m`, `${sec}s`];
    return `(${parts.join(' ')})`;
  }

  /** @param {number} ms */
  const utcClock = (ms) => new Date(ms).toISOString().slice(11, 19);

  // ---------------------------------------------------------------- DOM helpers

  /**
   * @param {string} tag
   * @param {Record<string, string>} [attrs]
   * @param {(Node | string)[]} [children]
   */
  function el(tag, attrs = {}, children = []) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === 'class') node.className = v;
      else node.setAttribute(k, v);
    }
    for (const c of children) node.append(c);
    return node;
  }

  /** Writes only on change, so an idle page does not re-layout every second. @param {Element | null} node @param {string} text */
  function setText(node, text) {
    if (node && node.textContent !== text) node.textContent = text;
  }

  /** @param {Element | null} node @param {string} name @param {string} value */
  function setAttr(node, name, value) {
    if (node && node.getAttribute(name) !== value) node.setAttribute(name, value);
  }

  /** @param {ParentNode} root @param {string} field @param {unknown} value */
  function field(root, field, value) {
    setText(root.querySelector(`[data-field="${field}"]`), show(value));
  }

  /**
   * Keeps one child per item, keyed by `attr`, in the items' order; creates and removes as needed.
   * @template T
   * @param {Element} parent
   * @param {readonly T[]} items
   * @param {string} attr
   * @param {(item: T) => string} key
   * @param {(item: T) => Element} create
   * @param {(node: Element, item: T) => void} update
   */
  function keyed(parent, items, attr, key, create, update) {
    /** @type {Map<string, Element>} */
    const existing = new Map();
    for (const child of Array.from(parent.children)) {
      const k = child.getAttribute(attr) ?? '';
      // A second child with a key already seen could never be matched again: drop it.
      if (existing.has(k)) child.remove();
      else existing.set(k, child);
    }
    let cursor = parent.firstElementChild;
    for (const item of items) {
      const k = key(item);
      let node = existing.get(k);
      existing.delete(k);
      if (!node) {
        node = create(item);
        node.setAttribute(attr, k);
      }
      if (node !== cursor) parent.insertBefore(node, cursor);
      else cursor = cursor.nextElementSibling;
      update(node, item);
    }
    for (const stale of existing.values()) stale.remove();
  }

  /** @param {string[]} fields @param {string[]} [numeric] */
  function rowOf(fields, numeric = []) {
    return el(
      'tr',
      {},
      fields.map((f) => el('td', { 'data-field': f, class: numeric.includes(f) ? 'n' : '' })),
    );
  }

  // ---------------------------------------------------------------- rate chart

  /** @type {Array<{t: number, rates: Record<string, number>}>} */
  let samples = [];
  /** @type {any} */
  let chart = null;

  function createChart() {
    const canvas = /** @type {HTMLCanvasElement} */ (document.getElementById('chart-rates'));
    // The global from chart.umd.js, which the loader runs before this file.
    const ChartJs = /** @type {any} */ (globalThis).Chart;
    if (!ChartJs) return null;
    const style = getComputedStyle(document.body);
    const grid = style.getPropertyValue('--rule').trim() || '#ddd';
    const ink = style.getPropertyValue('--muted').trim() || '#666';
    return new ChartJs(canvas, {
      type: 'line',
      data: {
        datasets: CHANNELS.map((ch) => ({
          label: ch === 'ADMIN' ? 'admin' : ch,
          data: [],
          borderColor: CHANNEL_COLORS[ch],
          backgroundColor: CHANNEL_COLORS[ch],
          borderWidth: 1.5,
          pointRadius: 0,
          tension: 0,
        })),
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        normalized: true,
        interaction: { mode: 'index', intersect: false },
        scales: {
          x: {
            type: 'linear',
            ticks: { color: ink, maxTicksLimit: 11, callback: (/** @type {number} */ v) => utcClock(v) },
            grid: { color: grid },
            title: { display: true, text: 'UTC', color: ink },
          },
          y: {
            beginAtZero: true,
            ticks: { color: ink, precision: 0 },
            grid: { color: grid },
            title: { display: true, text: 'lines/s', color: ink },
          },
        },
        plugins: {
          legend: { position: 'top', align: 'end', labels: { color: ink, boxWidth: 12 } },
          tooltip: {
            callbacks: {
              title: (/** @type {any[]} */ items) =>
                items.length ? new Date(items[0].parsed.x).toISOString() : '',
            },
          },
        },
      },
    });
  }

  /** @param {Array<{t: number, rates: Record<string, number>}>} history */
  function resetSamples(history) {
    samples = history.slice();
    redrawChart();
  }

  /** @param {{t: number, rates: Record<string, number>}} sample */
  function addSample(sample) {
    const last = samples[samples.length - 1];
    if (last && sample.t <= last.t) return; // the history already holds this second
    samples.push(sample);
    redrawChart();
  }

  function redrawChart() {
    const end = samples.length ? samples[samples.length - 1].t : Date.now();
    const start = end - HISTORY_MS;
    while (samples.length && samples[0].t < start) samples.shift();
    if (!chart) chart = createChart();
    if (!chart) return;
    CHANNELS.forEach((ch, i) => {
      chart.data.datasets[i].data = samples.map((s) => ({ x: s.t, y: s.rates[ch] ?? 0 }));
    });
    chart.options.scales.x.min = start;
    chart.options.scales.x.max = end;
    chart.update('none');
  }

  // ---------------------------------------------------------------- sections

  /** @param {any} s */
  function renderHeader(s) {
    const top = /** @type {Element} */ (document.querySelector('header.top'));
    field(top, 'session', s.session);
    field(top, 'pid', s.pid);
    field(top, 'started-at', s.startedAt);
    field(top, 'uptime-s', s.uptimeS);
    setText(top.querySelector('[data-field="uptime-human"]'), humanDuration(s.uptimeS));
    field(top, 'now', s.now);
  }

  /** @param {any[]} ports */
  function renderPorts(ports) {
    keyed(
      /** @type {Element} */ (document.getElementById('ports-body')),
      ports,
      'data-port',
      (p) => p.channel,
      () =>
        rowOf(
          ['channel', 'endpoint', 'connected', 'server-connected', 'ms-since-last-line', 'reconnects'],
          ['ms-since-last-line', 'reconnects'],
        ),
      (row, p) => {
        setAttr(row, 'data-connected', String(p.connected));
        setAttr(row, 'data-server-connected', String(p.serverConnected));
        field(row, 'channel', p.channel === 'ADMIN' ? 'admin' : p.channel);
        field(row, 'endpoint', `${p.host}:${p.port}`);
        field(row, 'connected', p.connected ? 'connected' : 'disconnected');
        field(
          row,
          'server-connected',
          p.serverConnected === null ? 'not reported' : p.serverConnected ? 'connected' : 'disconnected',
        );
        field(row, 'ms-since-last-line', p.msSinceLastLine === null ? 'no line yet' : p.msSinceLastLine);
        field(row, 'reconnects', p.reconnects);
      },
    );
  }

  /** @param {any} s */
  function renderRates(s) {
    for (const ch of CHANNELS) setText(document.querySelector(`[data-rate="${ch}"]`), showRate(s.rates[ch]));
    // The sample's own time, so a live point lands where /api/history has it, not at the push.
    if (typeof s.ratesAt === 'number') addSample({ t: s.ratesAt, rates: s.rates });
  }

  /** @param {any[]} sinks */
  function renderSinks(sinks) {
    const fields = [
      'name',
      'mode',
      'checkpoint-seq',
      'lag',
      'queue-depth',
      'written',
      'retries',
      'stuck',
      'last-error',
    ];
    keyed(
      /** @type {Element} */ (document.getElementById('sinks-body')),
      sinks,
      'data-sink',
      (k) => k.name,
      () => rowOf(fields, ['checkpoint-seq', 'lag', 'queue-depth', 'written', 'retries']),
      (row, k) => {
        setAttr(row, 'data-mode', k.mode);
        setAttr(row, 'data-stuck', String(k.stuck));
        field(row, 'name', k.name);
        field(row, 'mode', k.mode);
        field(row, 'checkpoint-seq', k.checkpointSeq);
        field(row, 'lag', k.lag);
        field(row, 'queue-depth', k.queueDepth);
        field(row, 'written', k.written);
        field(row, 'retries', k.retries);
        field(row, 'stuck', k.stuck ? 'stuck' : 'no');
        field(row, 'last-error', k.lastError ?? '');
      },
    );
  }

  /** @param {any} j */
  function renderJournal(j) {
    const root = /** @type {Element} */ (document.getElementById('journal'));
    field(root, 'bytes', j.bytes);
    setText(root.querySelector('[data-field="bytes-human"]'), humanBytes(j.bytes));
    field(root, 'segments', j.segments);
    field(root, 'head-seq', j.headSeq);
    field(root, 'durable-seq', j.durableSeq);
    field(root, 'dir', j.dir);
  }

  /** @param {any} t */
  function renderTotals(t) {
    /** @param {string} name @param {unknown} v */
    const counter = (name, v) => setText(document.querySelector(`[data-counter="${name}"]`), show(v));
    for (const ch of CHANNELS) counter(`lines-${ch}`, t.lines[ch]);
    for (const kind of ['l2', 'l1', 'ticks', 'gaps']) counter(`records-${kind}`, t.records[kind]);
    counter('malformed', t.malformed);
    counter('not-found', t.notFound);
    counter('no-depth', t.noDepth);
    counter('errors', t.errors);
    counter('integrity', t.integrity);
  }

  function createSymbolCard() {
    const ladderRows = [];
    for (let i = 0; i < LADDER_ROWS; i++) ladderRows.push(ladderRow(i));
    return el('article', { class: 'symbol' }, [
      el('header', {}, [
        el('h3', { 'data-field': 'symbol' }),
        el('span', { class: 'family', 'data-field': 'family' }),
      ]),
      el('table', { class: 'ladder' }, [
        el('thead', {}, [
          el('tr', {}, [
            el('th', { class: 'n' }, ['bid size']),
            el('th', { class: 'n' }, ['bid']),
            el('th', { class: 'n' }, ['ask']),
            el('th', { class: 'n' }, ['ask size']),
          ]),
        ]),
        el('tbody', {}, ladderRows),
      ]),
      el('dl', { class: 'facts compact' }, [
        fact(
          'last trade',
          [
            el('span', { 'data-field': 'last-trade-price' }),
            el('span', { class: 'times' }, [' × ']),
            el('span', { 'data-field': 'last-trade-size' }),
            ' ',
            el('span', { class: 'mono aside trade-time', 'data-field': 'last-trade-time' }),
          ],
          'span-all trade',
        ),
        fact('messages', [el('span', { 'data-field': 'messages' })]),
        fact('gaps', [el('span', { 'data-field': 'gaps' })]),
        fact('resyncs', [el('span', { 'data-field': 'resyncs' })]),
        fact('integrity', [el('span', { 'data-field': 'integrity-issues' })]),
      ]),
    ]);
  }

  /** Level 0 cells also answer to `best-bid` etc., for readers that want the top of book. @param {number} level */
  function ladderRow(level) {
    /** @param {string} cell @param {string} best @param {string} cls */
    const td = (cell, best, cls) => {
      /** @type {Record<string, string>} */
      const attrs = { class: `n ${cls}`, 'data-cell': cell };
      if (level === 0) attrs['data-field'] = best;
      return el('td', attrs);
    };
    return el('tr', { 'data-level': String(level) }, [
      td('bid-size', 'best-bid-size', 'bid'),
      td('bid-price', 'best-bid', 'bid'),
      td('ask-price', 'best-ask', 'ask'),
      td('ask-size', 'best-ask-size', 'ask'),
    ]);
  }

  /** @param {string} label @param {(Node | string)[]} value @param {string} [cls] */
  function fact(label, value, cls = '') {
    return el('div', { class: cls }, [el('dt', {}, [label]), el('dd', {}, value)]);
  }

  /** @param {any[]} symbols */
  function renderSymbols(symbols) {
    setText(document.querySelector('#symbols [data-field="symbol-count"]'), `(${symbols.length})`);
    keyed(
      /** @type {Element} */ (document.getElementById('symbols-grid')),
      symbols,
      'data-symbol',
      (y) => y.symbol,
      createSymbolCard,
      (card, y) => {
        setAttr(card, 'data-family', y.family);
        setAttr(card, 'data-integrity', String(y.integrityIssues > 0));
        field(card, 'symbol', y.symbol);
        field(card, 'family', y.family);
        const rows = Math.max(LADDER_ROWS, y.bids.length, y.asks.length);
        const body = /** @type {Element} */ (card.querySelector('tbody'));
        while (body.children.length < rows) body.append(ladderRow(body.children.length));
        while (body.children.length > rows) body.lastElementChild?.remove();
        Array.from(body.children).forEach((tr, i) => {
          const bid = y.bids[i];
          const ask = y.asks[i];
          const cell = (/** @type {string} */ name) => tr.querySelector(`[data-cell="${name}"]`);
          setText(cell('bid-size'), bid ? show(bid.size) : '');
          setText(cell('bid-price'), bid ? show(bid.price) : '');
          setText(cell('ask-price'), ask ? show(ask.price) : '');
          setText(cell('ask-size'), ask ? show(ask.size) : '');
        });
        const t = y.lastTrade;
        setAttr(card, 'data-traded', String(t !== null));
        field(card, 'last-trade-price', t ? t.price : 'none yet');
        field(card, 'last-trade-size', t ? t.size : null);
        field(card, 'last-trade-time', t ? t.timestamp : '');
        field(card, 'messages', y.messages);
        field(card, 'gaps', y.gaps);
        field(card, 'resyncs', y.resyncs);
        field(card, 'integrity-issues', y.integrityIssues);
      },
    );
  }

  /** @param {any} problems */
  function renderProblems(problems) {
    keyed(
      /** @type {Element} */ (document.getElementById('not-found-list')),
      problems.notFound,
      'data-symbol',
      (sym) => sym,
      (sym) => el('li', {}, [sym]),
      () => {},
    );
    keyed(
      /** @type {Element} */ (document.getElementById('no-depth-list')),
      problems.noDepth,
      'data-symbol',
      (sym) => sym,
      (sym) => el('li', {}, [sym]),
      () => {},
    );
    renderExamples('errors-table', problems.errors);
    renderExamples('malformed-table', problems.malformed);
  }

  /** @param {string} tableId @param {any[]} examples */
  function renderExamples(tableId, examples) {
    keyed(
      /** @type {Element} */ (document.querySelector(`#${tableId} tbody`)),
      examples,
      'data-seq',
      (x) => `${x.seq}`,
      () => rowOf(['seq', 'channel', 'message', 'line'], ['seq']),
      (row, x) => {
        field(row, 'seq', x.seq);
        field(row, 'channel', x.channel);
        field(row, 'message', x.message);
        field(row, 'line', x.line);
      },
    );
  }

  // ---------------------------------------------------------------- badge and link

  /** @type {{state: string, reasons: string[]} | null} */
  let assessment = null;
  let lastStatusAt = 0;
  /** @type {'connecting' | 'open' | 'closed'} */
  let link = 'connecting';
  let attempts = 0;
  let lostAt = 0;

  /** The collector's verdict, overruled to `down` when the page itself hears nothing. */
  function renderBadge() {
    const now = Date.now();
    const age = lastStatusAt ? now - lastStatusAt : null;
    /** @type {string[]} */
    const pageReasons = [];
    if (link !== 'open') {
      const since = lostAt ? ` for ${Math.round((now - lostAt) / 1000)} s` : '';
      pageReasons.push(`no connection to the collector${since}; reconnect attempt ${attempts}`);
    } else if (age !== null && age > STALE_AFTER_MS) {
      pageReasons.push(`no status from the collector for ${Math.round(age / 1000)} s`);
    }
    const state = pageReasons.length || !assessment ? 'down' : assessment.state;
    const reasons = pageReasons.length
      ? pageReasons
      : assessment
        ? assessment.reasons
        : ['no status received yet'];
    // What is on screen is then the last status heard, not the present: dim it.
    setAttr(document.body, 'data-stale', String(pageReasons.length > 0));
    const badge = document.getElementById('status-badge');
    setAttr(badge, 'data-state', state);
    setText(badge, state.toUpperCase());
    document.title = `${state.toUpperCase()} · l2h collector monitor`;
    keyed(
      /** @type {Element} */ (document.getElementById('state-reasons')),
      reasons,
      'data-reason',
      (r) => r,
      (r) => el('li', {}, [r]),
      () => {},
    );
    const linkNode = document.getElementById('link-state');
    setAttr(linkNode, 'data-link', link);
    const ageText = age === null ? 'no status yet' : `last status ${(age / 1000).toFixed(1)} s ago`;
    setText(linkNode, `link ${link} · ${ageText}`);
  }

  /** @param {any} message */
  function onMessage(message) {
    if (message.type === 'history') {
      resetSamples(message.samples);
    } else if (message.type === 'status') {
      const s = message.status;
      lastStatusAt = Date.now();
      assessment = message.assessment;
      renderHeader(s);
      renderPorts(s.ports);
      renderRates(s);
      renderSinks(s.sinks);
      renderJournal(s.journal);
      renderTotals(s.totals);
      renderSymbols(s.symbols);
      renderProblems(s.problems);
      renderBadge();
    }
  }

  function connect() {
    const url = new URL('ws', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    url.search = token ? `?token=${encodeURIComponent(token)}` : '';
    url.hash = '';
    link = 'connecting';
    const ws = new WebSocket(url);
    ws.onopen = () => {
      link = 'open';
      attempts = 0;
      lostAt = 0;
      renderBadge();
    };
    ws.onmessage = (event) => {
      try {
        onMessage(JSON.parse(String(event.data)));
      } catch (err) {
        console.error('l2h monitor: cannot show a message', err);
      }
    };
    ws.onclose = () => {
      if (link === 'open' || !lostAt) lostAt = Date.now();
      link = 'closed';
      attempts += 1;
      renderBadge();
      // Backs off to 5 s so a restarted collector is found again within seconds.
      const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** Math.min(attempts - 1, 4));
      setTimeout(connect, delay);
    };
  }

  setInterval(renderBadge, 1000);
  renderBadge();
  connect();
})();
