"""Benchmark at scale: our map beside GeoDataFrame.explore(), shipped layers to 100,000 sites.

Run (after `pip install -e '.[bench]'`; the page figures need Chromium at /usr/bin/chromium):

    .venv/bin/python bench/bench_scale.py            # every workload (100k takes minutes)
    .venv/bin/python bench/bench_scale.py --quick    # the shipped layers and 10k only

Workloads: the shipped `layers/`; 10,000 sites + 300 rings + 20 regions ("10k"); 100,000 sites
("100k"); one layer file of 5,000 features ("5k-file"). Synthetic layer files are written to a
temporary folder (`bench/synthetic.py`). For each workload:

- our build: `build_map.py --layers DIR --output OUT.html` in its own process: wall time, CPU
  time (user + sys) and peak RSS of that process (`os.wait4`); best of `--repeat` runs (one
  run for 100k); for the shipped layers also with an empty cache folder (a new
  `DEFENSE_MAP_CACHE` each run: the first build after an install or an upgrade);
- the peer: the same features (pickled from the Atlas beforehand, so that only the peer's own
  work is timed) through `GeoDataFrame.explore()`, one layer per kind, a layer control, saved
  to HTML, also in its own process (`_scale_worker.py peer`);
- HTML bytes of both, and in headless Chromium (CDN files answered locally, tiles blank, so
  the figure is the page's own work; median of `--loads` loads): *drawn* (navigation start to
  the first animation frame where the map script has run and its shapes, markers and site
  canvases are drawn; tiles may still be coming), *interactive* (a click on a site near the
  middle, sent as soon as the page is drawn: navigation start until its popup shows),
  *click → popup* (that click's mouse-down to the frame its popup shows in), *toggle* (a
  click on a layer's checkbox: from the input to the first animation frame after the
  layer's `add`) and, for
  100k, *pan* (a mouse drag: from the mouse-up to the first animation frame after Leaflet's
  `moveend`);
- the geometry loss of our page: the largest Hausdorff distance between each feature's shape
  in the Atlas and on the page (metres, an upper bound), and how many page shapes are invalid.

For the shipped layers the bench also times importing the dependencies alone, the yardstick
of the issue's target ("the time Python needs just to import our dependencies"): a child runs
the build once and lists every module outside `geo` that it loads (the packages and the parts
of them the build uses: `from pydantic import Field` loads more of pydantic than `import
pydantic`), and `python -c` imports exactly those, in the order the build did, between the
builds. Plainly, that is the yardstick: our build time over it is the ratio the target names.
Imported as the build imports them (the garbage collector off while they load, then what they
made frozen, as build_map.py and geo.cli do: a quarter to a third faster), they give a
stricter figure, printed beside it: the build over that counts only our own work (1 + our
work / imports).
Children run with bytecode caching on (as on a user's machine), and each figure is the best
of its runs, the first of which warms that cache.
`--code DIR` measures another checkout of the project (to compare before and after a change).
It asserts nothing; `--json FILE` keeps the figures, `--markdown` prints the table for README.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from synthetic import WORKLOADS, write_workload  # noqa: E402

PYTHON = sys.executable
#: Lists the modules outside `geo` that a build loads (argv: code folder, build arguments...),
#: as JSON on stdout's last line: those a real importable module of that name, in load order.
LIST_IMPORTS = """
import sys
before = set(sys.modules)
code, *args = sys.argv[1:]
sys.path.insert(0, code)
sys.argv = [code + "/build_map.py", *args]
with open(sys.argv[0], encoding="utf-8") as script:
    program = compile(script.read(), sys.argv[0], "exec")
try:
    exec(program, {"__name__": "__main__", "__file__": sys.argv[0]})
except SystemExit as exc:
    if exc.code:
        raise
names = [n for n, m in list(sys.modules.items()) if n not in before and n.partition(".")[0]
         != "geo" and getattr(getattr(m, "__spec__", None), "name", None) == n]
