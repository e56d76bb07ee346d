// labelgraph report.html: sortable tables and the interactive label graphs.
// Compiled into the binary (src/report/npm/npm_assets.cmake) and inlined after graphology and sigma;
// the data are the JSON of the element #lg-data. The page fetches nothing.
// #lg-status receives, for tests, what was drawn where and any error (JSON).
(function () {
  'use strict';
  var PALETTE = ['#77AADD', '#EE8866', '#EEDD88', '#FFAABB', '#99DDFF', '#44BB99', '#BBCC33', '#AAAA00'];
  var GREY = '#BBBBBB';
  var started = performance.now();
  var status = { errors: window.lgErrors || [], graphs: [], tables: [], resources: [], ms: 0 };

  function rect(el) {
    var r = el.getBoundingClientRect();
    return { x: Math.round(r.left + window.scrollX), y: Math.round(r.top + window.scrollY),
             w: Math.round(r.width), h: Math.round(r.height) };
  }
  function writeStatus() {
    status.resources = performance.getEntriesByType('resource').map(function (e) { return e.name; });
    var out = document.getElementById('lg-status');
    if (out) out.textContent = JSON.stringify(status);
  }
  window.lgWriteStatus = writeStatus;
  window.lgStatus = status;  // tests add what they observe, then call lgWriteStatus()
  window.lgViews = [];       // the sigma renderers, in page order

  // ---- tables: click a header to sort (numbers by value, text alphabetically) ----
  function makeSortable(table) {
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, col) {
      th.addEventListener('click', function () {
        var ascending = th.getAttribute('aria-sort') !== 'ascending';
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
        var body = table.tBodies[0];
        var rows = Array.prototype.map.call(body.rows, function (r, i) {
          var cell = r.cells[col];
          var v = cell ? cell.getAttribute('data-v') : null;
          return { row: r, i: i, n: v === null || v === '' ? NaN : parseFloat(v),
                   t: cell ? cell.textContent : '' };
        });
        rows.sort(function (a, b) {
          var an = !isNaN(a.n), bn = !isNaN(b.n), d;
          if (an && bn) d = a.n - b.n;
          else if (an !== bn) return an ? -1 : 1;  // numbers first, empty cells last
          else d = a.t.localeCompare(b.t);
          if (d === 0) return a.i - b.i;
          return ascending ? d : -d;
        });
        var frag = document.createDocumentFragment();
        rows.forEach(function (k) { frag.appendChild(k.row); });
        body.appendChild(frag);
      });
    });
  }

  // ---- label graphs: sigma (WebGL) over a graphology graph, positions from labelgraph ----
  function fmt(v, digits) {
    if (v === null || v === undefined) return 'n/a';
    return Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : v.toFixed(digits);
  }
  function communityColor(c) {
    return c === null || c === undefined || c >= PALETTE.length ? GREY : PALETTE[c];
  }

  function initGraph(g, index) {
    var box = document.getElementById('lg-graph-' + index);
    var info = document.getElementById('lg-info-' + index);
    var slider = document.getElementById('lg-weight-' + index);
    var sliderText = document.getElementById('lg-weight-text-' + index);
    var select = document.getElementById('lg-community-' + index);
    var G = new graphology.Graph({ type: g.directed ? 'directed' : 'undirected', multi: false,
                                   allowSelfLoops: false });
    var maxCount = 0;
    g.nodes.forEach(function (n) { maxCount = Math.max(maxCount, n.count); });
    var communities = {};
    g.nodes.forEach(function (n, i) {
      G.addNode(String(i), {
        x: n.x, y: -n.y, label: n.name, color: communityColor(n.community),
        size: 2 + 8 * Math.sqrt(maxCount > 0 ? n.count / maxCount : 0),
        community: n.community
      });
      var c = n.community === null ? -1 : n.community;
      communities[c] = (communities[c] || 0) + 1;
    });
    var maxAbs = 0, minW = Infinity, maxW = -Infinity;
    g.edges.forEach(function (e) {
      maxAbs = Math.max(maxAbs, Math.abs(e[2]));
      minW = Math.min(minW, e[2]);
      maxW = Math.max(maxW, e[2]);
    });
    var weights = [];  // strongest first, as in the data
    g.edges.forEach(function (e, k) {
      var s = String(e[0]), t = String(e[1]);
      if (s === t || G.hasEdge(s, t)) return;
      var strength = maxAbs > 0 ? Math.abs(e[2]) / maxAbs : 0;
      G.addEdgeWithKey('e' + k, s, t, {
        weight: e[2], size: 0.5 + 2.5 * strength,
        color: e[2] < 0 ? 'rgba(200,60,60,' + (0.3 + 0.6 * strength).toFixed(2) + ')'
                        : 'rgba(70,70,70,' + (0.3 + 0.6 * strength).toFixed(2) + ')'
      });
      weights.push(e[2]);
    });
    weights.sort(function (a, b) { return b - a; });

    // Threshold: edges below it are hidden; at first about the 3,000 strongest show. The
    // slider runs over 0..1000 in whole steps (a range input rounds decimal values, which
    // would hide the weakest edges at its left end), mapped onto [lightest, heaviest].
    var STEPS = 1000;
    function thresholdAt(v) {
      return v <= 0 ? minW : v >= STEPS ? maxW : minW + (maxW - minW) * v / STEPS;
    }
    var threshold = 0;
    if (weights.length) {
      slider.min = '0';
      slider.max = String(STEPS);
      slider.step = '1';
      var start = weights.length > 3000 && maxW > minW
        ? Math.floor((weights[2999] - minW) / (maxW - minW) * STEPS) : 0;
      slider.value = String(start);
      threshold = thresholdAt(start);
    } else {
      slider.disabled = true;
    }
    var selected = null;  // community shown alone, or null for all
    Object.keys(communities).map(Number).sort(function (a, b) { return a - b; }).forEach(function (c) {
      var o = document.createElement('option');
      o.value = String(c);
      o.textContent = (c < 0 ? 'no community' : 'community ' + (c + 1)) + ' (' + communities[c] + ' labels)';
      select.appendChild(o);
    });
    if (Object.keys(communities).length < 2) select.disabled = true;

    var hovered = null, neighbours = null;
    function nodeVisible(node) {
      if (selected === null) return true;
      var c = G.getNodeAttribute(node, 'community');
      return (c === null ? -1 : c) === selected;
    }
    function shownEdges() {  // weights are sorted strongest first
      var lo = 0, hi = weights.length;
      while (lo < hi) { var mid = (lo + hi) >> 1; if (weights[mid] >= threshold) lo = mid + 1; else hi = mid; }
      return lo;
    }
    function updateText() {
      sliderText.textContent = 'weight \u2265 ' + fmt(threshold, 3) + ': ' + shownEdges() + ' of ' +
        weights.length + ' edges';
    }
    var renderer = new Sigma(G, box, {
      defaultEdgeType: g.directed ? 'arrow' : 'line',
      labelRenderedSizeThreshold: 7,
      hideEdgesOnMove: G.size > 5000,
      nodeReducer: function (node, data) {
        if (!nodeVisible(node)) return Object.assign({}, data, { hidden: true });
        if (hovered !== null && node !== hovered && !neighbours.has(node))
          return Object.assign({}, data, { color: '#E4E4E4', label: '' });
        if (node === hovered) return Object.assign({}, data, { highlighted: true });
        return data;
      },
      edgeReducer: function (edge, data) {
        var hide = data.weight < threshold;
        if (!hide && (selected !== null || hovered !== null)) {
          var s = G.source(edge), t = G.target(edge);
          hide = !nodeVisible(s) || !nodeVisible(t) || (hovered !== null && s !== hovered && t !== hovered);
        }
        return hide ? Object.assign({}, data, { hidden: true }) : data;
      }
    });
    function showInfo(node) {
      if (node === null) {
        info.textContent = 'Hover over a label for its count, IRLbl and community.';
        return;
      }
      var n = g.nodes[Number(node)];
      var lines = [
        n.name,
        'count ' + n.count + (n.frequency === null ? '' : ' (frequency ' + fmt(n.frequency, 4) + ')'),
        'IRLbl ' + fmt(n.irlbl, 2),
        n.community === null ? 'no community' : 'community ' + (n.community + 1),
        G.degree(node) + ' edges (' + neighbours.size + ' neighbours)'
      ];
      info.textContent = lines.join('\n');
    }
    function focus(node) {  // a label and its neighbours stand out, the rest fades
      hovered = node;
      neighbours = node === null ? null : new Set(G.neighbors(node));
      showInfo(node);
      renderer.scheduleRefresh();
    }
    renderer.on('enterNode', function (e) { focus(e.node); });
    renderer.on('leaveNode', function () { focus(null); });
    // Find a label: the first whose name contains the text (case ignored), shown and centred.
    var search = document.getElementById('lg-search-' + index);
    search.addEventListener('change', function () {
      var want = search.value.trim().toLowerCase();
      if (want === '') return focus(null);
      var found = null;
      for (var i = 0; i < g.nodes.length && found === null; ++i)
        if (g.nodes[i].name.toLowerCase().indexOf(want) >= 0) found = String(i);
      if (found === null) {
        focus(null);
        info.textContent = 'No label contains \u201c' + search.value + '\u201d.';
        return;
      }
      if (!nodeVisible(found)) {
        selected = null;
        select.value = '';
      }
      focus(found);
      var at = renderer.getNodeDisplayData(found);
      if (at) renderer.getCamera().animate({ x: at.x, y: at.y, ratio: 0.25 }, { duration: 400 });
    });
    slider.addEventListener('input', function () {
      threshold = thresholdAt(parseInt(slider.value, 10));
      updateText();
      renderer.scheduleRefresh();  // one redraw a frame however fast the slider moves
    });
    select.addEventListener('change', function () {
      selected = select.value === '' ? null : Number(select.value);
      renderer.refresh();
    });
    var camera = renderer.getCamera();
    document.getElementById('lg-zoom-in-' + index).addEventListener('click', function () { camera.animatedZoom({ duration: 300 }); });
    document.getElementById('lg-zoom-out-' + index).addEventListener('click', function () { camera.animatedUnzoom({ duration: 300 }); });
    document.getElementById('lg-zoom-reset-' + index).addEventListener('click', function () { camera.animatedReset({ duration: 300 }); });
    updateText();
    showInfo(null);
    status.graphs.push({ rect: rect(box), nodes: G.order, edges: G.size });
    window.lgViews.push(renderer);
    return renderer;
  }

  function main() {
    var data = JSON.parse(document.getElementById('lg-data').textContent);
    Array.prototype.forEach.call(document.querySelectorAll('table.lg-table'), function (t) {
      makeSortable(t);
      status.tables.push(rect(t));
    });
    data.graphs.forEach(function (g, i) {
      try {
        initGraph(g, i);
      } catch (err) {
        var box = document.getElementById('lg-graph-' + i);
        box.textContent = 'The graph view could not be drawn here (' + err + '); the SVG figure is under Figures.';
        console.error('label graph ' + (i + 1) + ': ' + err);
      }
    });
    status.ms = Math.round(performance.now() - started);
    writeStatus();
  }
  main();
  window.addEventListener('load', function () { setTimeout(writeStatus, 200); });
})();
