/* The index's search: filters over every claim of report/data/claims-*.js, state kept in the URL hash.
   Data reach the page through textContent and attributes only, never as HTML. */
(function () {
  "use strict";
  var R = window.REPORT = {docs: [], rows: []};
  R.addDocuments = function (list) { R.docs = list; };
  R.addClaims = function (list) { for (var i = 0; i < list.length; i++) R.rows.push(list[i]); };

  var PAGE = 50, DOC_PAGE = 30;
  var MULTI = ["label", "kind", "section", "review"];
  var KEYS = ["q", "label", "kind", "section", "review", "hedged", "op", "value", "doc", "source", "page"];
  var OPS = {gt: function (a, b) { return a > b; }, ge: function (a, b) { return a >= b; },
             lt: function (a, b) { return a < b; }, le: function (a, b) { return a <= b; },
             eq: function (a, b) { return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)); }};
  var OP_TEXT = {gt: ">", ge: "≥", lt: "<", le: "≤", eq: "="};
  var F = {}, Q = {}, S = {}, meta, form, state = {}, matches = [], docLimit = DOC_PAGE, haystacks = null, docIndex = {};

  function counted(n, word) { return n.toLocaleString("en") + " " + word + (n === 1 ? "" : "s"); }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) {
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  // ---- state <-> URL hash <-> form
  function parseHash(hash) {
    var params = new URLSearchParams(hash.replace(/^#/, "")), s = {};
    KEYS.forEach(function (k) { var v = params.get(k); if (v !== null && v !== "") s[k] = v; });
    MULTI.forEach(function (k) { s[k] = s[k] ? s[k].split(",") : []; });
    return s;
  }
  function toHash(s) {
    var params = new URLSearchParams();
    KEYS.forEach(function (k) {
      var v = Array.isArray(s[k]) ? s[k].join(",") : s[k];
      if (v !== undefined && v !== null && v !== "" && !(k === "page" && String(v) === "1")) params.set(k, v);
    });
    var text = params.toString();
    return text ? "#" + text : "";
  }
  function isState(hash) { return hash.indexOf("=") >= 0 || hash === "" || hash === "#"; }

  function fillForm(s) {
    form.elements.q.value = s.q || "";
    MULTI.forEach(function (k) {
      form.querySelectorAll("input[name=" + k + "]").forEach(function (box) { box.checked = s[k].indexOf(box.value) >= 0; });
    });
    form.elements.hedged.value = s.hedged || "";
    form.elements.op.value = s.op || "";
    form.elements.value.value = s.value || "";
  }
  function readForm() {
    var s = {q: form.elements.q.value.trim(), hedged: form.elements.hedged.value, op: form.elements.op.value,
             value: form.elements.value.value, doc: state.doc, source: state.source};
    MULTI.forEach(function (k) {
      s[k] = Array.prototype.map.call(form.querySelectorAll("input[name=" + k + "]:checked"), function (b) { return b.value; });
    });
    return s;
  }

  // ---- matching
  function indexSet(names, vocab) {
    return names.length ? new Set(names.map(function (n) { return vocab.indexOf(n); })) : null;
  }
  function haystack(i) {
    if (!haystacks) haystacks = new Array(R.rows.length);
    if (haystacks[i] === undefined) {
      var r = R.rows[i], parts = [r[F.text], R.docs[r[F.doc]][1]];
      r[F.sources].forEach(function (s) { parts.push(s[S.text]); if (s[S.canonical]) parts.push(s[S.canonical]); });
      haystacks[i] = parts.join(" \u0001 ").toLowerCase();
    }
    return haystacks[i];
  }
  function matcher(s) {
    var terms = (s.q || "").toLowerCase().split(/\s+/).filter(Boolean);
    var labels = indexSet(s.label, meta.labels), kinds = indexSet(s.kind, meta.kinds);
    var sections = indexSet(s.section, meta.sections), reviews = indexSet(s.review, meta.statuses);
    var limit = parseFloat(s.value), op = OPS[s.op] && !isNaN(limit) ? OPS[s.op] : null;
    var doc = s.doc !== undefined ? (s.doc in docIndex ? docIndex[s.doc] : -1) : null;
    var source = s.source ? s.source.toLowerCase() : null;
    return function (r, i) {
      if (doc !== null && r[F.doc] !== doc) return false;
      if (labels && !labels.has(r[F.evidence])) return false;
      if (sections && !sections.has(r[F.section])) return false;
      if (reviews && !reviews.has(r[F.review])) return false;
      if (s.hedged === "yes" && !r[F.hedged]) return false;
      if (s.hedged === "no" && r[F.hedged]) return false;
      if ((kinds || op) && !r[F.quantities].some(function (q) {
        return (!kinds || kinds.has(q[Q.kind])) && (!op || (q[Q.value] !== null && op(q[Q.value], limit)));
      })) return false;
      if (source && !r[F.sources].some(function (x) { return sourceName(x).toLowerCase() === source; })) return false;
      if (terms.length) {
        var hay = haystack(i);
        for (var t = 0; t < terms.length; t++) if (hay.indexOf(terms[t]) < 0) return false;
      }
      return true;
    };
  }

  // ---- rendering
  function sentence(r) {
    var text = r[F.text], marks = [], out = [], pos = 0;
    r[F.quantities].forEach(function (q) {
      if (q[Q.start] !== null) marks.push([q[Q.start], q[Q.end], "q", q[Q.text] + " = " + q[Q.shown]]);
    });
    r[F.sources].forEach(function (s) {
      if (s[S.start] !== null) marks.push([s[S.start], s[S.end], "s", "source: " + describeSource(s)]);
    });
    marks.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    marks.forEach(function (m) {
      if (m[0] < pos || m[0] < 0 || m[1] > text.length) return;
      if (m[0] > pos) out.push(text.slice(pos, m[0]));
      out.push(el("span", {"class": m[2], title: m[3]}, [text.slice(m[0], m[1])]));
      pos = m[1];
    });
    if (pos < text.length) out.push(text.slice(pos));
    return out;
  }
  function sourceName(s) { return s[S.canonical] || s[S.text]; }
  function describeSource(s) {     // as describe_source() in report.py: "The Lancet (journal, research)"
    return sourceName(s) + " (" + [s[S.type], s[S.role]].filter(Boolean).join(", ") + ")";
  }
  function badge(label) {
    return el("span", {"class": "badge ev-" + label}, [el("span", {"class": "icon", "aria-hidden": "true"},
      [meta.icons[label] || "•"]), " " + label]);
  }
  function claimItem(r) {
    var label = meta.labels[r[F.evidence]], doc = R.docs[r[F.doc]], bits = [];
    var head = [badge(label)];
    if (r[F.hedged]) head.push(" ", el("span", {"class": "flag"}, ["hedged"]));
    head.push(" ");
    var where = meta.sections[r[F.section]] === "comment"
      ? "comment #" + r[F.comment_index] + " by " + (r[F.author] || "Anonymous") : meta.sections[r[F.section]];
    bits.push(where);
    bits.push("sources: " + (r[F.sources].length ? r[F.sources].map(describeSource).join("; ") : "none"));
    r[F.quantities].forEach(function (q) { bits.push(q[Q.text] + " → " + q[Q.shown]); });
    bits.push("review: " + meta.statuses[r[F.review]]);
    if (r[F.note]) bits.push("note: " + r[F.note]);
    return el("li", {"class": "claim ev-" + label, "data-id": r[F.id]}, [
      el("p", {"class": "sentence"}, head.concat(sentence(r))),
      el("p", {"class": "meta"}, [el("a", {href: meta.page_dir + "/" + doc[2] + "#" + r[F.id]}, [doc[1]]),
                                  " · " + bits.join(" · ")])]);
  }
  function describe(s) {
    var parts = [];
    if (s.q) parts.push("words “" + s.q + "”");
    MULTI.forEach(function (k) { if (s[k].length) parts.push(k + " " + s[k].join(" or ")); });
    if (s.hedged) parts.push(s.hedged === "yes" ? "hedged" : "not hedged");
    if (OPS[s.op] && s.value !== undefined && s.value !== "") parts.push("value " + OP_TEXT[s.op] + " " + s.value);
    if (s.doc !== undefined) parts.push("document " + (s.doc in docIndex ? R.docs[docIndex[s.doc]][1] : s.doc));
    if (s.source) parts.push("source " + s.source);
    return parts.length ? " matching " + parts.join(", ") : "";
  }
  function chips(s) {
    var box = document.getElementById("chips");
    box.textContent = "";
    [["doc", "Document"], ["source", "Source"]].forEach(function (pair) {
      if (s[pair[0]] === undefined) return;
      var name = pair[0] === "doc" && s.doc in docIndex ? R.docs[docIndex[s.doc]][1] : s[pair[0]];
      var chip = el("button", {type: "button", "class": "chip", "data-key": pair[0],
                               "aria-label": "Remove filter " + pair[1].toLowerCase() + " " + name},
                    [pair[1] + ": " + name + " ✕"]);
      chip.addEventListener("click", function () { delete state[pair[0]]; state.page = 1; update(true); });
      box.appendChild(chip);
    });
  }
  function renderResults() {
    var pages = Math.max(1, Math.ceil(matches.length / PAGE));
    var page = Math.min(Math.max(1, parseInt(state.page, 10) || 1), pages);
    var list = document.getElementById("results"), first = (page - 1) * PAGE;
    list.textContent = "";
    matches.slice(first, first + PAGE).forEach(function (i) { list.appendChild(claimItem(R.rows[i])); });
    document.getElementById("status").textContent = matches.length
      ? "Showing " + (first + 1) + "–" + Math.min(first + PAGE, matches.length) + " of " + counted(matches.length, "claim") +
        describe(state) + "."
      : "No claims" + describe(state) + ".";
    document.getElementById("page").textContent = "page " + page + " of " + pages;
    document.getElementById("prev").disabled = page <= 1;
    document.getElementById("next").disabled = page >= pages;
    state.page = page;
  }
  function renderDocuments() {
    var counts = {}, order = [];
    matches.forEach(function (i) {
      var r = R.rows[i], d = r[F.doc];
      if (!counts[d]) { counts[d] = new Array(meta.labels.length + 1).fill(0); order.push(d); }
      counts[d][0]++; counts[d][r[F.evidence] + 1]++;
    });
    order.sort(function (a, b) { return counts[b][0] - counts[a][0] || a - b; });
    var body = document.querySelector("#doc-table tbody");
    body.textContent = "";
    order.slice(0, docLimit).forEach(function (d) {
      var doc = R.docs[d], cells = [el("td", {}, [el("a", {href: meta.page_dir + "/" + doc[2]}, [doc[1]])])];
      counts[d].forEach(function (n) { cells.push(el("td", {"class": "n"}, [String(n)])); });
      cells.push(el("td", {}, [el("a", {href: toHash({doc: doc[0], label: [], kind: [], section: [], review: []}),
                                        "aria-label": "Show the claims of " + doc[1]}, ["claims"])]));
      body.appendChild(el("tr", {"data-doc": doc[0]}, cells));
    });
    document.getElementById("doc-status").textContent = order.length.toLocaleString("en") + " of " +
      counted(R.docs.length, "document") + (order.length === 1 ? " has" : " have") + " claims" + describe(state) + (order.length > docLimit ? "; the " + docLimit +
      " with the most are listed." : ".");
    document.getElementById("doc-more").hidden = order.length <= docLimit;
  }

  function run() {
    var test = matcher(state);
    matches = [];
    for (var i = 0; i < R.rows.length; i++) if (test(R.rows[i], i)) matches.push(i);
    renderResults();
    renderDocuments();
    chips(state);
  }
  function update(push) {
    run();
    var hash = toHash(state);
    if (hash !== location.hash && !(hash === "" && (location.hash === "" || location.hash === "#"))) {
      history[push ? "pushState" : "replaceState"](null, "", hash || location.pathname + location.search);
    }
  }
  function fromHash(scroll) {
    if (!isState(location.hash)) return;     // a plain anchor (#overview) keeps the view
    state = parseHash(location.hash);
    fillForm(state);
    docLimit = DOC_PAGE;
    run();
    if (scroll && toHash(state)) {
      document.getElementById("search").scrollIntoView();
      document.getElementById("status").focus({preventScroll: true});
    }
  }

  function start() {
    meta = JSON.parse(document.getElementById("report-meta").textContent);
    meta.fields.forEach(function (f, i) { F[f] = i; });
    meta.quantity_fields.forEach(function (f, i) { Q[f] = i; });
    meta.source_fields.forEach(function (f, i) { S[f] = i; });
    R.docs.forEach(function (d, i) { docIndex[d[0]] = i; });
    form = document.getElementById("filters");
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    var timer = null;
    function onForm(e) {
      clearTimeout(timer);
      timer = setTimeout(function () { state = readForm(); state.page = 1; docLimit = DOC_PAGE; update(false); },
                         e.target.name === "q" || e.target.name === "value" ? 200 : 0);
    }
    form.addEventListener("input", onForm);
    form.addEventListener("change", onForm);
    document.getElementById("f-clear").addEventListener("click", function () {
      state = parseHash(""); fillForm(state); update(true);
    });
    document.getElementById("prev").addEventListener("click", function () { state.page--; update(true); });
    document.getElementById("next").addEventListener("click", function () { state.page++; update(true); });
    document.getElementById("doc-more").addEventListener("click", function () { docLimit += DOC_PAGE; renderDocuments(); });
    window.addEventListener("hashchange", function () { fromHash(true); });
    window.addEventListener("popstate", function () { fromHash(false); });
    if (isState(location.hash) && toHash(parseHash(location.hash))) {
      fromHash(true);       // opened from a shared link: show its view
    } else {
      state = parseHash("");
      fillForm(state);
      run();
    }
  }
  document.addEventListener("DOMContentLoaded", start);
}());
