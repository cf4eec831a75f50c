/* defense-map: our own small controls on a folium (Leaflet) map.
   `DefenseMap.create(map, config)` sets up the base maps and panels of one Leaflet map, each
   `.layer(data)` adds one overlay (folium renders one call per layer), and `.start()` shows what
   the link or the layer files ask for. The look (symbols, words, uncertain styling, base-map
   colours) arrives as data from Python's one style table. Every user string reaches the page
   through textContent or attribute setters, never innerHTML, so names and quotes show as text. */
window.DefenseMap = (function () {
  "use strict";
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  // "2007" -> "2007", "2007-01" -> "Jan 2007", "2009-09-17" -> "17 Sep 2009"
  function dateWords(d) {
    var m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$/.exec(String(d));
    if (!m) { return String(d); }
    var month = m[2] ? MONTHS[+m[2] - 1] + " " : "";
    return (m[3] ? +m[3] + " " : "") + month + m[1];
  }

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

  // A big layer's features arrive as columns (html.py `compact_features`: per property one
  // value for all, codes into a few values, values at some indexes, or a value each; shapes
  // as vertex counts over one stream of delta-coded integer vertices). They are made into
  // the same GeoJSON features a small layer carries, so the rest of the page reads one form.
  function columnValues(col, n) {
    var out = new Array(n), i;
    if (has(col, "all")) { for (i = 0; i < n; i++) { out[i] = col.all; } }
    else if (has(col, "codes")) { for (i = 0; i < n; i++) { out[i] = col.keys[col.codes[i]]; } }
    else if (has(col, "at")) {
      for (i = 0; i < n; i++) { out[i] = null; }
      for (i = 0; i < col.at.length; i++) { out[col.at[i]] = col.values[i]; }
    } else { out = col.values; }
    return out;
  }
  // integers written as Google's encoded polylines write them (html.py `polyline_text`)
  function polylineNumbers(text) {
    var out = [], value = 0, unit = 1;
    for (var i = 0; i < text.length; i++) {
      var chunk = text.charCodeAt(i) - 63;
      value += (chunk & 31) * unit;  // not <<: a folded number may pass 2^31
      unit *= 32;
      if (chunk < 32) {
        out.push(value % 2 ? -(value + 1) / 2 : value / 2);
        value = 0;
        unit = 1;
      }
    }
    return out;
  }
  function decodeCompact(c) {
    var n = c.count, scale = c.scale, names = Object.keys(c.columns), values = names.map(function (k) { return columnValues(c.columns[k], n); });
    var types = columnValues(c.geometry.types, n), parts = columnValues(c.geometry.parts, n);
    var xy = polylineNumbers(c.geometry.xy), at = 0, x = 0, y = 0;
    function take(count) {
      var out = new Array(count);
      for (var i = 0; i < count; i++) { x += xy[at++]; y += xy[at++]; out[i] = [x / scale, y / scale]; }
      return out;
    }
    function nested(shape) { return typeof shape === "number" ? take(shape) : shape.map(nested); }
    var features = new Array(n);
    for (var i = 0; i < n; i++) {
      var p = {};
      for (var k = 0; k < names.length; k++) {
        var v = values[k][i];
        if (v !== null && v !== undefined) { p[names[k]] = v; }
      }
      var g = types[i] === "Point" ? { type: "Point", coordinates: take(1)[0] } :
        types[i] ? { type: types[i], coordinates: nested(parts[i]) } : null;
      features[i] = { type: "Feature", id: p.id, geometry: g, properties: p };
    }
    return { type: "FeatureCollection", features: features };
  }

  function create(map, DATA, basemap) {
    var LOOK = DATA.look;
    if (basemap) { DATA.vector_basemap = basemap; }
    DATA.layers = [];
    // The reader's tools in their own files (timeline.js, search.js, measure.js) plug in here
    var PREFIX = DATA.pane ? DATA.pane.prefix : "";
    if (DATA.list_id) { prepareList(DATA.list_id); }
    // headings: the map's title, then its panels' (a comparison's page title is above both)
    var HEADING = DATA.pane ? "h2" : "h1", SUB_HEADING = DATA.pane ? "h3" : "h2";
    var ctx = { map: map, DATA: DATA, LOOK: LOOK, el: el, dateWords: dateWords, onStart: [], hash: [],
      key: function (name) { return PREFIX + name; } };
    function roleOf(role) { return has(LOOK.roles, role) ? role : "other"; }
    function symbol(role, color, uncertain) {
      var u = LOOK.uncertain;
      var svg = svgEl("svg", { viewBox: "0 0 16 16", width: "16", height: "16", "class": "dm-symbol",
        "aria-hidden": "true", "data-role": roleOf(role) });
      svg.appendChild(svgEl("path", {
        d: LOOK.roles[roleOf(role)].path, fill: color, "fill-rule": "evenodd",
        "fill-opacity": String(uncertain ? u.marker_fill_opacity : u.marker_fill_opacity_certain),
        stroke: u.marker_stroke, "stroke-width": String(u.marker_stroke_width)
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

    // ---- base maps ---------------------------------------------------------------------------
    map.attributionControl.setPrefix("Leaflet");
    map.getContainer().style.background = LOOK.basemap.sea;
    // each base map is made when first shown (the vector one is thousands of shapes)
    var baseLayers = dict(), baseMakers = dict();
    DATA.basemaps.forEach(function (b) {
      baseMakers[b.id] = b.vector ? function () { return vectorBasemap(DATA.vector_basemap); } : function () {
        return L.tileLayer(b.url, { attribution: b.attribution, maxZoom: b.max_zoom, subdomains: b.subdomains || "abc" });
      };
    });
    function baseLayer(id) {
      if (!has(baseLayers, id)) { baseLayers[id] = baseMakers[id](); }
      return baseLayers[id];
    }
    var declutterSeas = function () {};  // the vector base map's, once it is made
    function vectorBasemap(vb) {
      var group = L.layerGroup();
      if (!vb) { return group; }
      var colors = LOOK.basemap;
      map.createPane("dm-basemap").style.zIndex = 150;
      // Labels need a pane of their own: Leaflet stacks every SVG above its siblings (z-index
      // 200), so labels in the land's pane would be hidden under it.
      var labels = map.createPane("dm-basemap-labels");
      labels.style.zIndex = 160;
      labels.style.pointerEvents = "none";
      labels.style.color = colors.sea_label;
      group.addLayer(L.rectangle([[-90, -180], [90, 180]], {
        pane: "dm-basemap", stroke: false, fillColor: colors.sea, fillOpacity: 1, interactive: false
      }));
      group.addLayer(L.geoJSON(vb.land, { pane: "dm-basemap", interactive: false,
        style: { stroke: false, fillColor: colors.land, fillOpacity: 1 } }));
      group.addLayer(L.geoJSON(vb.borders, { pane: "dm-basemap", interactive: false,
        style: { color: colors.border, weight: colors.border_width, opacity: 1 } }));
      // markers of text centred on their point by CSS (a tooltip measures itself as it is
      // added: one layout per name, a tenth of a second for the base map's hundred); they are
      // no markers to anyone who looks for those, so they drop Leaflet's marker class
      var seaNames = (vb.sea_labels || []).map(function (s) {
        var name = L.marker([s.lat, s.lon], { pane: "dm-basemap-labels", interactive: false,
          keyboard: false, icon: L.divIcon({ className: "dm-sea-label", iconSize: null,
            html: el("span", { text: s.name }) }) });
        group.addLayer(name);
        return name;
      });
      // The names come largest sea first: one that would overlap a marker, a site's label or
      // a name already shown waits for a closer zoom (the Kattegat beside the Baltic; over
      // the whole world only the largest seas keep theirs). Measured all at once: one layout.
      function declutter() {
        if (!map.hasLayer(group)) { return; }
        var nodes = seaNames.map(function (name) { return name.getElement(); }).filter(Boolean);
        nodes.forEach(function (node) { node.style.visibility = ""; });
        var around = map.getContainer().querySelectorAll(
          ".leaflet-marker-pane .leaflet-marker-icon, .leaflet-dm-site-labels-pane .dm-site-label");
        var kept = Array.prototype.filter.call(around, function (node) {
          return node.style.display !== "none";
        }).map(function (node) {
          var r = node.getBoundingClientRect();
          return L.bounds([r.left, r.top], [r.right, r.bottom]);
        });
        // the words' own box: the span, centred on the marker's point
        var rects = nodes.map(function (node) { return (node.firstChild || node).getBoundingClientRect(); });
        nodes.forEach(function (node, i) {
          var r = rects[i], box = L.bounds([r.left - 2, r.top - 1], [r.right + 2, r.bottom + 1]);
          if (kept.some(function (k) { return k.intersects(box); })) { node.style.visibility = "hidden"; }
          else { kept.push(box); }
        });
      }
      declutterSeas = declutter;  // after the site labels, which move with the view
      group.on("add", function () {
        seaNames.forEach(function (name) { L.DomUtil.removeClass(name.getElement(), "leaflet-marker-icon"); });
        declutter();
      });
      // Leaflet adds and removes a layer's attribution as the layer comes and goes.
      group.getAttribution = function () { return vb.attribution; };
      return group;
    }
    var currentBase = null;
    function setBase(id) {
      if (!DATA.basemaps.length) { return; }  // offline without reference geography: no base map
      if (!has(baseMakers, id)) { id = DATA.basemaps[0].id; }
      if (currentBase !== null) { map.removeLayer(baseLayers[currentBase]); }
      currentBase = id;
      baseLayer(id).addTo(map);
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
    var visible = dict();
    var started = false;
    var featureById = dict();  // layer id + NUL + feature id -> GeoJSON feature
    function addLayer(layer) {
      if (layer.compact) { layer.features = decodeCompact(layer.compact); delete layer.compact; }
      DATA.layers.push(layer);
      layerById[layer.id] = layer;
      layer.features.features.forEach(function (f) { featureById[layer.id + "\u0000" + f.properties.id] = f; });
      // A layer with many sites draws them on the page's site canvas instead of as markers
      var onCanvas = layer.draw_sites === "canvas";
      function isSite(f) { return !!f.geometry && f.geometry.type === "Point"; }
      var overlay = L.geoJSON(layer.features, {
        filter: onCanvas ? function (f) { return !isSite(f); } : null,
        style: function (f) { return pathStyle(layer.style, f.properties, false); },
        pointToLayer: function (f, latlng) { return siteMarker(layer.style, f.properties, latlng); },
        onEachFeature: function (f, lyr) { bindFeature(layer, f, lyr); }
      });
      if (onCanvas) { overlay.addLayer(new SiteLayer(layer, layer.features.features.filter(isSite))); }
      // A shape cut at ±180° or closed over a pole is filled without a stroke, and its outline
      // is stroked without those cuts, so no line runs down the antimeridian or along the top.
      layer.features.features.forEach(function (f) {
        if (!f.properties.outline) { return; }
        L.geoJSON(f.properties.outline, { style: pathStyle(layer.style, f.properties, true) })
          .eachLayer(function (lyr) { lyr.dmOutline = true; bindFeature(layer, f, lyr); overlay.addLayer(lyr); });
      });
      // However the overlay comes and goes (our panel, a folium LayerControl, the user's own
      // code), the panel, the legend and the link follow.
      overlay.on("add", function () { shown(layer.id, true); });
      overlay.on("remove", function () { shown(layer.id, false); });
      overlays[layer.id] = overlay;
      return overlay;
    }
    function bindFeature(layer, f, lyr) {
      // No feature opens its own popup: a large ring or region would catch every click inside
      // it. Clicks go to `openAt`, which finds the smallest feature under the pointer.
      if (f.geometry.type === "Point") {
        // a marker may sit on another one (two layers' sites at one base): it opens first, and
        // the others there are listed in its popup
        lyr.on("click", function (e) {
          L.DomEvent.stop(e);
          var at = map.latLngToContainerPoint(lyr.getLatLng());
          if (ctx.measureClick && ctx.measureClick(at, lyr.getLatLng())) { return; }
          openAt(at, lyr.getLatLng(), lyr);
        });
      }
      // Leaflet writes string content with innerHTML: hand it a text-only element instead
      lyr.bindTooltip(function () { return el("span", { text: tooltipText(f.properties) }); },
        { sticky: f.geometry.type !== "Point" });
      lyr.feature = f;
      lyr.dmLayer = layer;
      if (f.geometry.type !== "Point") {
        lyr.on("add", function () {
          var node = lyr.getElement && lyr.getElement();
          if (!node) { return; }
          node.setAttribute("role", "button");
          node.setAttribute("tabindex", "0");
          name(node, lyr);
          if (node.dmKeys) { return; }
          node.dmKeys = true;
          node.addEventListener("keydown", function (ev) {
            if (ev.key !== "Enter" && ev.key !== " ") { return; }
            ev.preventDefault();
            openFeature({ layer: layer, feature: f }, anchorOf(f), []);
          });
        });
      }
    }
    // where a feature's popup opens when it is not clicked: a site's place, a shape's anchor
    function anchorOf(f) {
      if (f.geometry.type === "Point") { return L.latLng(f.geometry.coordinates[1], f.geometry.coordinates[0]); }
      var a = f.properties.anchor;
      return a ? L.latLng(a[0], a[1]) : L.geoJSON(f).getBounds().getCenter();
    }
    // A popup opens clear of our panels; one taller than the room between them scrolls.
    function padPopup(p) {
      var pad = panelPadding();
      p.options.autoPanPaddingTopLeft = pad.topLeft.add([5, 5]);
      p.options.autoPanPaddingBottomRight = pad.bottomRight.add([5, 5]);
      var room = map.getSize().y - pad.topLeft.y - pad.bottomRight.y - 70;  // tip and margins
      p.options.maxHeight = Math.max(120, room);
      p.options.maxWidth = Math.max(160, Math.min(360, map.getSize().x - 60));  // phones too
    }

    // ---- a click on the map: the smallest feature under the pointer, the others listed ------
    var HIT_PX = 6;  // how near a line or an outline a click counts as on it
    var MARKER_PX = 9;  // how near a marker's middle (its symbol is 16 px across)
    function distanceToParts(lyr, point, closed) {
      var best = Infinity;
      (lyr._parts || []).forEach(function (ring) {
        for (var i = 0; i < ring.length; i++) {
          var j = i + 1 === ring.length ? (closed ? 0 : -1) : i + 1;
          if (j >= 0) { best = Math.min(best, L.LineUtil.pointToSegmentDistance(point, ring[i], ring[j])); }
        }
      });
      return best;
    }
    function pixelSize(lyr) {
      var b = lyr._pxBounds;
      return b ? (b.max.x - b.min.x) * (b.max.y - b.min.y) : Infinity;
    }
    // What is under a container point: lines and outlines within HIT_PX first (nearest first),
    // then the shapes that contain the point, smallest first. One entry per feature.
    function featuresAt(containerPoint, clicked) {
      var point = map.containerPointToLayerPoint(containerPoint);
      var found = dict();
      function rankOf(lyr) {
        if (lyr === clicked) { return [-1, 0]; }
        if (lyr.getLatLng) {
          var d = map.latLngToContainerPoint(lyr.getLatLng()).distanceTo(containerPoint);
          return d <= MARKER_PX ? [0, d] : null;
        }
        if (!lyr._parts) { return null; }
        var near = lyr.options.stroke ? distanceToParts(lyr, point, lyr instanceof L.Polygon) : Infinity;
        if (near <= HIT_PX + lyr.options.weight / 2) { return [0, near]; }
        var filled = lyr.options.fill && lyr instanceof L.Polygon;
        if (filled && L.Polygon.prototype._containsPoint.call(lyr, point)) { return [1, pixelSize(lyr)]; }
        return null;
      }
      function consider(layer, feature, rank) {
        if (rank === null) { return; }
        var key = layer.id + "\u0000" + feature.properties.id;
        var seen = lookup(found, key);
        if (!seen || rank[0] < seen.rank[0] || (rank[0] === seen.rank[0] && rank[1] < seen.rank[1])) {
          found[key] = { layer: layer, feature: feature, rank: rank };
        }
      }
      DATA.layers.forEach(function (layer) {
        if (!visible[layer.id]) { return; }
        overlays[layer.id].eachLayer(function (lyr) {
          if (lyr.dmSites) {  // the layer's sites on the canvas, by position
            lyr.hits(containerPoint, MARKER_PX).forEach(function (h) { consider(layer, h.feature, [0, h.d]); });
          } else if (lyr.feature) {
            consider(layer, lyr.feature, rankOf(lyr));
          }
        });
      });
      return Object.keys(found).map(function (k) { return found[k]; }).sort(function (a, b) {
        return a.rank[0] - b.rank[0] || a.rank[1] - b.rank[1];
      });
    }
    var clickPopup = null;
    function openFeature(hit, latlng, others) {
      if (clickPopup) { map.closePopup(clickPopup); }
      clickPopup = L.popup({ maxWidth: 360 });
      padPopup(clickPopup);
      clickPopup.setLatLng(latlng).setContent(popup(hit.layer, hit.feature.properties, others.map(function (o) {
        return { hit: o, open: function () { openFeature(o, latlng, [hit].concat(others.filter(function (x) { return x !== o; }))); } };
      }))).openOn(map);
    }
    function openAt(containerPoint, latlng, clicked) {
      var hits = featuresAt(containerPoint, clicked);
      if (hits.length) { openFeature(hits[0], latlng, hits.slice(1)); }
    }
    map.on("click", function (e) {
      if (ctx.measureClick && ctx.measureClick(e.containerPoint, e.latlng)) { return; }
      openAt(e.containerPoint, e.latlng, null);
    });
    function pathStyle(style, p, outline) {
      var u = LOOK.uncertain;
      var uncertain = !!p.uncertainty;
      return {
        stroke: outline || !p.outline, fill: !outline && p.kind !== "link",
        color: style.color, weight: style.weight,
        opacity: uncertain ? style.opacity * u.stroke_opacity_factor : style.opacity,
        fillColor: style.fill,
        fillOpacity: uncertain ? style.fill_opacity * u.fill_opacity_factor : style.fill_opacity,
        dashArray: uncertain ? u.dash : (style.dash || null)
      };
    }
    // Sites of several layers at one place (a base used in 2008 and again in 2016) are drawn
    // side by side, so that each can be seen and clicked.
    var markersAt = dict();
    function siteMarker(style, p, latlng) {
      var box = el("div");
      box.appendChild(symbol(p.role, style.color, !!p.uncertainty));
      var where = latlng.lat.toFixed(3) + "," + latlng.lng.toFixed(3);
      var before = lookup(markersAt, where) || 0;
      markersAt[where] = before + 1;
      var shift = before ? (before % 2 ? -1 : 1) * Math.ceil(before / 2) * 14 : 0;
      var icon = L.divIcon({ html: box.innerHTML, className: "dm-marker", iconSize: [16, 16],
        iconAnchor: [8 - shift, 8] });
      var marker = L.marker(latlng, { icon: icon, keyboard: true, title: "", alt: p.name });
      marker.on("add", function () { if (marker._icon) { name(marker._icon, marker); } });
      return marker;
    }
    // what a screen reader says for a feature: its name, kind and layer, and whether it was in
    // force on the timeline's date
    function accessibleName(lyr) {
      var p = lyr.feature.properties;
      return p.name + ", " + kindWord(p) + (p.uncertainty ? ", uncertain" : "") + ", " + lyr.dmLayer.title +
        (lyr.dmFaded ? " (not in force on the chosen date)" : "");
    }
    function name(node, lyr) {
      node.setAttribute("aria-label", accessibleName(lyr));
      node.classList.toggle("dm-faded", !!lyr.dmFaded);
    }
    function tooltipText(p) {
      var text = p.name;
      if (p.uncertainty) { text += " (uncertain)"; }
      return text;
    }

    // ---- many sites: one canvas for every layer drawn that way --------------------------------
    // Thousands of markers (one element each) make a page slow to open and to pan. Sites of the
    // layers html.py puts on the canvas are drawn there with the same symbols, found by
    // position for clicks and hovers, and listed in the text version for screen readers.
    var SITE_PAD = 0.3;  // the canvas reaches this far (of the view's size) beyond each side
    var siteLayers = [], siteCanvas = null, siteBounds = null, siteFrame = null;
    var sprites = dict(), spriteList = [];
    function gray(color) {
      var m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
      if (!m) { return "#999999"; }
      var v = Math.round(0.299 * parseInt(m[1], 16) + 0.587 * parseInt(m[2], 16) + 0.114 * parseInt(m[3], 16));
      return "rgb(" + v + "," + v + "," + v + ")";
    }
    function paintSymbol(g, role, color, uncertain, faded) {
      var u = LOOK.uncertain, path = new Path2D(LOOK.roles[role].path), alpha = faded ? 0.2 : 1;
      g.globalAlpha = alpha * (uncertain ? u.marker_fill_opacity : u.marker_fill_opacity_certain);
      g.fillStyle = faded ? gray(color) : color;
      g.fill(path, "evenodd");
      g.globalAlpha = alpha;
      g.strokeStyle = u.marker_stroke;
      g.lineWidth = u.marker_stroke_width;
      g.stroke(path);
    }
    // A role's symbol as a small bitmap, drawn as the marker's SVG is (faded: grey, at 0.2, as a
    // faded marker), with what it covers on a grid of CELL px, for each of the four ways a
    // symbol at a whole pixel can sit on that grid: `foot`, the cells it touches, and `cover`,
    // those it hides (every pixel nearly opaque). Both are lists of [dx, dy] cells.
    var CELL = 2, SPAN = 9;  // a 16 px symbol at any whole pixel spans 9 cells of 2 px
    function sprite(role, color, uncertain, faded) {
      var key = [role, color, uncertain ? "u" : "", faded ? "f" : ""].join("|");
      if (!has(sprites, key)) {  // made when first drawn: most faded ones never are
        sprites[key] = spriteList.length;
        spriteList.push({ role: role, color: color, uncertain: uncertain, faded: faded, image: null });
      }
      return sprites[key];
    }
    function readySprite(id) {
      var sp = spriteList[id];
      if (sp.image) { return sp; }
      var ratio = window.devicePixelRatio || 1;
      sp.image = document.createElement("canvas");
      sp.image.width = sp.image.height = Math.ceil(16 * ratio);
      var g = sp.image.getContext("2d");
      g.scale(ratio, ratio);
      paintSymbol(g, sp.role, sp.color, sp.uncertain, sp.faded);
      var cells = symbolCells(sp.role, sp.uncertain, sp.faded);
      sp.foot = cells.foot;
      sp.cover = cells.cover;
      return sp;
    }
    // what a symbol touches and hides does not depend on its colour: found once per shape
    var cellsOf = dict();
    function symbolCells(role, uncertain, faded) {
      var key = [role, uncertain ? "u" : "", faded ? "f" : ""].join("|");
      if (has(cellsOf, key)) { return cellsOf[key]; }
      var probe = document.createElement("canvas");
      probe.width = probe.height = 16;
      var pg = probe.getContext("2d");
      paintSymbol(pg, role, "#000000", uncertain, faded);
      var alpha = pg.getImageData(0, 0, 16, 16).data;
      var sp = { foot: [], cover: [] };
      cellsOf[key] = sp;
      for (var par = 0; par < 4; par++) {
        var sx = par & 1, sy = par >> 1, touched = new Uint8Array(SPAN * SPAN), solid = new Uint8Array(SPAN * SPAN);
        for (var j = 0; j < 16; j++) {
          for (var i = 0; i < 16; i++) {
            var a = alpha[(j * 16 + i) * 4 + 3], cell = ((sy + j) >> 1) * SPAN + ((sx + i) >> 1);
            if (a > 4) { touched[cell] = 1; }
            if (a >= 217) { solid[cell]++; }
          }
        }
        var foot = [], cover = [];
        for (var c = 0; c < SPAN * SPAN; c++) {
          if (touched[c]) { foot.push([c % SPAN, Math.floor(c / SPAN)]); }
          if (solid[c] === CELL * CELL) { cover.push([c % SPAN, Math.floor(c / SPAN)]); }
        }
        sp.foot.push(foot);
        sp.cover.push(cover);
      }
      return sp;
    }
    var SiteLayer = L.Layer.extend({
      initialize: function (layer, features) {
        var n = features.length, crs = map.options.crs, self = this, looks = dict();
        this.dmSites = true;
        this.layer = layer;
        this.features = features;
        this.x0 = new Float64Array(n);  // projected at zoom 0: scaled to any zoom
        this.y0 = new Float64Array(n);
        this.look = new Uint16Array(n);
        this.faded = new Uint8Array(n);
        this.fadeKey = null;
        this.sprites = [];
        this.labels = dict();
        this.bounds = L.latLngBounds([]);
        features.forEach(function (f, i) {
          var c = f.geometry.coordinates, latlng = L.latLng(c[1], c[0]), pt = crs.latLngToPoint(latlng, 0);
          self.x0[i] = pt.x;
          self.y0[i] = pt.y;
          self.bounds.extend(latlng);
          var p = f.properties, key = roleOf(p.role) + (p.uncertainty ? "|u" : "");
          if (!has(looks, key)) {
            looks[key] = self.sprites.length;
            self.sprites.push([sprite(roleOf(p.role), layer.style.color, !!p.uncertainty, false),
              sprite(roleOf(p.role), layer.style.color, !!p.uncertainty, true)]);
          }
          self.look[i] = looks[key];
        });
      },
      onAdd: function () {
        siteLayers.push(this);
        siteLayers.sort(function (a, b) { return DATA.layers.indexOf(a.layer) - DATA.layers.indexOf(b.layer); });
        redrawSites();
      },
      onRemove: function () {
        siteLayers.splice(siteLayers.indexOf(this), 1);
        redrawSites();
      },
      getBounds: function () { return this.bounds; },
      // where site i is now, from a corner whose layer point is `corner` (all in pixels)
      _frame: function (corner) {
        var scale = map.options.crs.scale(map.getZoom()) / map.options.crs.scale(0);
        var origin = map.getPixelOrigin();
        return { scale: scale, ox: origin.x + corner.x, oy: origin.y + corner.y };
      },
      // the sites within `px` of a container point, nearest first: [{ feature, d }]
      hits: function (containerPoint, px) {
        var t = this._frame(map.containerPointToLayerPoint([0, 0])), out = [];
        var cx = containerPoint.x, cy = containerPoint.y;
        for (var i = 0; i < this.x0.length; i++) {
          var dx = this.x0[i] * t.scale - t.ox - cx;
          if (dx > px || dx < -px) { continue; }
          var dy = this.y0[i] * t.scale - t.oy - cy;
          if (dy > px || dy < -px) { continue; }
          var d = Math.sqrt(dx * dx + dy * dy);
          if (d <= px) { out.push({ feature: this.features[i], index: i, d: d }); }
        }
        return out.sort(function (a, b) { return a.d - b.d; });
      },
      // the sites inside the map's view widened by `margin` px, up to `limit` of them: [{ index, c }]
      inView: function (margin, limit) {
        var t = this._frame(map.containerPointToLayerPoint([0, 0])), size = map.getSize(), out = [];
        for (var i = 0; i < this.x0.length && out.length < limit; i++) {
          var x = this.x0[i] * t.scale - t.ox, y = this.y0[i] * t.scale - t.oy;
          if (x >= -margin && y >= -margin && x <= size.x + margin && y <= size.y + margin) {
            out.push({ index: i, c: L.point(x, y) });
          }
        }
        return out;
      },
      // fade the sites not in force on the timeline's date (`on(properties)` says which are)
      fade: function (key, on) {
        if (key === this.fadeKey) { return; }
        this.fadeKey = key;
        for (var i = 0; i < this.features.length; i++) { this.faded[i] = on(this.features[i].properties) ? 0 : 1; }
        if (map.hasLayer(this)) { redrawSites(); }
      },
      // the sites inside a canvas of w × h px: their places and symbols, appended to `out`
      _collect: function (t, w, h, out) {
        for (var i = 0; i < this.x0.length; i++) {
          var x = Math.round(this.x0[i] * t.scale - t.ox), y = Math.round(this.y0[i] * t.scale - t.oy);
          if (x < -8 || y < -8 || x > w + 8 || y > h + 8) { continue; }
          out.x.push(x);
          out.y.push(y);
          out.s.push(this.sprites[this.look[i]][this.faded[i]]);
        }
      }
    });
    // A site under COVER nearly opaque symbols wherever it would show is not drawn: on a crowded
    // view (100,000 sites on one screen) most are, and drawing them all took seconds. The
    // symbols are found top first, counting on a grid what each one hides, then drawn in order.
    var COVER = 2;
    function visibleSites(at, w, h) {
      var gw = Math.ceil(w / CELL) + 20, grid = new Uint8Array(gw * (Math.ceil(h / CELL) + 20));
      var keep = new Uint8Array(at.x.length), base = 10;  // cells kept for symbols over the edges
      for (var k = at.x.length - 1; k >= 0; k--) {
        var x0 = at.x[k] - 8, y0 = at.y[k] - 8, sp = readySprite(at.s[k]);
        var par = (x0 & 1) + 2 * (y0 & 1);
        var cx = Math.floor(x0 / CELL) + base, cy = Math.floor(y0 / CELL) + base;
        var foot = sp.foot[par], hidden = true;
        for (var f = 0; f < foot.length; f++) {
          if (grid[(cy + foot[f][1]) * gw + cx + foot[f][0]] < COVER) { hidden = false; break; }
        }
        if (hidden) { continue; }
        keep[k] = 1;
        var cover = sp.cover[par];
        for (var c = 0; c < cover.length; c++) {
          var cell = (cy + cover[c][1]) * gw + cx + cover[c][0];
          if (grid[cell] < COVER) { grid[cell]++; }
        }
      }
      return keep;
    }
    function redrawSites() {
      if (siteFrame === null) { siteFrame = L.Util.requestAnimFrame(drawSites); }
    }
    function drawSites() {
      siteFrame = null;
      if (!siteLayers.length && !siteCanvas) { return; }
      if (!siteCanvas) {
        var pane = map.createPane("dm-sites");
        pane.style.zIndex = 580;  // above the shapes, under the labels (590) and markers (600)
        pane.style.pointerEvents = "none";  // clicks reach the map, which asks `featuresAt`
        siteCanvas = L.DomUtil.create("canvas", "dm-sites", pane);
        siteCanvas.setAttribute("aria-hidden", "true");
        if (map._zoomAnimated) { L.DomUtil.addClass(siteCanvas, "leaflet-zoom-animated"); }
      }
      var size = map.getSize(), pad = size.multiplyBy(SITE_PAD).round();
      var w = size.x + 2 * pad.x, h = size.y + 2 * pad.y, ratio = window.devicePixelRatio || 1;
      var corner = map.containerPointToLayerPoint(pad.multiplyBy(-1));
      if (siteCanvas.width !== Math.round(w * ratio) || siteCanvas.height !== Math.round(h * ratio)) {
        siteCanvas.width = Math.round(w * ratio);
        siteCanvas.height = Math.round(h * ratio);
        siteCanvas.style.width = w + "px";
        siteCanvas.style.height = h + "px";
      }
      L.DomUtil.setPosition(siteCanvas, corner);
      siteBounds = L.latLngBounds(map.layerPointToLatLng(corner), map.layerPointToLatLng(corner.add([w, h])));
      var g = siteCanvas.getContext("2d"), at = { x: [], y: [], s: [] }, drawn = 0;
      g.setTransform(ratio, 0, 0, ratio, 0, 0);
      g.clearRect(0, 0, w, h);
      siteLayers.forEach(function (s) { s._collect(s._frame(corner), w, h, at); });
      var keep = visibleSites(at, w, h);
      for (var k = 0; k < at.x.length; k++) {
        if (keep[k]) { g.drawImage(spriteList[at.s[k]].image, at.x[k] - 8, at.y[k] - 8, 16, 16); drawn++; }
      }
      siteCanvas.setAttribute("data-drawn", String(drawn));
      siteCanvas.setAttribute("data-sites", String(at.x.length));
    }
    map.on("moveend resize viewreset", function () { if (siteLayers.length) { redrawSites(); } });
    // during a zoom the canvas is scaled as Leaflet scales its own layers, then drawn again
    map.on("zoomanim", function (e) {
      if (!siteCanvas || !siteBounds) { return; }
      var offset = map._latLngBoundsToNewLayerBounds(siteBounds, e.zoom, e.center).min;
      L.DomUtil.setTransform(siteCanvas, offset, map.getZoomScale(e.zoom));
    });
    // the nearest canvas site under a container point, the top layer's first
    function siteAt(containerPoint) {
      for (var i = siteLayers.length - 1; i >= 0; i--) {
        var hit = siteLayers[i].hits(containerPoint, MARKER_PX)[0];
        if (hit) { return hit; }
      }
      return null;
    }
    // a canvas site under the pointer shows its name, as a marker does, and a pointer cursor
    var siteTip = null, hoverPoint = null, hoverFrame = null;
    function hover() {
      hoverFrame = null;
      var moving = map.dragging && map.dragging.moving();
      var hit = hoverPoint && !moving ? siteAt(hoverPoint) : null;
      map.getContainer().style.cursor = hit ? "pointer" : "";
      // a site is above the shapes: theirs (a region's under the pointer) give way to its own
      map.getPane("tooltipPane").style.visibility = hit ? "hidden" : "";
      if (!hit) {
        if (siteTip && map.hasLayer(siteTip)) { map.removeLayer(siteTip); }
        return;
      }
      var c = hit.feature.geometry.coordinates;
      if (!siteTip) {
        map.createPane("dm-site-tip").style.zIndex = 650;  // where Leaflet's tooltips are
        siteTip = L.tooltip({ direction: "top", offset: [0, -8], pane: "dm-site-tip" });
      }
      siteTip.setLatLng([c[1], c[0]]).setContent(el("span", { text: tooltipText(hit.feature.properties) }));
      if (!map.hasLayer(siteTip)) { siteTip.addTo(map); }
    }
    map.on("mousemove", function (e) {
      if (!siteLayers.length && !siteTip) { return; }
      hoverPoint = e.containerPoint;
      if (hoverFrame === null) { hoverFrame = L.Util.requestAnimFrame(hover); }
    });
    map.on("mouseout", function () { hoverPoint = null; if (hoverFrame === null) { hoverFrame = L.Util.requestAnimFrame(hover); } });

    // ---- short labels beside the markers, wherever they collide with nothing ---------------
    var labelPane = map.createPane("dm-site-labels");
    labelPane.style.zIndex = 590;  // above the shapes, under the markers (600)
    labelPane.style.pointerEvents = "none";
    map.on("zoomstart", function () { labelPane.style.display = "none"; });
    function shortName(p) { return String(p.name).split(/,| \(/)[0]; }
    // Labels would only hide one another on a crowded view, and placing them costs time with
    // each site near it: above LABEL_MAX sites in or near the view, none is labelled.
    var LABEL_MAX = 150;
    var LABEL_MARGIN = 200;  // px beyond the view from which a label may still reach into it
    var labelled = [];  // what holds each label shown: a marker, or a canvas site's record
    function placeLabels() {
      placeSiteLabels();
      declutterSeas();
    }
    function placeSiteLabels() {
      if (!started) { return; }
      labelPane.style.display = "";
      labelled.forEach(function (h) { h.dmLabel.style.display = "none"; });  // its layer may be off
      labelled = [];
      var size = map.getSize(), taken = [], sites = [], crowded = false;
      var near = L.bounds([-LABEL_MARGIN, -LABEL_MARGIN], [size.x + LABEL_MARGIN, size.y + LABEL_MARGIN]);
      DATA.layers.forEach(function (layer) {
        if (!visible[layer.id]) { return; }
        overlays[layer.id].eachLayer(function (lyr) {
          if (crowded) { return; }
          if (lyr._icon) {
            var c = map.latLngToContainerPoint(lyr.getLatLng());
            if (near.contains(c)) { sites.push({ holder: lyr, c: c, p: lyr.feature.properties }); }
          } else if (lyr.dmSites) {
            lyr.inView(LABEL_MARGIN, LABEL_MAX + 1 - sites.length).forEach(function (s) {
              var holder = lookup(lyr.labels, s.index) || (lyr.labels[s.index] = {});
              sites.push({ holder: holder, c: s.c, p: lyr.features[s.index].properties });
            });
          }
          crowded = sites.length > LABEL_MAX;
        });
      });
      if (crowded) { return; }
      sites.forEach(function (s) { taken.push(L.bounds([s.c.x - 9, s.c.y - 9], [s.c.x + 9, s.c.y + 9])); });
      // our panels are taken too: a label under the legend would be unreadable
      Array.prototype.forEach.call(map.getContainer().querySelectorAll(".leaflet-control"), function (ctl) {
        var r = ctl.getBoundingClientRect(), box = map.getContainer().getBoundingClientRect();
        taken.push(L.bounds([r.left - box.left, r.top - box.top], [r.right - box.left, r.bottom - box.top]));
      });
      // make the labels, then measure them all at once (one layout, not one per label)
      sites.forEach(function (s) {
        var h = s.holder;
        if (!h.dmLabel) {
          h.dmLabel = el("div", { cls: "dm-site-label", "aria-hidden": "true", text: shortName(s.p) });
          labelPane.appendChild(h.dmLabel);
        }
        h.dmLabel.style.display = "";
        labelled.push(h);
      });
      sites.forEach(function (s) {
        var h = s.holder;
        if (!h.dmLabelSize) { h.dmLabelSize = [h.dmLabel.offsetWidth, h.dmLabel.offsetHeight]; }
      });
      sites.forEach(function (s) {
        var label = s.holder.dmLabel, c = s.c;
        var w = s.holder.dmLabelSize[0], h = s.holder.dmLabelSize[1];
        var spots = [[12, -h / 2], [-12 - w, -h / 2], [-w / 2, -12 - h], [-w / 2, 12]];
        var chosen = null;
        spots.some(function (d) {
          var box = L.bounds([c.x + d[0], c.y + d[1]], [c.x + d[0] + w, c.y + d[1] + h]);
          var inside = box.min.x >= 0 && box.min.y >= 0 && box.max.x <= size.x && box.max.y <= size.y;
          if (inside && !taken.some(function (t) { return t.intersects(box); })) { chosen = box; }
          return chosen !== null;
        });
        if (!chosen) { label.style.display = "none"; return; }
        taken.push(chosen);
        L.DomUtil.setPosition(label, map.containerPointToLayerPoint(chosen.min));
      });
    }

    // ---- popups ------------------------------------------------------------------------------
    // A crowded place (a click on a map of thousands of sites and rings) lists the nearest
    // ALSO_MAX others: a longer list would only be scrolled past, and takes long to open.
    var ALSO_MAX = 12;
    function popup(layer, p, alsoHere) {
      var box = el("div", { cls: "dm-popup" });
      box.appendChild(el("h3", { text: p.name }));
      var meta = [kindWord(p)];
      if (p.status) { meta.push(lookup(LOOK.statuses, p.status) || p.status); }
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
      if (p.precision) { rows.push(["Location", lookup(LOOK.precisions, p.precision) || p.precision]); }
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
      if (ctx.measureFrom && p.kind === "site") {  // a shape has no one point to measure from
        var f = lookup(featureById, layer.id + "\u0000" + p.id);
        var measureButton = el("button", { type: "button", cls: "dm-measure-from",
          text: ctx.measureWaiting() ? "Measure to here" : "Measure from here" });
        measureButton.addEventListener("click", function (ev) {
          L.DomEvent.stop(ev);
          map.closePopup();
          ctx.measureFrom(f, anchorOf(f));
        });
        box.appendChild(el("div", { cls: "dm-popup-tools" }, [measureButton]));
      }
      if (alsoHere && alsoHere.length) {
        var list = el("ul", { cls: "dm-also" });
        alsoHere.slice(0, ALSO_MAX).forEach(function (other) {
          var o = other.hit.feature.properties;
          var button = el("button", { type: "button", text: o.name + " (" + kindWord(o) + ", " + other.hit.layer.title + ")" });
          button.addEventListener("click", function (ev) { L.DomEvent.stop(ev); other.open(); });
          list.appendChild(el("li", {}, [button]));
        });
        var more = alsoHere.length - ALSO_MAX;
        if (more > 0) { list.appendChild(el("li", { cls: "dm-also-more", text: "and " + more + " more: zoom in to tell them apart" })); }
        box.appendChild(el("div", { cls: "dm-also-here" }, [el("strong", { text: "Also here" }), list]));
      }
      return box;
    }
    function kindWord(p) { return p.kind === "site" ? LOOK.roles[roleOf(p.role)].word : p.kind; }
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

    // ---- visibility, legend, permalink -------------------------------------------------------
    function setVisible(id, on) {
      if (!has(overlays, id)) { return; }
      if (on && !map.hasLayer(overlays[id])) { overlays[id].addTo(map); }
      else if (!on && map.hasLayer(overlays[id])) { map.removeLayer(overlays[id]); }
      else { shown(id, on); }
    }
    var zoomButtons = dict();  // layer id -> its "zoom to it" button
    // Where a layer is: its sites if it has any (a ring cut at ±180° spans the whole world),
    // else its shapes.
    function layerFocus(id) {
      var sites = L.latLngBounds([]), shapes = L.latLngBounds([]);
      overlays[id].eachLayer(function (lyr) {
        if (lyr.dmSites) { if (lyr.bounds.isValid()) { sites.extend(lyr.bounds); } }
        else if (lyr.getLatLng) { sites.extend(lyr.getLatLng()); } else if (lyr.getBounds) { shapes.extend(lyr.getBounds()); }
      });
      return sites.isValid() ? sites : shapes;
    }
    // Is any of the layer on screen? A site in the view, or a shape with a vertex in it or
    // around its middle (a bounding box says too little of a ring around the pole).
    function inView(id) {
      var view = map.getBounds(), seen = false;
      var corner = map.containerPointToLayerPoint([0, 0]);
      var box = L.bounds(corner, corner.add(map.getSize()));
      overlays[id].eachLayer(function (lyr) {
        if (seen) { return; }
        if (lyr.dmSites) { seen = lyr.inView(0, 1).length > 0; return; }
        if (lyr.getLatLng) { seen = view.contains(lyr.getLatLng()); return; }
        seen = (lyr._parts || []).some(function (ring) { return ring.some(function (pt) { return box.contains(pt); }); }) ||
          (lyr instanceof L.Polygon && !!lyr._parts && L.Polygon.prototype._containsPoint.call(lyr, box.getCenter()));
      });
      return seen;
    }
    function offerZoom(id) {
      if (!has(zoomButtons, id)) { return; }
      zoomButtons[id].hidden = !visible[id] || !layerFocus(id).isValid() || inView(id);
    }
    function shown(id, on) {
      visible[id] = !!on;
      if (!started) { return; }
      if (!restoring) { offerZoom(id); }
      if (has(layerBoxes, id)) { layerBoxes[id].checked = !!on; }
      syncGroupBoxes();
      renderLegend();
      applyTimeline(id);
      if (!restoring) { placeLabels(); }  // restore() places them once, when all are shown
      updateHash();
    }

    // A panel's heading folds it away and back: on a small screen the map needs the room.
    function toggleButton(box, label) {
      var button = el("button", { type: "button", cls: "dm-toggle", "aria-expanded": "true", text: label });
      button.addEventListener("click", function () { fold(box, !box.classList.contains("dm-folded")); });
      box.addEventListener("keydown", function (ev) {
        if (ev.key === "Escape" && !box.classList.contains("dm-folded") && box.classList.contains("dm-foldable")) {
          fold(box, true);
          button.focus();
        }
      });
      box.dmToggle = button;
      foldable.push(box);
      return button;
    }
    var foldable = [];
    function fold(box, folded) {
      box.classList.toggle("dm-folded", folded);
      box.classList.add("dm-foldable");  // once folded, a panel keeps its button to fold again
      box.dmToggle.setAttribute("aria-expanded", folded ? "false" : "true");
      fitPanels();
      if (started) { placeLabels(); }
    }
    // The map must keep most of its area for itself: on a small screen or in a small iframe,
    // fold panels to their buttons (the legend first, the search box last) until our controls
    // cover at most MAX_COVERED of the map.
    var MAX_COVERED = 0.38;  // the map keeps more than 60 % of its area
    var FOLD_ORDER = ["dm-legend", "dm-timeline", "dm-layers", "dm-title", "dm-search"];
    var PANE_FOLD_ORDER = ["dm-layers", "dm-timeline", "dm-search", "dm-legend", "dm-title"];
    function covered() {
      var box = map.getContainer().getBoundingClientRect(), area = 0;
      Array.prototype.forEach.call(map.getContainer().querySelectorAll(".leaflet-control"), function (c) {
        var r = c.getBoundingClientRect();
        var w = Math.min(r.right, box.right) - Math.max(r.left, box.left);
        var h = Math.min(r.bottom, box.bottom) - Math.max(r.top, box.top);
        if (w > 0 && h > 0) { area += w * h; }
      });
      return area / Math.max(1, box.width * box.height);
    }
    // ... and until no control lies on another (a narrow screen puts the corners together)
    function overlapping() {
      var rects = Array.prototype.map.call(map.getContainer().querySelectorAll(".leaflet-control"), function (c) {
        return c.getBoundingClientRect();
      }).filter(function (r) { return r.width && r.height; });
      return rects.some(function (a, i) {
        return rects.slice(i + 1).some(function (b) {
          return a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
        });
      });
    }
    function autoFold() {
      // a comparison keeps each pane's legend longest: it is what tells the panes apart
      var order = (DATA.pane ? PANE_FOLD_ORDER : FOLD_ORDER).map(function (cls) {
        return foldable.filter(function (b) { return b.classList.contains(cls); })[0];
      }).filter(Boolean);
      for (var i = 0; i < order.length && (covered() > MAX_COVERED || overlapping()); i++) { fold(order[i], true); }
    }

    var LayerControl = L.Control.extend({
      options: { position: "topright" },
      onAdd: function () {
        var box = el("div", { cls: "dm-panel dm-layers", "aria-label": "Layers" });
        box.appendChild(toggleButton(box, "Layers and base map"));
        if (DATA.basemaps.length) { box.appendChild(el(SUB_HEADING, { cls: "dm-heading", text: "Base map" })); }
        DATA.basemaps.forEach(function (b) {
          var input = el("input", { type: "radio", name: "dm-base-" + DATA.map_id, value: b.id });
          input.addEventListener("change", function () { setBase(b.id); });
          baseRadios[b.id] = input;
          box.appendChild(el("label", {}, [input, el("span", { text: b.name })]));
        });
        box.appendChild(el(SUB_HEADING, { cls: "dm-heading", text: "Layers" }));
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
            var layer = lookup(layerById, id);
            if (!layer) { return; }
            var input = el("input", { type: "checkbox", "data-layer-id": id });
            input.addEventListener("change", function () { setVisible(id, input.checked); });
            layerBoxes[id] = input;
            inner.appendChild(el("label", { title: layer.description || "" },
              [input, swatch(layer.style), el("span", { text: layer.title })]));
            // a layer switched on out of view offers to show itself
            var zoom = el("button", { type: "button", cls: "dm-zoom-to", "data-zoom-to": id,
              text: "Out of view: zoom to it" });
            zoom.hidden = true;
            zoom.addEventListener("click", function () {
              var pad = panelPadding();
              map.fitBounds(layerFocus(id), { paddingTopLeft: pad.topLeft,
                paddingBottomRight: pad.bottomRight, maxZoom: 7 });
            });
            zoomButtons[id] = zoom;
            inner.appendChild(zoom);
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
        // a click on a panel is not a click on the map (it would open what lies beneath)
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        return box;
      }
    });
    // the site symbols a layer uses and whether any of it is uncertain (found once: a layer
    // may hold many thousand features, and the legend follows every toggle)
    function legendKeys(layer) {
      if (!layer.dmLegendKeys) {
        var roles = dict(), uncertain = false;
        layer.features.features.forEach(function (f) {
          if (f.properties.kind === "site") { roles[roleOf(f.properties.role)] = true; }
          if (f.properties.uncertainty) { uncertain = true; }
        });
        layer.dmLegendKeys = { roles: Object.keys(roles), uncertain: uncertain };
      }
      return layer.dmLegendKeys;
    }
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
        // what the layer shows, in the reader's view: not only in a tooltip
        if (layer.description) {
          list.appendChild(el("li", { cls: "dm-description", "data-legend-description": layer.id, text: layer.description }));
        }
        layer.notes.forEach(function (n) { list.appendChild(el("li", { cls: "dm-note", text: "Note: " + n })); });
        var used = legendKeys(layer);
        used.roles.forEach(function (r) { roles[r] = true; });
        if (used.uncertain) { anyUncertain = true; }
      });
      if (!list.childNodes.length) {
        legendBody.appendChild(el("div", { cls: "dm-empty", text: "No layer shown" }));
        return;
      }
      legendBody.appendChild(list);
      var keys = el("ul");
      Object.keys(LOOK.roles).forEach(function (r) {
        if (roles[r]) {
          keys.appendChild(el("li", { "data-legend-role": r },
            [symbol(r, LOOK.key_color, false), el("span", { text: LOOK.roles[r].word })]));
        }
      });
      if (anyUncertain) {
        var dash = el("span", { cls: "dm-swatch" });
        dash.style.borderStyle = "dotted"; dash.style.borderColor = LOOK.key_color;
        keys.appendChild(el("li", { "data-legend-role": "uncertain" },
          [dash, el("span", { text: LOOK.uncertain.legend })]));
      }
      if (keys.childNodes.length) { legendBody.appendChild(keys); }
    }

    var Title = L.Control.extend({
      options: { position: "topleft" },
      onAdd: function () {
        var box = el("div", { cls: "dm-panel dm-title" });
        box.appendChild(el(HEADING, { cls: "dm-title-text", text: DATA.title }));
        if (DATA.subtitle) { box.appendChild(el("small", { text: DATA.subtitle })); }
        var list = DATA.list_id && document.getElementById(DATA.list_id);
        if (list) {
          var open = el("button", { type: "button", cls: "dm-open-list", "aria-controls": DATA.list_id,
            text: "Text version: every feature and source" });
          open.addEventListener("click", function () { window.DefenseMap.showList(DATA.list_id, open); });
          box.appendChild(open);
        }
        // on a small screen the title folds to a button, like every panel
        // a comparison's folded title still names its proposal
        var fold = toggleButton(box, DATA.pane ? DATA.title : "About");
        fold.classList.add("dm-title-toggle");
        box.insertBefore(fold, box.firstChild);
        L.DomEvent.disableClickPropagation(box);
        return box;
      }
    });

    // ---- timeline (timeline.js chooses the date): fade what was not in force then -------------
    // one layer (`only`, a layer id) or all of them
    function applyTimeline(only) {
      var chosen = ctx.chosenDate ? ctx.chosenDate() : null;
      var key = !ctx.inForce ? "none" : chosen === null ? "all" : "date " + chosen.from + " " + chosen.to;
      DATA.layers.forEach(function (layer) {
        if (only !== undefined && layer.id !== only) { return; }
        overlays[layer.id].eachLayer(function (lyr) {
          if (lyr.dmSites) {
            lyr.fade(key, function (p) { return !ctx.inForce || ctx.inForce(layer, p); });
            return;
          }
          var p = lyr.feature.properties;
          var on = !ctx.inForce || ctx.inForce(layer, p);
          lyr.dmFaded = !on;
          if (lyr.setStyle) {
            var s = pathStyle(layer.style, p, !!lyr.dmOutline);
            if (!on) { s.opacity = 0.12; s.fillOpacity = 0.03; }
            lyr.setStyle(s);
          } else if (lyr.setOpacity) {
            lyr.setOpacity(on ? 1 : 0.2);
          }
          var node = lyr._icon || (lyr.getElement && lyr.getElement());
          if (node) { name(node, lyr); }
        });
      });
    }
    ctx.applyTimeline = applyTimeline;

    // ---- URL fragment: #map=zoom/lat/lon&layers=a,b&base=id&date=2009 ---------------------
    // In a comparison each pane writes its own keys (left-layers, right-layers, ...) and both
    // share the view (`map`); keys this map does not know are kept as they are.
    var restoring = false, folded = false;
    function encode(text) { return encodeURIComponent(text).replace(/%2C/g, ",").replace(/%2F/g, "/"); }
    function updateHash() {
      if (!started || restoring || !map._loaded) { return; }
      var c = map.getCenter();
      var ids = DATA.layers.filter(function (l) { return visible[l.id]; }).map(function (l) { return l.id; });
      var h = parseHash();
      h.map = map.getZoom().toFixed(2).replace(/\.?0+$/, "") + "/" + c.lat.toFixed(4) + "/" + c.lng.toFixed(4);
      h[ctx.key("layers")] = ids.join(",");
      if (currentBase) { h[ctx.key("base")] = currentBase; }
      ctx.hash.forEach(function (part) { part.write(h); });
      var keys = Object.keys(h).sort(function (a, b) { return (b === "map") - (a === "map"); });
      var hash = "#" + keys.map(function (k) { return encode(k) + "=" + encode(h[k]); }).join("&");
      if (window.location.hash !== hash) {
        try { window.history.replaceState(null, "", hash); } catch (e) { /* file:// in some browsers */ }
      }
    }
    ctx.updateHash = updateHash;
    // A view from a link, or null when the link holds none or one that cannot be shown (a zoom
    // of 1e300, a latitude of 500): then the map opens at its own view.
    function linkedView(h) {
      var view = (h.map || "").split("/").map(Number);
      if (view.length !== 3 || !view.every(isFinite) || Math.abs(view[1]) > 90 || Math.abs(view[2]) > 540) { return null; }
      var zoom = Math.max(map.getMinZoom() || 0, Math.min(view[0], 18));
      return { center: L.latLng(view[1], view[2]), zoom: zoom };
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
      // The legend is filled first, so that the view is fitted around the panels at their full
      // size; the layers and the base map come after, drawn once at that view (added at
      // folium's world view, every shape would be projected and drawn twice).
      var listed = lookup(h, ctx.key("layers"));
      var wanted = listed !== undefined ? listed.split(",").filter(Boolean) : null;
      DATA.layers.forEach(function (l) { visible[l.id] = wanted ? wanted.indexOf(l.id) >= 0 : l.visible; });
      renderLegend();
      ctx.hash.forEach(function (part) { part.read(h); });
      if (!folded) { folded = true; fitPanels(); autoFold(); }  // with the legend filled, before the view is fitted
      var view = linkedView(h);
      // folium made the map at a world view already: jump from it to ours, without animation
      if (view) {
        map.setView(view.center, view.zoom, { animate: false });
      } else {
        var pad = panelPadding();
        map.fitBounds(DATA.bounds, { paddingTopLeft: pad.topLeft, paddingBottomRight: pad.bottomRight,
          animate: false });
      }
      DATA.layers.forEach(function (l) { setVisible(l.id, visible[l.id]); });
      setBase(lookup(h, ctx.key("base")));
      restoring = false;
      placeLabels();
      updateHash();
    }

    // The right-hand column holds our layer panel (top) and legend (bottom), and whatever else
    // sits in those corners: the attribution, and controls a user adds (a measure tool, a
    // minimap). Share out the height that is left, so that no control ends up under another.
    var panels = {};
    function fitPanels() {
      if (!panels.layers || !panels.legend) { return; }
      var others = 0;
      [".leaflet-top.leaflet-right", ".leaflet-bottom.leaflet-right"].forEach(function (sel) {
        var corner = map.getContainer().querySelector(sel);
        Array.prototype.forEach.call(corner.children, function (c) {
          if (c !== panels.layers && c !== panels.legend) { others += c.offsetHeight + 10; }
        });
      });
      // the two panels' own corner margins (10 px each), their padding (16 px each), a gap
      var room = Math.max(160, map.getSize().y - others - 2 * 10 - 2 * 16 - 8);
      panels.layers.style.maxHeight = Math.floor(room * 0.55) + "px";
      panels.legend.style.maxHeight = Math.floor(room * 0.45) + "px";
    }

    function start() {
      // Tab reaches our controls before the map's shapes: their container comes first
      var container = map.getContainer();
      container.insertBefore(map._controlContainer, container.firstChild);
      new Title().addTo(map);
      L.control.scale({ imperial: false, position: "bottomleft" }).addTo(map);
      // the tools' controls: search tops the layer panel, measure sits above the timeline
      ctx.onStart.forEach(function (add) { add(); });
      panels.layers = new LayerControl().addTo(map).getContainer();
      panels.legend = new Legend().addTo(map).getContainer();
      started = true;
      restore();
      map.on("moveend", updateHash);
      map.on("moveend", placeLabels);
      map.on("moveend", function () { Object.keys(zoomButtons).forEach(offerZoom); });
      window.addEventListener("hashchange", function () {
        var view = linkedView(parseHash());
        if (view) { map.setView(view.center, view.zoom); }
      });
      followPrinting();
      fitPanels();
      map.on("resize", fitPanels);
      // a user's own controls are added after ours, in the same script: fit again once they are
      window.setTimeout(function () { fitPanels(); placeLabels(); }, 0);
      window.defenseMaps = (window.defenseMaps || []).concat([api]);
      if (!window.defenseMap) { window.defenseMap = api; }
      return api;
    }
    // Printing lays the page out on paper without a resize event: tell Leaflet the new size and
    // keep the view's centre and zoom; going back to the screen does the same in reverse.
    function followPrinting() {
      if (!window.matchMedia) { return; }
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

    // ---- going to a feature (search): its layer on, into view, its popup open ---------------
    function goTo(layer, f) {
      setVisible(layer.id, true);
      var pad = panelPadding(), latlng = anchorOf(f);
      var open = function () { openFeature({ layer: layer, feature: f }, latlng, []); };
      var target;
      if (f.geometry.type === "Point") {
        target = { center: latlng, zoom: Math.max(map.getZoom(), 6) };
      } else {
        var bounds = L.geoJSON(f).getBounds();
        // a shape cut at ±180° spans the world: go to its anchor instead
        if (bounds.getEast() - bounds.getWest() > 300) { target = { center: latlng, zoom: Math.min(map.getZoom(), 3) }; }
        else { map.fitBounds(bounds, { paddingTopLeft: pad.topLeft, paddingBottomRight: pad.bottomRight, maxZoom: 7, animate: false }); }
      }
      if (target) { map.setView(target.center, target.zoom, { animate: false }); }
      // the popup keeps clear of the panels: it pans the map a little if it must
      open();
    }
    ctx.goTo = goTo;
    ctx.featuresAt = featuresAt;
    ctx.kindWord = kindWord;
    ctx.toggleButton = toggleButton;
    ctx.visible = visible;
    ctx.layers = DATA.layers;
    var tools = dict();
    window.DefenseMap.parts.forEach(function (part) { tools[part.name || "part"] = part(ctx); });

    var api = { map: map, overlays: overlays, setVisible: setVisible, visible: visible,
      layer: addLayer, start: start, tools: tools, pane: DATA.pane || null };
    return api;
  }

  // Two panes of a comparison move together: a pan or a zoom in one is made in the other.
  function sync(a, b) {
    var busy = false;
    function follow(from, to) {
      from.map.on("move moveend", function () {
        if (busy) { return; }
        busy = true;
        to.map.setView(from.map.getCenter(), from.map.getZoom(), { animate: false });
        busy = false;
      });
    }
    follow(a, b);
    follow(b, a);
    b.map.setView(a.map.getCenter(), a.map.getZoom(), { animate: false });
  }

  // The text version of the map is in the page for readers without JavaScript; with it, the
  // section opens over the map (the title's button or the skip link) and closes again.
  function prepareList(id) {
    var list = document.getElementById(id);
    if (!list || list.dmReady) { return list; }
    list.dmReady = true;
    list.hidden = true;
    list.classList.add("dm-list-overlay");
    list.setAttribute("role", "dialog");
    list.setAttribute("aria-modal", "false");
    var close = document.createElement("button");
    close.type = "button";
    close.className = "dm-list-close";
    close.textContent = "Close the text version";
    close.addEventListener("click", function () { hideList(list); });
    list.insertBefore(close, list.firstChild);
    list.addEventListener("keydown", function (ev) { if (ev.key === "Escape") { hideList(list); } });
    Array.prototype.forEach.call(document.querySelectorAll("a.dm-skip[href='#" + id + "']"), function (a) {
      a.addEventListener("click", function (ev) { ev.preventDefault(); showList(id, a); });
    });
    return list;
  }
  function showList(id, opener) {
    var list = prepareList(id);
    if (!list) { return; }
    list.dmOpener = opener || null;
    list.hidden = false;
    list.querySelector(".dm-list-close").focus();
  }
  function hideList(list) {
    list.hidden = true;
    if (list.dmOpener) { list.dmOpener.focus(); }
  }

  // Our data travels in script elements of type application/json: parsed, never run.
  function data(id) { return JSON.parse(document.getElementById(id).textContent); }

  return { create: create, data: data, sync: sync, dateWords: dateWords, showList: showList,
    prepareList: prepareList, parts: [] };
}());
