/* defense-map: the timeline. A year slider, and Previous/Next buttons that step through the
   story's named events (the layers' `events`). What was not in force on the chosen date is
   faded, and says so to a screen reader. The choice is kept in the link (`date=`). */
(window.DefenseMap = window.DefenseMap || { parts: [] }).parts.push(function timeline(ctx) {
  "use strict";
  var el = ctx.el, DATA = ctx.DATA;
  var events = (DATA.timeline.events || []).slice();
  // the chosen span: null (all dates), a year, or one event's day
  var chosen = null;
  var slider, all, label, prev, next;

  // dates are text: YYYY, YYYY-MM or YYYY-MM-DD; a period's start is the first day it names,
  // its end the last ("2009" ends on 31 Dec 2009)
  function first(d) { return (String(d) + "-01-01").slice(0, 10); }
  function last(d) { d = String(d); return d.length === 4 ? d + "-12-31" : d.length === 7 ? d + "-31" : d; }
  function inForce(from, to) {
    if (chosen === null) { return true; }
    if (from && first(from) > chosen.to) { return false; }
    if (to && last(to) < chosen.from) { return false; }
    return true;
  }
  ctx.inForce = function (layer, p) {
    return inForce(layer.period.from, layer.period.to) && inForce(p.date_from, p.date_to);
  };
  ctx.chosenDate = function () { return chosen; };

  function describe() {
    if (chosen === null) { return "all dates"; }
    var text = "as of " + (chosen.event ? ctx.dateWords(chosen.event.date) : chosen.from.slice(0, 4));
    return chosen.event ? text + ": " + chosen.event.name : text;
  }
  function choose(value, fromUser) {
    // value: null, "YYYY" (a year) or an event's index
    if (value === null) { chosen = null; }
    else if (typeof value === "number") {
      var ev = events[value];
      chosen = { from: first(ev.date), to: first(ev.date), event: ev, index: value, key: ev.date };
    } else {
      chosen = { from: value + "-01-01", to: value + "-12-31", event: null, key: value };
    }
    if (all) {
      all.checked = chosen === null;
      slider.disabled = chosen === null;
      if (chosen !== null) { slider.value = chosen.from.slice(0, 4); }
      slider.setAttribute("aria-valuetext", describe());
      label.textContent = describe();
      var at = eventIndex();
      prev.disabled = !events.length || (chosen !== null && at.before < 0);  // nothing earlier
      next.disabled = !events.length || at.after >= events.length;
    }
    ctx.applyTimeline();
    if (fromUser) { ctx.updateHash(); }
  }
  // the events before and after the chosen date
  function eventIndex() {
    if (chosen === null) { return { before: -1, after: 0 }; }
    var before = -1, after = events.length;
    events.forEach(function (ev, i) {
      var day = first(ev.date);
      if (chosen.event ? i < chosen.index : day < chosen.from) { before = i; }
      if (after === events.length && (chosen.event ? i > chosen.index : day > chosen.to)) { after = i; }
    });
    return { before: before, after: after };
  }

  var Timeline = L.Control.extend({
    options: { position: "bottomleft" },
    onAdd: function () {
      var box = el("div", { cls: "dm-panel dm-timeline", role: "group", "aria-label": "Timeline" });
      box.appendChild(ctx.toggleButton(box, "Timeline"));
      all = el("input", { type: "checkbox", checked: "checked", "data-timeline": "all" });
      var id = "dm-year-" + DATA.map_id;
      slider = el("input", { type: "range", id: id, min: String(DATA.timeline.min),
        max: String(DATA.timeline.max), step: "1", value: String(DATA.timeline.max),
        disabled: "disabled", "data-timeline": "year", "aria-valuetext": "all dates" });
      label = el("span", { cls: "dm-when", "aria-live": "polite", "data-timeline": "when", text: "all dates" });
      prev = el("button", { type: "button", cls: "dm-step", "data-timeline": "previous",
        "aria-label": "Previous event", text: "◀ Previous" });
      next = el("button", { type: "button", cls: "dm-step", "data-timeline": "next",
        "aria-label": "Next event", text: "Next ▶" });
      all.addEventListener("change", function () { choose(all.checked ? null : slider.value, true); });
      slider.addEventListener("input", function () { choose(slider.value, true); });
      // from "all dates", Next goes to the first event and Previous to the last
      prev.addEventListener("click", function () {
        var at = eventIndex();
        choose(chosen === null ? events.length - 1 : Math.max(at.before, 0), true);
      });
      next.addEventListener("click", function () {
        var at = eventIndex();
        if (at.after < events.length) { choose(at.after, true); }
      });
      box.appendChild(el("label", {}, [all, el("span", { text: " show all dates" })]));
      box.appendChild(el("div", { cls: "dm-slider" }, [
        el("label", { "for": id, cls: "dm-visually-hidden", text: "Year" }), slider]));
      if (events.length) { box.appendChild(el("div", { cls: "dm-steps" }, [prev, next])); }
      box.appendChild(el("div", {}, [label]));
      L.DomEvent.disableClickPropagation(box);
      choose(chosen === null ? null : chosen.event ? chosen.index : chosen.key, false);
      return box;
    }
  });

  ctx.hash.push({
    write: function (h) {
      if (chosen === null) { delete h[ctx.key("date")]; } else { h[ctx.key("date")] = chosen.key; }
    },
    read: function (h) {
      var d = h[ctx.key("date")];
      if (d === undefined) { choose(null, false); return; }
      var index = -1;
      events.forEach(function (ev, i) { if (index < 0 && ev.date === d) { index = i; } });
      if (index >= 0) { choose(index, false); }
      else if (/^\d{4}$/.test(d) && +d >= DATA.timeline.min && +d <= DATA.timeline.max) { choose(d, false); }
      else { choose(null, false); }  // a date the story does not know: all dates
    }
  });
  ctx.onStart.push(function () { new Timeline().addTo(ctx.map); });
  return { choose: choose, events: events };
});