import json
print(json.dumps(names))
"""
#: children write and reuse bytecode as on a user's machine, whatever this shell says
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
PAGE_TIMEOUT_MS = 300_000


# --------------------------------------------------------------------------------------------
# Processes: wall time, CPU time and peak RSS of one child
# --------------------------------------------------------------------------------------------


@dataclass
class Run:
    wall_s: float
    cpu_s: float
    rss_mb: float


def run_timed(cmd: list[str], *, cwd: Path, log: Path, env: dict[str, str] | None = None) -> Run:
    """Run `cmd` to its end (with `env` added to CHILD_ENV); return its wall time, CPU time
    (user + sys) and peak RSS."""
    with log.open("wb") as out:
        start = time.perf_counter()
        child = subprocess.Popen(
            cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env={**CHILD_ENV, **(env or {})}
        )
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        sys.exit(f"failed ({child.returncode}): {' '.join(cmd)}\n{log.read_text()[-3000:]}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def best(runs: list[Run]) -> Run:
    """The fastest run (by wall time): the one least disturbed by other work on the machine."""
    return min(runs, key=lambda r: r.wall_s)


# --------------------------------------------------------------------------------------------
# Chromium: drawn, interactive, toggle, pan
# --------------------------------------------------------------------------------------------

#: The map object of either page (ours exposes it; folium's page keeps it in a global).
FIND_MAP_JS = """() => (window.defenseMap && window.defenseMap.map) ||
  Object.values(window).find(v => window.L && v instanceof L.Map)"""
DRAWN_JS = {
    "ours": """() => {
  const api = window.defenseMap;
  if (!api) { return false; }
  const shapes = document.querySelectorAll('.dm-map .leaflet-overlay-pane path').length;
  const marks = document.querySelectorAll('.dm-map .leaflet-marker-pane .dm-marker').length;
  const canvases = Array.from(document.querySelectorAll('canvas.dm-sites'));
  if (canvases.some(c => c.dataset.drawn === undefined)) { return false; }
  return shapes + marks + canvases.length > 0 ? performance.now() : false;
}""",
    "peer": """() => {
  if (!window.L) { return false; }
  const map = Object.values(window).find(v => v instanceof L.Map);
  if (!map) { return false; }
  let n = 0; map.eachLayer(l => { if (l.feature) { n++; } });
  return n > 0 ? performance.now() : false;
}""",
}
#: A site near the middle of the map that nothing covers: [x, y] in the page, or null.
TARGET_JS = """([sites, ours]) => {
  const map = (@MAP@)();
  const box = map.getContainer().getBoundingClientRect();
  const mid = map.getSize().divideBy(2);
  let bestSite = null, bestD = Infinity;
  for (const [lat, lon] of sites) {
    const p = map.latLngToContainerPoint([lat, lon]);
    const d = p.distanceTo(mid);
    if (d >= bestD) { continue; }
    const x = p.x + box.left, y = p.y + box.top;
    const under = document.elementFromPoint(x, y);
    if (!under || under.closest('.leaflet-control, .leaflet-popup')) { continue; }
    if (!ours && under.tagName !== 'path') { continue; }  // the peer's circle marker itself
    bestSite = [x, y]; bestD = d;
  }
  return bestSite;
}""".replace("@MAP@", FIND_MAP_JS)
POPUP_JS = """() => { const p = document.querySelector('.leaflet-popup');
  return p && p.offsetHeight > 0 ? performance.now() : false; }"""
#: Arms the toggle figure: the input's time, and the first frame after the layer's `add`.
ARM_TOGGLE_JS = """([ours, name]) => {
  const map = (@MAP@)();
  let layer;
  if (ours) { layer = window.defenseMap.overlays[name]; }
  else {
    const control = Object.keys(window).filter(k => k.startsWith('layer_control_'))
      .map(k => window[k]).find(c => c && c.overlays);
    layer = control.overlays[name];
  }
  window.__dmInput = window.__dmDone = undefined;
  document.addEventListener('click', e => { window.__dmInput = e.timeStamp; },
    { capture: true, once: true });
  layer.once('add', () => requestAnimationFrame(() => { window.__dmDone = performance.now(); }));
  return map.hasLayer(layer);
}""".replace("@MAP@", FIND_MAP_JS)
ARM_PAN_JS = """() => {
  const map = (@MAP@)();
  window.__dmInput = window.__dmDone = undefined;
  document.addEventListener('mouseup', e => { window.__dmInput = e.timeStamp; },
    { capture: true, once: true });
  map.once('moveend', () => requestAnimationFrame(() => { window.__dmDone = performance.now(); }));
  const box = map.getContainer().getBoundingClientRect();
  return [box.left + box.width / 2, box.top + box.height / 2];
}""".replace("@MAP@", FIND_MAP_JS)
ARM_CLICK_JS = """() => { window.__dmInput = undefined;
  document.addEventListener('mousedown', e => { window.__dmInput = e.timeStamp; },
    { capture: true, once: true }); }"""
DONE_JS = "() => window.__dmDone !== undefined && window.__dmInput !== undefined"
ELAPSED_JS = "() => window.__dmDone - window.__dmInput"


@dataclass
class PageFigures:
    drawn_ms: float | None = None
    interactive_ms: float | None = None
    click_ms: float | None = None
    toggle_ms: float | None = None
    pan_ms: float | None = None
    errors: list[str] = field(default_factory=list)


@contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(REPO / "tests" / "browser"))
    from conftest import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _route() -> Any:
    """Answer any CDN's Leaflet (the peer loads it from another CDN) and our CDN files and
    tiles locally; abort the rest (the peer's jQuery, Bootstrap and icon fonts)."""
    from conftest import PageWatch, _router

    from geo.render.assets import leaflet_file

    local = _router(PageWatch(), offline=False)

    def route(route: Any, request: Any) -> None:
        name = request.url.rsplit("/", 1)[-1]
        if name in ("leaflet.js", "leaflet.css") and "/leaflet" in request.url:
            kind = "application/javascript" if name.endswith(".js") else "text/css"
            route.fulfill(status=200, body=leaflet_file(name), content_type=kind,
                          headers={"Access-Control-Allow-Origin": "*"})  # fmt: skip
        else:
            local(route, request)

    return route


def measure_page(
    browser: Any, html: Path, *, side: str, sites: list[list[float]], toggle: str | None,
    loads: int, pan: bool,
) -> PageFigures:  # fmt: skip
    """Open `html` `loads` times; return the median figures (None: not measured or failed)."""
    samples: dict[str, list[float]] = {"drawn": [], "interactive": [], "click": [], "toggle": [],
                                       "pan": []}  # fmt: skip
    figures = PageFigures()
    route = _route()
    for n in range(loads):
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        context.set_default_timeout(PAGE_TIMEOUT_MS)
        page = context.new_page()
        page.on("pageerror", lambda exc: figures.errors.append(str(exc)[:200]))
        page.route("**/*", route)
        try:
            page.goto(html.resolve().as_uri(), timeout=PAGE_TIMEOUT_MS)
            samples["drawn"].append(
                page.wait_for_function(DRAWN_JS[side], polling="raf").json_value()
            )
            target = page.evaluate(TARGET_JS, [sites, side == "ours"])
            if target is not None:
                page.evaluate(ARM_CLICK_JS)
                page.mouse.click(*target)
                shown = page.wait_for_function(POPUP_JS, polling="raf", timeout=30_000)
                samples["interactive"].append(shown.json_value())
                samples["click"].append(shown.json_value() - page.evaluate("window.__dmInput"))
                page.keyboard.press("Escape")
            if toggle and n < 3:
                samples["toggle"].append(_toggle(page, side, toggle))
            if pan and n < 3:
                samples["pan"].append(_pan(page))
        except Exception as exc:  # a page that never draws: say so in the table, go on
            figures.errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
        finally:
            context.close()
    for key, values in samples.items():
        if values:
            setattr(figures, f"{key}_ms", statistics.median(values))
    return figures


def _toggle(page: Any, side: str, layer: str) -> float:
    box = (
        page.locator(f'input[data-layer-id="{layer}"]')
        if side == "ours"
        else page.locator(".leaflet-control-layers-overlays label", has_text=layer).locator("input")
    )
    box.click()  # off
    page.wait_for_timeout(300)
    page.evaluate(ARM_TOGGLE_JS, [side == "ours", layer])
    box.click()  # on: the figure
    page.wait_for_function(DONE_JS, polling="raf")
    return float(page.evaluate(ELAPSED_JS))


def _pan(page: Any) -> float:
    x, y = page.evaluate(ARM_PAN_JS)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 250, y - 150, steps=12)
    page.wait_for_timeout(120)  # at rest before the release: no inertia, moveend at once
    page.mouse.up()
    page.wait_for_function(DONE_JS, polling="raf")
    return float(page.evaluate(ELAPSED_JS))


