"""A real notebook shows the Atlas: nbclient runs it on an ipykernel, Chromium opens its output."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
REPO = Path(__file__).resolve().parents[2]


def _run_notebook(tmp_path: Path) -> str:
    """Execute a two-cell notebook in the repository folder; return the Atlas cell's HTML."""
    nbformat = pytest.importorskip("nbformat", reason="pip install -e '.[test]' (nbformat)")
    nbclient = pytest.importorskip("nbclient", reason="pip install -e '.[test]' (nbclient)")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell('import geo\natlas = geo.load("layers")\nprint(repr(atlas))'),
        nbformat.v4.new_code_cell("atlas"),
    ]
    client = nbclient.NotebookClient(
        notebook, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(REPO)}}
    )
    client.execute()
    nbformat.write(notebook, tmp_path / "report.ipynb")  # a real notebook file, outputs kept
    printed = notebook.cells[0].outputs[0]["text"]
    assert printed.startswith("<Atlas 'Missile defense in Europe") and "9 layers" in printed
    (display,) = notebook.cells[1].outputs
    assert display["output_type"] == "execute_result"
    return str(display["data"]["text/html"])


def test_a_notebook_shows_the_map_and_a_reader_can_use_it(open_map, tmp_path):
    html = _run_notebook(tmp_path)
    report = tmp_path / "report.html"  # the cell's output in a page, as a notebook viewer shows it
    report.write_text(
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Report</title>'
        f"</head><body><h1>Report</h1><div style='width:900px'>{html}</div></body></html>",
        encoding="utf-8",
    )
    page = open_map.context.new_page()
    watch = open_map.watch_new(page)
    page.goto(report.as_uri())
    frame = page.frame_locator("iframe")
    frame.locator(".dm-layers").wait_for()
    # every layer of the shipped story is in the panel
    assert frame.locator("[data-layer-id]").count() == 9
    # a reader switches a layer on: its features and legend entry appear
    frame.locator("[data-layer-id='us-homeland-gmd']").check()
    assert frame.locator("[data-legend-layer='us-homeland-gmd']").count() == 1
    # and opens a feature's popup by clicking its marker (Armavir, brought to the middle)
    inner = next(f for f in page.frames if f is not page.main_frame)
    spot = inner.evaluate(
        """() => {
          const m = window.defenseMap.map;
          m.setView([44.926, 40.986], 6, {animate: false});
          const p = m.latLngToContainerPoint([44.926, 40.986]), r = m.getContainer().getBoundingClientRect();
          return [r.left + p.x, r.top + p.y];
        }"""
    )
    box = page.locator("iframe").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + spot[0], box["y"] + spot[1])
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "Armavir" in popup.inner_text() and "Sources" in popup.inner_text()
    assert watch.errors == [] and watch.blocked == []  # CDN and tiles answered locally
