"""Golden files: the generated HTML for canonical layer sets, normalised for review.

Refresh with `pytest tests/test_golden.py --update-golden` and review the diff like code.
The page is split into its skeleton (template, our CSS/JS) and its data; each geometry in the
data is summarised (type, vertex count, bounds, digest), so a change shows where it happened.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest

from geo.atlas import load_atlas
from geo.render.assets import own_file
from geo.render.folium_map import PAGE_SCRIPTS
from geo.render.html import page_features, render_html

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "tests" / "golden"
DATA_RE = re.compile(r'(<script type="application/json" id="[^"]+-data">)(.*?)(</script>)', re.S)
BASEMAP_RE = re.compile(
    r'(<script type="application/json" id="[^"]+-basemap">)(.*?)(</script>)', re.S
)
CASES = {
    "basic": REPO / "tests" / "fixtures" / "basic",
    "shipped": REPO / "layers",
}


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _flatten(coords: Any) -> list[list[float]]:
    if coords and isinstance(coords[0], (int, float)):
        return [coords]
    return [point for part in coords for point in _flatten(part)]


def summarise_geometry(geometry: dict[str, Any]) -> dict[str, Any]:
    points = _flatten(geometry["coordinates"])
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return {
        "type": geometry["type"],
        "vertices": len(points),
        "bounds": [
            round(min(lons), 3),
            round(min(lats), 3),
            round(max(lons), 3),
            round(max(lats), 3),
        ],
        "digest": _digest(geometry["coordinates"]),
    }


def normalise(page: str) -> tuple[str, dict[str, Any]]:
    """Split a page into its skeleton and a reviewable summary of its data."""
    blobs = [json.loads(m.group(2)) for m in DATA_RE.finditer(page)]
    assert blobs, "the page has no data scripts"
    data = {**blobs[0], "layers": blobs[1:]}  # the controls' data, then one script per layer
    data.pop("vector_basemap")  # null: the base map has a script of its own
    basemap_match = BASEMAP_RE.search(page)
    assert basemap_match, "the page has no vector base map"
    basemap = json.loads(basemap_match.group(2))
    data["vector_basemap"] = {"digest": _digest(basemap), "sea_labels": basemap["sea_labels"]}

    for layer in data["layers"]:
        if "compact" in layer:  # a big layer's columns: reviewed as the features they make
            features = page_features(layer)
            del layer["compact"]
            layer["features"] = {"from_columns": True, "features": features}
        for feature in layer["features"]["features"]:
            feature["geometry"] = summarise_geometry(feature["geometry"])
            outline = feature["properties"].get("outline")
            if outline:
                feature["properties"]["outline"] = summarise_geometry(outline)
    skeleton = BASEMAP_RE.sub(r"\1@BASEMAP@\3", DATA_RE.sub(r"\1@DATA@\3", page))
    # Leaflet's hashes and our message are data of assets.py, reviewed there
    skeleton = re.sub(r'integrity="sha384-[^"]+"', 'integrity="@SRI@"', skeleton)
    # our own script and stylesheet are reviewed as source files, not again as golden copies
    for name in (*PAGE_SCRIPTS, "map.css"):
        text = own_file(name)
        assert skeleton.count(text) == 1, f"{name} is not in the page exactly once"
        skeleton = skeleton.replace(text, f"@{name}@")
    return skeleton, data


@pytest.mark.parametrize("case", sorted(CASES))
def test_html_matches_golden(case: str, update_golden: bool):
    skeleton, data = normalise(render_html(load_atlas(CASES[case])))
    data_text = json.dumps(data, indent=1, ensure_ascii=False, sort_keys=False) + "\n"
    files = {GOLDEN / f"{case}.page.html": skeleton, GOLDEN / f"{case}.data.json": data_text}
    if update_golden:
        for path, text in files.items():
            path.write_text(text, encoding="utf-8")
    for path, text in files.items():
        assert path.is_file(), f"{path.name} is missing: run pytest --update-golden"
        assert text == path.read_text("utf-8"), f"{path.name} differs: review, then --update-golden"


def test_user_text_cannot_leave_the_data_script():
    page = render_html(load_atlas(CASES["basic"]))
    data = "".join(m.group(2) for m in DATA_RE.finditer(page))
    assert "<img" not in data and "</" not in data
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in data
    first_layer = json.loads(list(DATA_RE.finditer(page))[1].group(2))
    assert first_layer["features"]["features"][0]["properties"]["name"] == (
        "<img src=x onerror=alert(1)>"
    )
    assert "<title>Missile defense" in page