# --------------------------------------------------------------------------------------------
# One workload
# --------------------------------------------------------------------------------------------


@dataclass
class Result:
    workload: str
    features: int = 0
    ours: Run | None = None
    peer: Run | None = None
    ours_bytes: int = 0
    peer_bytes: int = 0
    ours_page: PageFigures | None = None
    peer_page: PageFigures | None = None
    loss: dict[str, Any] = field(default_factory=dict)
    import_s: float | None = None  # importing the dependencies plainly: the target's yardstick
    import_modules: int = 0  # how many modules that is
    built_import_s: float | None = None  # the same as build_map.py does (collector off, frozen)
    cold: Run | None = None  # our build with an empty cache folder (the first after an install)


def dependency_imports(code: Path, build_args: list[str]) -> tuple[str, str]:
    """`python -c` programs that import what a build with `build_args` imports from outside
    `geo`, and nothing else: plainly (the target's yardstick), and as a build imports them (the
    garbage collector off while they load, then what they made frozen: a quarter to a third
    faster, most of it at exit, where a frozen heap is not collected), so that the build over
    the latter counts only our own work."""
    listed = subprocess.run(
        [PYTHON, "-c", LIST_IMPORTS, str(code), *build_args],
        cwd=code, env=CHILD_ENV, capture_output=True, text=True, check=True,
    )  # fmt: skip
    names = json.loads(listed.stdout.strip().splitlines()[-1])
    plain = "\n".join(f"__import__({n!r})" for n in names)
    return plain, "import gc; gc.disable()\n" + plain + "\ngc.freeze(); gc.enable()"


