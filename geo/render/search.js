/* defense-map: find a site, region, range or link by name, id or alias. Case and accents do
   not matter ("Kurecik" finds Kürecik). Choosing a result switches its layer on, brings it into
   view and opens its popup. A combobox: arrows move, Enter chooses, Escape closes. */
(window.DefenseMap = window.DefenseMap || { parts: [] }).parts.push(function search(ctx) {
  "use strict";
  var el = ctx.el, DATA = ctx.DATA;
  var MAX_RESULTS = 8;
  // letters that Unicode does not decompose into a base letter and a mark
  var PLAIN = { "ł": "l", "ø": "o", "ß": "ss", "ı": "i", "đ": "d", "ð": "d", "þ": "th",
    "æ": "ae", "œ": "oe", "ħ": "h" };
  function fold(text) {
    return String(text).normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[łøßıđðþæœħ]/g, function (c) { return PLAIN[c]; })
      .replace(/[^a-z0-9]+/g, " ").trim();
  }
  var entries = null;  // built on first use: the page opens without this work
  function index() {
    if (entries) { return entries; }
    entries = [];
    DATA.layers.forEach(function (layer) {
      layer.features.features.forEach(function (f) {
        var p = f.properties;
        var names = [p.name].concat(p.aliases || []).map(fold);  // folded once, not per query
        entries.push({ layer: layer, feature: f, names: names,
          words: names.map(function (n) { return " " + n; }), id: fold(p.id), aliases: p.aliases || [] });
      });
    });
    return entries;
  }
  // best first: a name that starts with the query, a word that does, then anywhere; an id
  function rank(entry, q, word) {
    var best = Infinity;
    for (var i = 0; i < entry.names.length; i++) {
      var n = entry.names[i];
      var r = n.indexOf(q) === 0 ? 0 : entry.words[i].indexOf(word) >= 0 ? 1 : n.indexOf(q) >= 0 ? 2 : Infinity;
      best = Math.min(best, r + (i > 0 ? 0.5 : 0));  // the name before an alias
    }
    if (entry.id.indexOf(q) >= 0) { best = Math.min(best, 3); }
    return best;
  }
  function order(a, b) {
    return a.rank - b.rank || (ctx.visible[b.entry.layer.id] ? 1 : 0) - (ctx.visible[a.entry.layer.id] ? 1 : 0) ||
      a.entry.feature.properties.name.localeCompare(b.entry.feature.properties.name);
  }
  // the MAX_RESULTS best in one pass (a short query matches most of a big map: no full sort)
  function find(query) {
    var q = fold(query);
    if (!q) { return []; }
    var best = [], word = " " + q;
    index().forEach(function (e) {
      var r = rank(e, q, word);
      if (r === Infinity) { return; }
      var item = { entry: e, rank: r };
      if (best.length === MAX_RESULTS && order(item, best[MAX_RESULTS - 1]) >= 0) { return; }
      var i = best.length;
      while (i > 0 && order(item, best[i - 1]) < 0) { i--; }
      best.splice(i, 0, item);
      if (best.length > MAX_RESULTS) { best.pop(); }
    });
    return best.map(function (r) { return r.entry; });
  }

  var input, list, status, results = [], active = -1;
  var listId = "dm-search-results-" + DATA.map_id;
  function optionId(i) { return listId + "-" + i; }
  function close() {
    results = []; active = -1;
    list.textContent = ""; list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }
  function show(query) {
    results = find(query);
    active = results.length ? 0 : -1;
    list.textContent = "";
    results.forEach(function (e, i) {
      var p = e.feature.properties;
      var alias = e.aliases.filter(function (a) { return fold(a).indexOf(fold(query)) >= 0; })[0];
      var option = el("li", { role: "option", id: optionId(i), "data-result-feature": p.id,
        "data-result-layer": e.layer.id, "aria-selected": i === active ? "true" : "false" }, [
        el("span", { cls: "dm-result-name", text: p.name + (alias && fold(p.name).indexOf(fold(query)) < 0 ? " (" + alias + ")" : "") }),
        el("span", { cls: "dm-result-meta", text: ctx.kindWord(p) + " · " + e.layer.title +
          (ctx.visible[e.layer.id] ? "" : " (layer off)") })
      ]);
      // mousedown, not click: the input keeps its focus and the list does not close first
      option.addEventListener("mousedown", function (ev) { ev.preventDefault(); choose(i); });
      list.appendChild(option);
    });
    list.hidden = !query.trim();
    if (!results.length && query.trim()) { list.appendChild(el("li", { cls: "dm-no-result", text: "No match" })); }
    input.setAttribute("aria-expanded", list.hidden ? "false" : "true");
    status.textContent = query.trim() ? results.length + (results.length === 1 ? " result" : " results") : "";
    mark();
  }
  function mark() {
    Array.prototype.forEach.call(list.querySelectorAll("[role=option]"), function (o, i) {
      o.setAttribute("aria-selected", i === active ? "true" : "false");
      o.classList.toggle("dm-active", i === active);
    });
    if (active >= 0) { input.setAttribute("aria-activedescendant", optionId(active)); }
    else { input.removeAttribute("aria-activedescendant"); }
  }
  function choose(i) {
    var e = results[i];
    if (!e) { return; }
    input.value = e.feature.properties.name;
    close();
    ctx.goTo(e.layer, e.feature);
  }

  var Search = L.Control.extend({
    options: { position: "topright" },
    onAdd: function () {
      var box = el("div", { cls: "dm-panel dm-search", role: "search",
        "aria-label": DATA.pane ? "Search: " + DATA.title : "Search the map" });
      box.appendChild(ctx.toggleButton(box, "Search"));
      var id = "dm-search-" + DATA.map_id;
      input = el("input", { type: "search", id: id, role: "combobox", autocomplete: "off",
        spellcheck: "false", "aria-autocomplete": "list", "aria-expanded": "false",
        "aria-controls": listId, placeholder: "Place, site or region" });
      list = el("ul", { id: listId, role: "listbox", cls: "dm-results", "aria-label": "Search results" });
      list.hidden = true;
      status = el("span", { cls: "dm-visually-hidden", role: "status" });
      input.addEventListener("input", function () { show(input.value); });
      input.addEventListener("keydown", function (ev) {
        if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
          if (list.hidden) { show(input.value); }  // the list opens on its first result
          else if (results.length) {
            active = (active + (ev.key === "ArrowDown" ? 1 : results.length - 1)) % results.length;
            mark();
          }
          ev.preventDefault();
        } else if (ev.key === "Enter") {
          if (results.length) { choose(active >= 0 ? active : 0); }
          ev.preventDefault();
        } else if (ev.key === "Escape") {
          if (!list.hidden) { close(); } else { input.value = ""; }
          ev.preventDefault();
          ev.stopPropagation();  // Escape in the box does not also fold its panel
        }
      });
      input.addEventListener("blur", function () { window.setTimeout(close, 0); });
      box.appendChild(el("label", { "for": id, cls: "dm-search-label", text: "Find a place" }));
      box.appendChild(input);
      box.appendChild(list);
      box.appendChild(status);
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    }
  });
  ctx.onStart.push(function () { new Search().addTo(ctx.map); });
  return { find: function (q) { return find(q).map(function (e) { return e.feature.properties.id; }); }, fold: fold };
});
