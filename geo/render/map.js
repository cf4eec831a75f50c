/* defense-map: our own small controls on top of Leaflet.
   Every user string reaches the page through textContent or attribute setters, never
   innerHTML, so names and quotes show as text. */
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("dm-data").textContent);
  var ROLE_SYMBOLS = {
    radar: "M8 1 L15 14 L1 14 Z",
    interceptors: "M2 2 H14 V14 H2 Z",
    command: "M8 0.5 L10 6 L15.5 6 L11 9.5 L12.8 15 L8 11.6 L3.2 15 L5 9.5 L0.5 6 L6 6 Z",
    launch: "M8 0.5 L15.5 8 L8 15.5 L0.5 8 Z",
    naval: "M8 1 A7 7 0 1 0 8.01 1 Z M8 5 A3 3 0 1 1 7.99 5 Z",
    city: "M8 4 A4 4 0 1 0 8.01 4 Z",
    other: "M8 2 A6 6 0 1 0 8.01 2 Z"
  };
  var ROLE_WORDS = {
    radar: "radar", interceptors: "interceptor site", command: "command / control centre",
    launch: "launch area", naval: "naval base", city: "city", other: "other site"
  };
  var STATUS_WORDS = {
    proposed: "proposed", agreed: "agreed", operational: "operational", cancelled: "cancelled"
  };

  // Keys that come from the page's data or its URL (layer ids, base map ids, roles...) index
  // only objects without a prototype, and are looked up as own properties: "constructor",
  // "toString" or "__proto__" in a link must not find Object.prototype's members.
  function has(obj, key) { return Object.prototype.hasOwnProperty.call(obj, key); }
  function lookup(obj, key) { return has(obj, key) ? obj[key] : undefined; }
  function dict() { return Object.create(null); }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { node.textContent = attrs[k]; }
      else if (k === "cls") { node.className = attrs[k]; }
      else { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { if (c) { node.appendChild(c); } });
    return node;
  }
  function svgEl(tag, attrs) {
    var node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }
  function symbol(role, color, uncertain) {
    var svg = svgEl("svg", { viewBox: "0 0 16 16", width: "16", height: "16", "class": "dm-symbol" });
    svg.appendChild(svgEl("path", {
      d: lookup(ROLE_SYMBOLS, role) || ROLE_SYMBOLS.other, fill: color, "fill-rule": "evenodd",
      "fill-opacity": uncertain ? "0.45" : "0.9", stroke: "#fff", "stroke-width": "1.2"
    }));
    return svg;
  }
  function swatch(style) {
    var s = el("span", { cls: "dm-swatch" });
    s.style.borderColor = style.color;
    s.style.background = style.fill;
    s.style.opacity = "0.9";
    if (style.dash) { s.style.borderStyle = "dashed"; }
    return s;
  }

  // ---- map and base maps ---------------------------------------------------------------
  var map = L.map("map", { zoomSnap: 0.25, worldCopyJump: false, preferCanvas: false });
  map.attributionControl.setPrefix("Leaflet");
  var baseLayers = dict();
  DATA.basemaps.forEach(function (b) {
    baseLayers[b.id] = b.vector ? vectorBasemap(DATA.vector_basemap) :
      L.tileLayer(b.url, { attribution: b.attribution, maxZoom: b.max_zoom, subdomains: b.subdomains || "abc" });
  });
  function vectorBasemap(vb) {
    var group = L.layerGroup();
    if (!vb) { return group; }
    map.createPane("dm-basemap").style.zIndex = 150;
    // Labels need a pane of their own: Leaflet stacks every SVG above its siblings (z-index
    // 200), so labels in the land's pane would be hidden under it.
    var labels = map.createPane("dm-basemap-labels");
    labels.style.zIndex = 160;
    labels.style.pointerEvents = "none";
    // sea names would pile up over a whole-world view
    map.on("zoomend", function () { labels.style.display = map.getZoom() < 4 ? "none" : ""; });
    group.addLayer(L.rectangle([[-90, -180], [90, 180]], {
      pane: "dm-basemap", stroke: false, fillColor: "#c6dbec", fillOpacity: 1, interactive: false
    }));
    group.addLayer(L.geoJSON(vb.land, { pane: "dm-basemap", interactive: false,
      style: { stroke: false, fillColor: "#f5f1e6", fillOpacity: 1 } }));
    group.addLayer(L.geoJSON(vb.borders, { pane: "dm-basemap", interactive: false,
      style: { color: "#9a9a9a", weight: 0.8, opacity: 1 } }));
    (vb.sea_labels || []).forEach(function (s) {
      group.addLayer(L.tooltip({ permanent: true, direction: "center", className: "dm-sea-label",
        interactive: false, pane: "dm-basemap-labels" }).setLatLng([s.lat, s.lon])
        .setContent(el("span", { text: s.name })));
    });
    // Leaflet adds and removes a layer's attribution as the layer comes and goes.
    group.getAttribution = function () { return vb.attribution; };
    return group;
  }
  var currentBase = null;
  function setBase(id) {
    if (!DATA.basemaps.length) { return; }  // offline without reference geography: no base map
    if (!has(baseLayers, id)) { id = DATA.basemaps[0].id; }
    if (currentBase !== null) { map.removeLayer(baseLayers[currentBase]); }
    currentBase = id;
    baseLayers[id].addTo(map);
    if (has(baseRadios, id)) { baseRadios[id].checked = true; }
    updateHash();
  }

  // ---- overlays ----------------------------------------------------------------------------
  var overlays = dict();   // layer id -> L.GeoJSON
  var layerById = dict();
  // The controls' inputs, kept as they are made: never found again by a selector built from
  // user text (a group name may hold quotes, brackets or a line break).
  var baseRadios = dict();  // base map id -> radio button
  var layerBoxes = dict();  // layer id -> checkbox
  var groupBoxes = [];      // DATA.groups index -> checkbox
  DATA.layers.forEach(function (layer) {
    layerById[layer.id] = layer;
    var overlay = L.geoJSON(layer.features, {
      style: function (f) { return pathStyle(layer.style, f.properties, false); },
      pointToLayer: function (f, latlng) { return siteMarker(layer.style, f.properties, latlng); },
      onEachFeature: function (f, lyr) { bindFeature(layer, f, lyr); }
    });
    // A shape cut at ±180° or closed over a pole is filled without a stroke, and its outline
    // is stroked without those cuts, so no line runs down the antimeridian or along the top.
    layer.features.features.forEach(function (f) {
      if (!f.properties.outline) { return; }
      L.geoJSON(f.properties.outline, { style: pathStyle(layer.style, f.properties, true) })
        .eachLayer(function (lyr) { lyr.dmOutline = true; bindFeature(layer, f, lyr); overlay.addLayer(lyr); });
    });
    overlays[layer.id] = overlay;
  });
  function bindFeature(layer, f, lyr) {
    lyr.bindPopup(function () {
      // called as the popup opens, before Leaflet pans it into view: pan it clear of our panels
      var pad = panelPadding();
      lyr.getPopup().options.autoPanPaddingTopLeft = pad.topLeft.add([5, 5]);
      lyr.getPopup().options.autoPanPaddingBottomRight = pad.bottomRight.add([5, 5]);
      return popup(layer, f.properties);
    }, { maxWidth: 360 });
    // Leaflet writes string content with innerHTML: hand it a text-only element instead
    lyr.bindTooltip(function () { return el("span", { text: tooltipText(f.properties) }); },
      { sticky: f.geometry.type !== "Point" });
    lyr.feature = f;
  }
  function pathStyle(style, p, outline) {
    var uncertain = !!p.uncertainty;
    return {
      stroke: outline || !p.outline, fill: !outline && p.kind !== "link",
      color: style.color, weight: style.weight, opacity: uncertain ? style.opacity * 0.8 : style.opacity,
      fillColor: style.fill, fillOpacity: uncertain ? style.fill_opacity * 0.6 : style.fill_opacity,
      dashArray: uncertain ? "2 6" : (style.dash || null)
    };
  }
  function siteMarker(style, p, latlng) {
    var box = el("div");
    box.appendChild(symbol(p.role, style.color, !!p.uncertainty));
    var icon = L.divIcon({ html: box.innerHTML, className: "dm-marker", iconSize: [16, 16], iconAnchor: [8, 8] });
    return L.marker(latlng, { icon: icon, keyboard: true, title: "", alt: p.name });
  }
  function tooltipText(p) {
    var text = p.name;
    if (p.uncertainty) { text += " (uncertain)"; }
    return text;
  }

  // ---- popups --------------------------------------------------------------------------------
  function popup(layer, p) {
    var box = el("div", { cls: "dm-popup" });
    box.appendChild(el("h3", { text: p.name }));
    var kind = p.kind === "site" ? (lookup(ROLE_WORDS, p.role) || p.role) : p.kind;
    var meta = [kind];
    if (p.status) { meta.push(lookup(STATUS_WORDS, p.status) || p.status); }
    meta.push(layer.title);
    box.appendChild(el("div", { cls: "dm-meta", text: meta.join(" · ") }));
    if (p.uncertainty) {
      box.appendChild(el("div", { cls: "dm-uncertain", text: "⚠ Uncertain: " + p.uncertainty }));
    }
    if (p.description) { box.appendChild(el("div", { text: p.description })); }
    var rows = [];
    if (p.date_from || p.date_to) {
      rows.push(["Dates", (p.date_from || "…") + (p.date_to ? " – " + p.date_to : " –")]);
    }
    if (p.precision) { rows.push(["Location", lookup(PRECISION_WORDS, p.precision) || p.precision]); }
    Object.keys(p.parameters || {}).forEach(function (k) { rows.push([k, String(p.parameters[k])]); });
    if (rows.length) {
      var table = el("table");
      rows.forEach(function (r) {
        table.appendChild(el("tr", {}, [el("td", { text: r[0] }), el("td", { text: r[1] })]));
      });
      box.appendChild(table);
    }
    if (p.derivation) { box.appendChild(el("div", { cls: "dm-derived", text: "Drawn as: " + p.derivation })); }
    box.appendChild(sourceList(layer, p.sources || []));
    return box;
  }
  var PRECISION_WORDS = {
    site: "exact site", town: "nearest town or base centre", approx: "approximate (within ~10 km)"
  };
  function sourceList(layer, ids) {
    var wrap = el("div", { cls: "dm-sources" });
    wrap.appendChild(el("strong", { text: "Sources" }));
    var list = el("ol");
    ids.forEach(function (id) {
      var s = layer.sources.filter(function (x) { return x.id === id; })[0];
      if (!s) { return; }
      var item = el("li");
      var title = s.url ? el("a", { href: s.url, target: "_blank", rel: "noopener noreferrer", text: s.title })
        : el("span", { text: s.title });
      item.appendChild(title);
      var tail = [s.publisher, s.date].filter(Boolean).join(", ");
      if (tail) { item.appendChild(document.createTextNode(" — " + tail)); }
      if (s.quote) { item.appendChild(el("blockquote", { text: "“" + s.quote + "”" })); }
      list.appendChild(item);
    });
    wrap.appendChild(list);
    return wrap;
  }

  // ---- visibility, legend, permalink -----------------------------------------------------
  var visible = dict();
  function setVisible(id, on) {
    if (!has(overlays, id)) { return; }
    visible[id] = !!on;
    if (on) { overlays[id].addTo(map); } else { map.removeLayer(overlays[id]); }
    if (has(layerBoxes, id)) { layerBoxes[id].checked = !!on; }
    syncGroupBoxes();
    renderLegend();
    applyTimeline();
    updateHash();
  }

  // A panel's heading folds it away and back: on a small screen the map needs the room.
  function toggleButton(box, label) {
    var button = el("button", { type: "button", cls: "dm-toggle", "aria-expanded": "true", text: label });
    button.addEventListener("click", function () {
      var folded = box.classList.toggle("dm-folded");
      button.setAttribute("aria-expanded", folded ? "false" : "true");
    });
    if (window.matchMedia && window.matchMedia("(max-width: 600px)").matches) {
      box.classList.add("dm-folded");
      button.setAttribute("aria-expanded", "false");
    }
    return button;
  }

  var LayerControl = L.Control.extend({
    options: { position: "topright" },
    onAdd: function () {
      var box = el("div", { cls: "dm-panel dm-layers", "aria-label": "Layers" });
      box.appendChild(toggleButton(box, "Layers and base map"));
      if (DATA.basemaps.length) { box.appendChild(el("h4", { text: "Base map" })); }
      DATA.basemaps.forEach(function (b) {
        var input = el("input", { type: "radio", name: "dm-base", value: b.id });
        input.addEventListener("change", function () { setBase(b.id); });
        baseRadios[b.id] = input;
        box.appendChild(el("label", {}, [input, el("span", { text: b.name })]));
      });
      box.appendChild(el("h4", { text: "Layers" }));
      DATA.groups.forEach(function (g, index) {
        var groupBox = el("input", { type: "checkbox", "data-group": g.name });
        groupBoxes[index] = groupBox;
        groupBox.addEventListener("change", function () {
          // read the box once: setVisible re-syncs it (half-checked) after the first layer
          var on = groupBox.checked;
          g.layers.forEach(function (id) { setVisible(id, on); });
        });
        var inner = el("div", { cls: "dm-group-layers" });
        g.layers.forEach(function (id) {
          var layer = layerById[id];
          var input = el("input", { type: "checkbox", "data-layer-id": id });
          input.addEventListener("change", function () { setVisible(id, input.checked); });
          layerBoxes[id] = input;
          inner.appendChild(el("label", { title: layer.description || "" },
            [input, swatch(layer.style), el("span", { text: layer.title })]));
        });
        box.appendChild(el("div", { cls: "dm-group" },
          [el("label", {}, [groupBox, el("span", { text: g.name })]), inner]));
      });
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    }
  });
  function syncGroupBoxes() {
    DATA.groups.forEach(function (g, index) {
      var box = groupBoxes[index];
      if (!box) { return; }
      var on = g.layers.filter(function (id) { return visible[id]; }).length;
      box.checked = on === g.layers.length;
      box.indeterminate = on > 0 && on < g.layers.length;
    });
  }

  var legendBody = null;
  var Legend = L.Control.extend({
    options: { position: "bottomright" },
    onAdd: function () {
      var box = el("div", { cls: "dm-panel dm-legend", "aria-label": "Legend" });
      box.appendChild(toggleButton(box, "Legend"));
      legendBody = el("div");
      box.appendChild(legendBody);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    }
  });
  function renderLegend() {
    if (!legendBody) { return; }
    legendBody.textContent = "";
    var list = el("ul");
    var roles = dict();
    var anyUncertain = false;
    DATA.layers.forEach(function (layer) {
      if (!visible[layer.id]) { return; }
      var item = el("li", { "data-legend-layer": layer.id }, [swatch(layer.style), el("span", { text: layer.title })]);
      list.appendChild(item);
      layer.notes.forEach(function (n) { list.appendChild(el("li", { cls: "dm-note", text: "Note: " + n })); });
      layer.features.features.forEach(function (f) {
        if (f.properties.kind === "site") { roles[f.properties.role] = true; }
        if (f.properties.uncertainty) { anyUncertain = true; }
      });
    });
    if (!list.childNodes.length) {
      legendBody.appendChild(el("div", { cls: "dm-empty", text: "No layer shown" }));
      return;
    }
    legendBody.appendChild(list);
    var keys = el("ul");
    Object.keys(ROLE_WORDS).forEach(function (r) {
      if (roles[r]) { keys.appendChild(el("li", {}, [symbol(r, "#555", false), el("span", { text: ROLE_WORDS[r] })])); }
    });
    if (anyUncertain) {
      var dash = el("span", { cls: "dm-swatch" });
      dash.style.borderStyle = "dotted"; dash.style.borderColor = "#555";
      keys.appendChild(el("li", {}, [dash, el("span", { text: "dotted / faded: uncertain or nominal value" })]));
    }
    if (keys.childNodes.length) { legendBody.appendChild(keys); }
  }

  var Title = L.Control.extend({
    options: { position: "topleft" },
    onAdd: function () {
      var box = el("div", { cls: "dm-panel dm-title" });
      box.appendChild(document.createTextNode(DATA.title));
      if (DATA.subtitle) { box.appendChild(el("small", { text: DATA.subtitle })); }
      return box;
    }
  });

  // ---- timeline: dim what was not (yet or any more) in force on the chosen date --------------
  var timelineDate = null;
  var Timeline = L.Control.extend({
    options: { position: "bottomleft" },
    onAdd: function () {
      var box = el("div", { cls: "dm-panel dm-timeline", "aria-label": "Timeline" });
      box.appendChild(el("h4", { text: "Timeline" }));
      var all = el("input", { type: "checkbox", checked: "checked", "data-timeline": "all" });
      var slider = el("input", { type: "range", min: String(DATA.timeline.min), max: String(DATA.timeline.max),
        step: "1", value: String(DATA.timeline.max), disabled: "disabled", "data-timeline": "year" });
      var label = el("span", { cls: "dm-when", text: "all dates" });
      function update() {
        slider.disabled = all.checked;
        timelineDate = all.checked ? null : slider.value;
        label.textContent = all.checked ? "all dates" : "as of " + slider.value;
        applyTimeline();
      }
      all.addEventListener("change", update);
      slider.addEventListener("input", update);
      box.appendChild(el("label", {}, [all, el("span", { text: " show all dates " })]));
      box.appendChild(el("div", {}, [slider, el("span", { text: " " }), label]));
      L.DomEvent.disableClickPropagation(box);
      return box;
    }
  });
  function inForce(from, to, year) {
    if (from && String(from).slice(0, 4) > year) { return false; }
    if (to && String(to).slice(0, 4) < year) { return false; }
    return true;
  }
  function applyTimeline() {
    DATA.layers.forEach(function (layer) {
      overlays[layer.id].eachLayer(function (lyr) {
        var p = lyr.feature.properties;
        var on = timelineDate === null || (inForce(layer.period.from, layer.period.to, timelineDate) &&
          inForce(p.date_from, p.date_to, timelineDate));
        if (lyr.setStyle) {
          var s = pathStyle(layer.style, p, !!lyr.dmOutline);
          if (!on) { s.opacity = 0.12; s.fillOpacity = 0.03; }
          lyr.setStyle(s);
        } else if (lyr.setOpacity) {
          lyr.setOpacity(on ? 1 : 0.2);
        }
      });
    });
  }

  // ---- URL fragment: #map=zoom/lat/lon&layers=a,b&base=id ----------------------------------
  var restoring = false;
  function updateHash() {
    if (restoring || !map._loaded) { return; }
    var c = map.getCenter();
    var ids = DATA.layers.filter(function (l) { return visible[l.id]; }).map(function (l) { return l.id; });
    var hash = "#map=" + map.getZoom().toFixed(2).replace(/\.?0+$/, "") + "/" + c.lat.toFixed(4) + "/" +
      c.lng.toFixed(4) + "&layers=" + ids.join(",") + (currentBase ? "&base=" + currentBase : "");
    if (window.location.hash !== hash) {
      try { window.history.replaceState(null, "", hash); } catch (e) { /* file:// in some browsers */ }
    }
  }
  function parseHash() {
    var out = dict();
    window.location.hash.replace(/^#/, "").split("&").forEach(function (part) {
      var i = part.indexOf("=");
      if (i <= 0) { return; }
      try {
        out[decodeURIComponent(part.slice(0, i))] = decodeURIComponent(part.slice(i + 1));
      } catch (e) { /* a malformed %-escape: ignore that part of the link */ }
    });
    return out;
  }
  // Our panels cover the map's corners. Fitted views and opened popups keep clear of them: below
  // the title, left of the right-hand column, above the timeline (each at most a third of the map).
  function panelPadding() {
    var box = map.getContainer().getBoundingClientRect();
    function corner(cls) { return map.getContainer().querySelector(cls).getBoundingClientRect(); }
    var rightColumn = Math.min(corner(".leaflet-top.leaflet-right").left,
      corner(".leaflet-bottom.leaflet-right").left);
    return {
      topLeft: L.point(0, Math.min(corner(".leaflet-top.leaflet-left").bottom - box.top, box.height / 3)),
      bottomRight: L.point(Math.min(box.right - rightColumn, box.width / 3),
        Math.min(box.bottom - corner(".leaflet-bottom.leaflet-left").top, box.height / 3))
    };
  }
  function restore() {
    var h = parseHash();
    restoring = true;
    // layers first, so the legend has its full size when the view is fitted around the panels
    var wanted = h.layers !== undefined ? h.layers.split(",").filter(Boolean) : null;
    DATA.layers.forEach(function (l) {
      setVisible(l.id, wanted ? wanted.indexOf(l.id) >= 0 : l.visible);
    });
    setBase(h.base);
    var view = (h.map || "").split("/").map(Number);
    if (view.length === 3 && view.every(isFinite)) {
      map.setView([view[1], view[2]], view[0]);
    } else {
      var pad = panelPadding();
      map.fitBounds(DATA.bounds, { paddingTopLeft: pad.topLeft, paddingBottomRight: pad.bottomRight });
    }
    restoring = false;
    updateHash();
  }

  new Title().addTo(map);
  new LayerControl().addTo(map);
  new Legend().addTo(map);
  L.control.scale({ imperial: false, position: "bottomleft" }).addTo(map);
  new Timeline().addTo(map);
  restore();
  map.on("moveend", updateHash);
  window.addEventListener("hashchange", function () {
    var h = parseHash();
    var view = (h.map || "").split("/").map(Number);
    if (view.length === 3 && view.every(isFinite)) { map.setView([view[1], view[2]], view[0]); }
  });
  // Printing lays the page out on paper without a resize event: tell Leaflet the new size and
  // keep the view's centre and zoom; going back to the screen does the same in reverse.
  if (window.matchMedia) {
    var printMedia = window.matchMedia("print");
    var printedView = null;
    var onPrintChange = function (event) {
      if (event.matches) { printedView = { center: map.getCenter(), zoom: map.getZoom() }; }
      if (!printedView) { return; }
      map.invalidateSize({ pan: false });
      map.setView(printedView.center, printedView.zoom, { animate: false });
      if (!event.matches) { printedView = null; }
    };
    if (printMedia.addEventListener) { printMedia.addEventListener("change", onPrintChange); }
    else if (printMedia.addListener) { printMedia.addListener(onPrintChange); }
  }
  window.defenseMap = { map: map, overlays: overlays, setVisible: setVisible, visible: visible };
}());