def run_workload(
    name: str, folder: Path, *, code: Path, repeat: int, loads: int, browser: Any
) -> Result:
    if name == "shipped":
        layers = code / "layers"
    else:
        layers = folder / "layers"
        write_workload(layers, WORKLOADS[name])
    result = Result(name)
    repeat = 1 if name == "100k" else repeat  # minutes a run: once is enough to see
    ours_html, peer_html = folder / "ours.html", folder / "peer.html"
    build = [PYTHON, str(code / "build_map.py"), "--layers", str(layers), "--output",
             str(ours_html)]  # fmt: skip
    print(f"[{name}] our build ×{repeat} ...", flush=True)
    runs, imports, built_imports, cold = [], [], [], []
    if name == "shipped":
        plain, as_built = dependency_imports(code, build[2:])
        result.import_modules = plain.count("__import__")
        print(f"[{name}] the build imports {result.import_modules} modules from outside geo")
    for _ in range(repeat):
        runs.append(run_timed(build, cwd=code, log=folder / "ours.log"))
        if name == "shipped":  # between builds, so that both see the same machine
            log = folder / "import.log"
            imports.append(run_timed([PYTHON, "-c", plain], cwd=code, log=log))
            built_imports.append(run_timed([PYTHON, "-c", as_built], cwd=code, log=log))
            empty = {"DEFENSE_MAP_CACHE": tempfile.mkdtemp(prefix="cache-", dir=folder)}
            cold.append(run_timed(build, cwd=code, log=folder / "cold.log", env=empty))
    result.ours = best(runs)
    if imports:
        result.import_s, result.built_import_s = best(imports).wall_s, best(built_imports).wall_s
        result.cold = best(cold)
    print(f"[{name}]   {(folder / 'ours.log').read_text().strip()}", flush=True)
    pickled, loss = folder / "features.pkl", folder / "loss.json"
    worker = str(HERE / "_scale_worker.py")
    print(f"[{name}] features for the peer, geometry loss ...", flush=True)
    prepare = [PYTHON, worker, "prepare", str(code), str(layers), str(ours_html), str(pickled),
               str(loss)]  # fmt: skip
    run_timed(prepare, cwd=code, log=folder / "prepare.log")
    result.loss = json.loads(loss.read_text())
    result.features = sum(v["features"] for v in result.loss.values())
    print(f"[{name}] peer build ×{repeat} ...", flush=True)
    peer = [PYTHON, worker, "peer", str(pickled), str(peer_html)]
    result.peer = best([run_timed(peer, cwd=code, log=folder / "peer.log") for _ in range(repeat)])
    result.ours_bytes, result.peer_bytes = ours_html.stat().st_size, peer_html.stat().st_size
    if browser is not None:
        sites, big_layer = _probe(ours_html)
        pan = name == "100k"
        big_loads = max(1, min(loads, 3)) if name == "100k" else loads
        print(f"[{name}] Chromium: our page ×{big_loads} ...", flush=True)
        result.ours_page = measure_page(browser, ours_html, side="ours", sites=sites,
                                        toggle=big_layer, loads=big_loads, pan=pan)  # fmt: skip
        print(f"[{name}] Chromium: peer page ×{big_loads} ...", flush=True)
        result.peer_page = measure_page(browser, peer_html, side="peer", sites=sites,
                                        toggle="site", loads=big_loads, pan=pan)  # fmt: skip
    return result


