/* Lägesbild: draws the charts, switches the map layer, sorts and filters the area table.
   Vanilla JS, no library besides the embedded plotly.js, nothing loaded from the network. */
(function () {
  "use strict";

  var MONTHS = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
    "september", "oktober", "november", "december"];
  var SHORT = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"];
  var SV = {
    moduleType: "locale",
    name: "sv",
    dictionary: {
      "Autoscale": "Autoskala",
      "Reset axes": "Återställ axlar",
      "Zoom in": "Zooma in",
      "Zoom out": "Zooma ut",
      "Download plot as a png": "Ladda ner som PNG",
      "Double-click to zoom back out": "Dubbelklicka för att zooma ut"
    },
    format: {
      days: ["söndag", "måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag"],
      shortDays: ["sön", "mån", "tis", "ons", "tor", "fre", "lör"],
      months: MONTHS,
      shortMonths: SHORT,
      date: "%Y-%m-%d",
      decimal: ",",
      thousands: "\u00a0"
    }
  };
  var CONFIG = {
    displaylogo: false,
    displayModeBar: false,
    responsive: true,
    locale: "sv",
    scrollZoom: false,
    doubleClick: false,
    showTips: false,
    showAxisDragHandles: false
  };

  function each(list, fn) { Array.prototype.forEach.call(list, fn); }

  /* Charts: drawn in small batches so that the page stays responsive. */
  function drawCharts() {
    var nodes = document.querySelectorAll("[data-chart]");
    var root = document.documentElement;
    if (!window.Plotly) { root.setAttribute("data-charts", "no-plotly"); return; }
    window.Plotly.register(SV);
    var i = 0;
    function batch() {
      var end = Math.min(i + 6, nodes.length);
      for (; i < end; i++) {
        var node = nodes[i];
        var data = document.getElementById(node.id + "-data");
        if (!data) { continue; }
        var spec = JSON.parse(data.textContent);
        window.Plotly.newPlot(node, spec.data, spec.layout, CONFIG);
      }
      if (i < nodes.length) { window.setTimeout(batch, 0); }
      else { root.setAttribute("data-charts", "ready"); }
    }
    batch();
  }

  /* Map: the layer selector switches fills, titles and the legend; the checkbox shows Gi*. */
  function setupMap() {
    var dataNode = document.getElementById("map-data");
    var select = document.getElementById("map-layer");
    var hot = document.getElementById("map-hotspots");
    // No checkbox when Gi* was not tried (too few areas): the layers still switch.
    if (!dataNode || !select) { return; }
    var data = JSON.parse(dataNode.textContent);
    var index = {};
    each(data.ids, function (id, i) { index[id] = i; });
    var paths = document.querySelectorAll("#map-areas path");
    var legend = document.getElementById("map-legend");
    var name = document.getElementById("map-layer-name");
    var figure = document.querySelector(".map-figure");
    var status = document.getElementById("map-status");

    function text(value) {
      if (value === null || value === undefined) { return "uppgift saknas"; }
      if (value === "..") { return ".. (visas inte)"; }
      return value + " per 1\u00a0000 (utjämnad nivå)";
    }
    function apply() {
      var layer = data.layers[select.selectedIndex] || data.layers[0];
      var showHot = hot ? hot.checked : false;
      var nHot = 0, nCold = 0;
      each(paths, function (p) {
        var i = index[p.getAttribute("data-id")];
        var cls = "q" + layer.b.charAt(i);
        var h = layer.h.charAt(i);
        if (h === "h") { nHot++; } else if (h === "c") { nCold++; }
        if (showHot && h === "h") { cls += " hot"; }
        if (showHot && h === "c") { cls += " cold"; }
        p.setAttribute("class", cls);
        var t = p.firstChild;
        var label = data.names[i] + ": " + text(layer.v[i]);
        if (t) { t.textContent = label; }
        p.setAttribute("aria-label", label);
      });
      if (value && current) { value.textContent = current.getAttribute("aria-label"); }
      if (legend) {
        while (legend.firstChild) { legend.removeChild(legend.firstChild); }
        each(layer.g, function (entry) {
          var li = document.createElement("li");
          var sw = document.createElement("span");
          sw.className = "sw " + entry[0];
          sw.setAttribute("aria-hidden", "true");
          li.appendChild(sw);
          li.appendChild(document.createTextNode(entry[1]));
          legend.appendChild(li);
        });
      }
      if (name) { name.textContent = layer.l; }
      if (figure) { figure.classList.toggle("show-hot", showHot); }
      if (status) {
        status.textContent = showHot
          ? "Kluster av höga nivåer: " + nHot + ", av låga nivåer: " + nCold + " (" + layer.l + ")."
          : "";
      }
    }
    // Tap or keyboard focus shows an area's value below the map (titles need a mouse).
    var value = document.getElementById("map-value");
    var current = null;
    function show(event) {
      current = event.currentTarget;
      if (value) { value.textContent = current.getAttribute("aria-label"); }
    }
    each(paths, function (p) {
      p.addEventListener("focus", show);
      p.addEventListener("click", show);
    });
    select.addEventListener("change", apply);
    if (hot) { hot.addEventListener("change", apply); }
    apply();
  }

  /* A table wider than its column scrolls by itself, with a cue, its first column fixed. */
  function setupScrollCues() {
    function check() {
      each(document.querySelectorAll(".table-block"), function (block) {
        var box = block.querySelector(".scroll");
        if (!box) { return; }
        var wide = box.scrollWidth > box.clientWidth + 1;
        block.classList.toggle("overflows", wide);
        var cue = block.querySelector(".scroll-cue");
        if (wide && !cue) {
          cue = document.createElement("p");
          cue.className = "scroll-cue";
          cue.textContent = "Svep i sidled \u2192";
          block.insertBefore(cue, box);
        }
      });
    }
    check();
    window.addEventListener("resize", check);
  }

  /* 1234 -> "1 234" (no-break space), as the report writes numbers. */
  function group(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0"); }

  /* Sortable, searchable tables. */
  function sortKey(cell) {
    var s = cell.getAttribute("data-s");
    if (s !== null) { return parseFloat(s); }
    var t = cell.textContent.trim();
    if (t === ".." || t === "\u2013" || t === "") { return null; }
    var n = parseFloat(t.replace(/[\s\u00a0+]/g, "").replace("\u2212", "-").replace(",", "."));
    return isNaN(n) ? t.toLocaleLowerCase("sv") : n;
  }
  function setupTables() {
    each(document.querySelectorAll("table[data-sortable]"), function (table) {
      var tbody = table.tBodies[0];
      var headers = table.tHead.rows[0].cells;
      each(headers, function (th, col) {
        var button = th.querySelector("button");
        if (!button) { return; }
        button.addEventListener("click", function () {
          var ascending = th.getAttribute("aria-sort") !== "ascending";
          each(headers, function (h) { h.removeAttribute("aria-sort"); });
          th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
          var keyed = Array.prototype.map.call(tbody.rows, function (r, i) {
            return [sortKey(r.cells[col]), i, r];
          });
          keyed.sort(function (a, b) {
            if (a[0] === null && b[0] === null) { return a[1] - b[1]; }
            if (a[0] === null) { return 1; }
            if (b[0] === null) { return -1; }
            var c;
            if (typeof a[0] === "number" && typeof b[0] === "number") { c = a[0] - b[0]; }
            else { c = String(a[0]).localeCompare(String(b[0]), "sv"); }
            if (c === 0) { return a[1] - b[1]; }
            return ascending ? c : -c;
          });
          var frag = document.createDocumentFragment();
          each(keyed, function (k) { frag.appendChild(k[2]); });
          tbody.appendChild(frag);
        });
      });
      var first = headers[0];
      if (first && !first.querySelector("button")) {
        var b = document.createElement("button");
        b.type = "button";
        b.textContent = first.textContent;
        first.textContent = "";
        first.appendChild(b);
        b.addEventListener("click", function () {
          var ascending = first.getAttribute("aria-sort") !== "ascending";
          each(headers, function (h) { h.removeAttribute("aria-sort"); });
          first.setAttribute("aria-sort", ascending ? "ascending" : "descending");
          var rows = Array.prototype.slice.call(tbody.rows);
          rows.sort(function (x, y) {
            var c = x.cells[0].textContent.trim().localeCompare(y.cells[0].textContent.trim(), "sv");
            return ascending ? c : -c;
          });
          var frag = document.createDocumentFragment();
          each(rows, function (r) { frag.appendChild(r); });
          tbody.appendChild(frag);
        });
      }
    });
    each(document.querySelectorAll("input[data-filter]"), function (input) {
      var table = document.getElementById(input.getAttribute("data-filter"));
      var status = document.getElementById(input.getAttribute("data-filter") + "-status");
      if (!table) { return; }
      var rows = table.tBodies[0].rows;
      input.addEventListener("input", function () {
        var q = input.value.trim().toLocaleLowerCase("sv");
        var shown = 0;
        each(rows, function (r) {
          var hit = !q || r.cells[0].textContent.toLocaleLowerCase("sv").indexOf(q) !== -1;
          r.hidden = !hit;
          if (hit) { shown++; }
        });
        if (status) {
          status.textContent = q ? "Visar " + group(shown) + " av " + group(rows.length) + " områden"
                                 : group(rows.length) + " områden";
        }
      });
    });
  }

  /* Print: open every table behind "Visa siffrorna", and fit the charts to the page. */
  var opened = [];
  function beforePrint() {
    opened = [];
    each(document.querySelectorAll("details:not([open])"), function (d) {
      d.setAttribute("open", "");
      opened.push(d);
    });
    if (window.Plotly) {
      each(document.querySelectorAll(".js-plotly-plot"), function (node) {
        window.Plotly.relayout(node, { width: 640 });
      });
    }
  }
  function afterPrint() {
    each(opened, function (d) { d.removeAttribute("open"); });
    opened = [];
    if (window.Plotly) {
      each(document.querySelectorAll(".js-plotly-plot"), function (node) {
        window.Plotly.relayout(node, { width: null, autosize: true });
      });
    }
  }
  window.addEventListener("beforeprint", beforePrint);
  window.addEventListener("afterprint", afterPrint);

  function start() {
    setupTables();
    setupMap();
    setupScrollCues();
    drawCharts();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
