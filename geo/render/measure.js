/* defense-map: measure a distance. Two clicked points (a click near a site takes the site) or
   two features ("Measure from here" in a popup) are joined by a great-circle line, labelled
   with its length on the WGS 84 ellipsoid in km and nautical miles. */
(window.DefenseMap = window.DefenseMap || { parts: [] }).parts.push(function measure(ctx) {
  "use strict";
  var el = ctx.el, map = ctx.map;
  var RAD = Math.PI / 180;

  // Vincenty's inverse formula on WGS 84, in metres; null where it does not converge (points
  // nearly opposite each other), where the caller falls back to the sphere.
  function ellipsoidal(a, b) {
    var A = 6378137, F = 1 / 298.257223563, B = A * (1 - F);
    var L0 = (b.lng - a.lng) * RAD;
    var U1 = Math.atan((1 - F) * Math.tan(a.lat * RAD)), U2 = Math.atan((1 - F) * Math.tan(b.lat * RAD));
    var sinU1 = Math.sin(U1), cosU1 = Math.cos(U1), sinU2 = Math.sin(U2), cosU2 = Math.cos(U2);
    var lambda = L0, previous, sinS, cosS, sigma, cos2A, cos2M, n = 0;
    do {
      var sinL = Math.sin(lambda), cosL = Math.cos(lambda);
      var t1 = cosU2 * sinL, t2 = cosU1 * sinU2 - sinU1 * cosU2 * cosL;
      sinS = Math.sqrt(t1 * t1 + t2 * t2);
      if (sinS === 0) { return 0; }
      cosS = sinU1 * sinU2 + cosU1 * cosU2 * cosL;
      sigma = Math.atan2(sinS, cosS);
      var sinA = cosU1 * cosU2 * sinL / sinS;
      cos2A = 1 - sinA * sinA;
      cos2M = cos2A ? cosS - 2 * sinU1 * sinU2 / cos2A : 0;
      var C = F / 16 * cos2A * (4 + F * (4 - 3 * cos2A));
      previous = lambda;
      lambda = L0 + (1 - C) * F * sinA * (sigma + C * sinS * (cos2M + C * cosS * (-1 + 2 * cos2M * cos2M)));
    } while (Math.abs(lambda - previous) > 1e-12 && ++n < 200);
    if (n >= 200) { return null; }
    var u2 = cos2A * (A * A - B * B) / (B * B);
    var K1 = 1 + u2 / 16384 * (4096 + u2 * (-768 + u2 * (320 - 175 * u2)));
    var K2 = u2 / 1024 * (256 + u2 * (-128 + u2 * (74 - 47 * u2)));
    var dS = K2 * sinS * (cos2M + K2 / 4 * (cosS * (-1 + 2 * cos2M * cos2M) -
      K2 / 6 * cos2M * (-3 + 4 * sinS * sinS) * (-3 + 4 * cos2M * cos2M)));
    return B * K1 * (sigma - dS);
  }
  function vector(p) {
    return [Math.cos(p.lat * RAD) * Math.cos(p.lng * RAD), Math.cos(p.lat * RAD) * Math.sin(p.lng * RAD), Math.sin(p.lat * RAD)];
  }
  function angle(a, b) {
    var u = vector(a), v = vector(b);
    var cross = [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
    return Math.atan2(Math.sqrt(cross[0] * cross[0] + cross[1] * cross[1] + cross[2] * cross[2]),
      u[0] * v[0] + u[1] * v[1] + u[2] * v[2]);
  }
  function metres(a, b) {
    var m = ellipsoidal(a, b);
    return m === null ? angle(a, b) * 6371008.8 : m;
  }
  // points along the great circle, with longitudes kept continuous (a line across ±180° is
  // drawn across it, not back round the world)
  function greatCircle(a, b) {
    var d = angle(a, b), u = vector(a), v = vector(b), points = [], lng = a.lng;
    var steps = Math.max(1, Math.ceil(d / RAD / 2));  // a point every 2° of arc
    for (var i = 0; i <= steps; i++) {
      var f = i / steps, s = Math.sin(d);
      var k1 = s ? Math.sin((1 - f) * d) / s : 1 - f, k2 = s ? Math.sin(f * d) / s : f;
      var x = k1 * u[0] + k2 * v[0], y = k1 * u[1] + k2 * v[1], z = k1 * u[2] + k2 * v[2];
      var lat = Math.atan2(z, Math.sqrt(x * x + y * y)) / RAD, lon = Math.atan2(y, x) / RAD;
      while (lon - lng > 180) { lon -= 360; }
      while (lon - lng < -180) { lon += 360; }
      points.push([lat, lon]);
      lng = lon;
    }
    return points;
  }
  function number(x) { return Math.round(x).toLocaleString("en"); }
  function lengthText(m) {
    var km = m / 1000, nmi = m / 1852;
    return (km < 10 ? km.toFixed(2) : number(km)) + " km (" + (nmi < 10 ? nmi.toFixed(2) : number(nmi)) + " nmi)";
  }

  var active = false, ends = [], drawn = L.layerGroup(), button, statusLine, clear;
  function pointName(end) { return end.name || (end.latlng.lat.toFixed(2) + "°, " + end.latlng.lng.toFixed(2) + "°"); }
  function redraw() {
    drawn.clearLayers();
    ends.forEach(function (end) {
      drawn.addLayer(L.circleMarker(end.latlng, { radius: 5, color: "#111", weight: 2, fillColor: "#fff",
        fillOpacity: 1, interactive: false, className: "dm-measure-end" }));
    });
    if (ends.length === 2) {
      var m = metres(ends[0].latlng, ends[1].latlng);
      var line = L.polyline(greatCircle(ends[0].latlng, ends[1].latlng), { color: "#111", weight: 2.5,
        dashArray: "8 5", interactive: false, className: "dm-measure-line" });
      drawn.addLayer(line);
      var text = pointName(ends[0]) + " – " + pointName(ends[1]) + ": " + lengthText(m);
      line.bindTooltip(el("span", { text: lengthText(m) }), { permanent: true, direction: "center",
        className: "dm-measure-label" });
      statusLine.textContent = text;
      statusLine.setAttribute("data-metres", String(Math.round(m)));
    } else {
      statusLine.textContent = !active ? "" : ends.length ? "From " + pointName(ends[0]) + ": click the end point, or a site" :
        "Click the start point, or a site";
      statusLine.removeAttribute("data-metres");
    }
    clear.hidden = !ends.length;
    if (!map.hasLayer(drawn)) { drawn.addTo(map); }
  }
  function setActive(on) {
    active = on;
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.textContent = on ? "Stop measuring" : "Measure distance";
    map.getContainer().classList.toggle("dm-measuring", on);
    if (on && ends.length === 2) { ends = []; }
    redraw();
  }
  function add(end) {
    if (ends.length === 2) { ends = []; }
    ends.push(end);
    if (ends.length === 2) { active = false; setActive(false); } else { redraw(); }
  }
  // a click while measuring sets an end: the site under the pointer if there is one
  ctx.measureClick = function (containerPoint, latlng) {
    if (!active) { return false; }
    var site = ctx.featuresAt(containerPoint, null).filter(function (h) { return h.feature.geometry.type === "Point"; })[0];
    if (site) {
      var c = site.feature.geometry.coordinates;
      add({ latlng: L.latLng(c[1], c[0]), name: site.feature.properties.name });
    } else {
      add({ latlng: latlng, name: null });
    }
    return true;
  };
  // "Measure from here" in a popup: a feature's own point (a site) or its anchor (a shape)
  ctx.measureFrom = function (feature, latlng) {
    if (!active && ends.length !== 1) { ends = []; setActive(true); }
    add({ latlng: latlng, name: feature.properties.name });
  };
  ctx.measureWaiting = function () { return ends.length === 1; };

  var Measure = L.Control.extend({
    options: { position: "bottomleft" },
    onAdd: function () {
      var box = el("div", { cls: "dm-panel dm-measure", role: "group", "aria-label": "Measure" });
      button = el("button", { type: "button", cls: "dm-measure-toggle", "aria-pressed": "false", text: "Measure distance" });
      button.addEventListener("click", function () { setActive(!active); });
      clear = el("button", { type: "button", cls: "dm-measure-clear", text: "Clear" });
      clear.hidden = true;
      clear.addEventListener("click", function () { ends = []; setActive(false); });
      statusLine = el("div", { cls: "dm-measure-result", role: "status", "aria-live": "polite" });
      box.appendChild(el("div", { cls: "dm-measure-buttons" }, [button, clear]));
      box.appendChild(statusLine);
      L.DomEvent.disableClickPropagation(box);
      return box;
    }
  });
  ctx.onStart.push(function () {
    new Measure().addTo(map);
    map.getContainer().addEventListener("keydown", function (ev) {
      if (ev.key === "Escape" && active) { ends = []; setActive(false); }
    });
  });
  return { metres: metres };
});