def _probe(page: Path) -> tuple[list[list[float]], str | None]:
    """Sites to click ([lat, lon], a sample) and the layer shown at start with the most sites."""
    from _scale_worker import page_layers

    sites: list[list[float]] = []
    counts: dict[str, int] = {}
    for layer in page_layers(page):
        points = [f for f in layer["features"] if (f["geometry"] or {}).get("type") == "Point"]
        if not layer["visible"]:
            continue
        counts[layer["id"]] = len(points)
        sites += [[f["geometry"]["coordinates"][1], f["geometry"]["coordinates"][0]]
                  for f in points]  # fmt: skip
    shown = [lid for lid, n in counts.items() if n]
    return sites[:: max(1, len(sites) // 300)], max(shown, key=counts.__getitem__, default=None)


# --------------------------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------------------------

TARGETS: dict[tuple[str, str], tuple[str, Any]] = {
    # (workload, metric) -> (target text, check(ours, peer, result))
    ("shipped", "build wall (s)"): ("≤ 1.3 × import", lambda o, p, r: o <= 1.3 * r.import_s),
    ("10k", "build CPU (s)"): ("≤ peer", lambda o, p, r: o <= p),
    ("10k", "HTML (MB)"): ("≤ 0.5 × peer", lambda o, p, r: o <= 0.5 * p),
    ("10k", "drawn (ms)"): ("< 2000", lambda o, p, r: o < 2000),
    ("10k", "interactive (ms)"): ("< 2000", lambda o, p, r: o < 2000),
    ("100k", "build wall (s)"): ("< 30", lambda o, p, r: o < 30),
    ("100k", "toggle (ms)"): ("< 1000", lambda o, p, r: o < 1000),
    ("100k", "pan (ms)"): ("< 1000", lambda o, p, r: o < 1000),
}


def rows(result: Result) -> list[tuple[str, str, float | None, float | None, str, str]]:
    """(workload, metric, ours, peer, target, met) for one workload."""
    o, p = result.ours, result.peer
    op, pp = result.ours_page or PageFigures(), result.peer_page or PageFigures()
    metrics: list[tuple[str, float | None, float | None]] = [
        ("build wall (s)", o and o.wall_s, p and p.wall_s),
        ("  empty cache (s)", result.cold.wall_s if result.cold else None, None),
        ("build CPU (s)", o and o.cpu_s, p and p.cpu_s),
        ("peak RSS (MB)", o and o.rss_mb, p and p.rss_mb),
        ("HTML (MB)", result.ours_bytes / 1e6, result.peer_bytes / 1e6),
        ("drawn (ms)", op.drawn_ms, pp.drawn_ms),
        ("interactive (ms)", op.interactive_ms, pp.interactive_ms),
        ("click → popup (ms)", op.click_ms, pp.click_ms),
        ("toggle (ms)", op.toggle_ms, pp.toggle_ms),
        ("pan (ms)", op.pan_ms, pp.pan_ms),
    ]
    if result.import_s is not None:
        metrics[:0] = [("import deps (s)", result.import_s, None),
                       ("  as the build does (s)", result.built_import_s, None)]  # fmt: skip
    out = []
    for metric, ours, peer in metrics:
        if ours is None and peer is None:
            continue
        target, check = TARGETS.get((result.workload, metric), ("", None))
        met = ""
        if check is not None and ours is not None and (peer is not None or "peer" not in target):
            met = "yes" if check(ours, peer, result) else "NO"
        out.append((result.workload, metric, ours, peer, target, met))
    if result.import_s and o:  # after the import rows
        out.insert(2, (result.workload, "build / import", o.wall_s / result.import_s, None,
                       "≤ 1.3", "yes" if o.wall_s <= 1.3 * result.import_s else "NO"))  # fmt: skip
        if result.built_import_s:  # our own work: no target of its own
            out.insert(3, (result.workload, "  / import as built", o.wall_s / result.built_import_s,
                           None, "", ""))  # fmt: skip
    return out


def _fmt(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}"


def print_table(results: list[Result], *, markdown: bool) -> None:
    head = ("workload", "metric", "ours", "peer", "ours/peer", "target", "met")
    lines = []
    for result in results:
        for workload, metric, ours, peer, target, met in rows(result):
            ratio = f"{ours / peer:.2f}" if ours is not None and peer else "–"
            lines.append((workload, metric, _fmt(ours), _fmt(peer), ratio, target, met))
    if markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "|".join(["---"] * 2 + ["--:"] * 3 + ["---"] * 2) + "|")
        for line in lines:
            print("| " + " | ".join(line) + " |")
    else:
        widths = [max(len(str(x[i])) for x in [head, *lines]) for i in range(len(head))]
        for line in [head, *lines]:
            print("  ".join(str(c).ljust(w) if i < 2 or i > 4 else str(c).rjust(w)
                            for i, (c, w) in enumerate(zip(line, widths))))  # fmt: skip
    print()
    print("Geometry on our page: largest Hausdorff distance from the Atlas's (upper bound, m)")
    for result in results:
        for kind, entry in sorted(result.loss.items()):
            print(f"  {result.workload:8} {kind:7} {entry['features']:7,} features  "
                  f"vertices {entry['vertices_atlas']:9,} -> {entry['vertices_page']:9,}  "
                  f"max {entry['max_m']:6.2f} m  invalid {entry['invalid']}")  # fmt: skip
    for result in results:
        for side, page in (("ours", result.ours_page), ("peer", result.peer_page)):
            for error in dict.fromkeys(page.errors if page else []):
                print(f"  {result.workload} {side} page error: {error}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="shipped and 10k only, two builds")
    parser.add_argument("--workloads", help="comma-separated: shipped,10k,100k,5k-file")
    parser.add_argument("--code", type=Path, default=REPO, help="the checkout to measure")
    parser.add_argument("--repeat", type=int, help="builds per workload (best is kept)")
    parser.add_argument("--loads", type=int, help="page loads per page (median is kept)")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium figures")
    parser.add_argument("--keep", type=Path, help="keep layer files and pages in this folder")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    args = parser.parse_args(argv)
    every = ["shipped", "10k", "5k-file", "100k"]
    names = args.workloads.split(",") if args.workloads else every[:2] if args.quick else every
    repeat = args.repeat or (2 if args.quick else 3)
    loads = args.loads or (3 if args.quick else 5)
    code = args.code.resolve()
    print(f"code: {code}; load average at start: {os.getloadavg()[0]:.2f} "
          f"({os.cpu_count()} CPUs)", flush=True)  # fmt: skip
    root = Path(tempfile.mkdtemp(prefix="bench-scale-")) if args.keep is None else args.keep
    results = []
    try:
        with chromium() if not args.no_browser else _nothing() as browser:
            for name in names:
                folder = root / name
                folder.mkdir(parents=True, exist_ok=True)
                results.append(run_workload(name, folder, code=code, repeat=repeat,
                                            loads=loads, browser=browser))  # fmt: skip
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    print(f"\nload average at the end: {os.getloadavg()[0]:.2f}\n")
    print_table(results, markdown=args.markdown)
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=1), encoding="utf-8")


@contextmanager
def _nothing() -> Iterator[None]:
    yield None


if __name__ == "__main__":
    main()
