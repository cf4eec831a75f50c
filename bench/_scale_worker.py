"""The parts of `bench_scale.py` that run in their own process, so that each is measured alone.

python bench/_scale_worker.py prepare CODE LAYERS PAGE FEATURES.pkl LOSS.json
    load LAYERS with the code in CODE; pickle the features for the peer; compare the
    geometry of PAGE (our map, as its data scripts carry it) with the Atlas's and write the
    loss (max Hausdorff distance) and validity as JSON.
python bench/_scale_worker.py peer FEATURES.pkl OUT.html
    the peer: GeoDataFrame.explore() of the same features, one layer per kind, a layer
    control; the process that the benchmark times.
"""

from __future__ import annotations

import json
import pickle
import re
import sys
from pathlib import Path
from typing import Any

#: Columns the peer's popups and tooltips show: what our popups show, as text.
PEER_COLUMNS = ("id", "layer", "kind", "name", "role", "status", "date_from", "date_to",
                "precision", "uncertainty", "description", "sources", "derivation")  # fmt: skip
DATA_RE = re.compile(r'<script type="application/json" id="[^"]+-data">(.*?)</script>', re.S)
#: Metres in a degree of latitude; a degree of longitude is shorter, so this bounds the loss.
M_PER_DEG = 111_320.0


def prepare(code: Path, layers: Path, page: Path, features: Path, loss: Path) -> None:
    sys.path.insert(0, str(code))
    import geo

    atlas = geo.load(layers)
    frame = atlas.features
    frame["sources"] = [", ".join(s) for s in frame["sources"]]
    frame = frame[[*PEER_COLUMNS, "geometry"]]
    with features.open("wb") as out:
        pickle.dump(frame, out, protocol=pickle.HIGHEST_PROTOCOL)
    loss.write_text(json.dumps(geometry_loss(atlas, page)), encoding="utf-8")


def page_layers(page: Path) -> list[dict[str, Any]]:
    """The layers' data of one of our pages, each with plain GeoJSON features (a compact
    layer decoded as the page script decodes it)."""
    try:
        from geo.render.html import page_features  # the code under test reads its own data
    except ImportError:  # older pages: every layer is plain GeoJSON

        def page_features(data: dict[str, Any]) -> list[dict[str, Any]]:
            return list(data["features"]["features"])

    blobs = [json.loads(m.group(1)) for m in DATA_RE.finditer(page.read_text("utf-8"))]
    return [
        {"id": b["id"], "visible": b["visible"], "features": page_features(b)}
        for b in blobs
        if "features" in b or "compact" in b
    ]


def geometry_loss(atlas: Any, page: Path) -> dict[str, Any]:
    """How far the page's shapes are from the Atlas's, per kind: the largest distance from a
    vertex of either to the other shape (a symmetric, vertex-based Hausdorff distance to the
    shapes as areas: an outline moved, grown or shrunk shows; metres, an upper bound, a degree
    counted as 111.32 km), how many page shapes are invalid, and the vertex counts."""
    import numpy as np
    import shapely
    from shapely.geometry import shape

    drawn = {}
    for layer in page_layers(page):
        for f in layer["features"]:
            geometry = f["geometry"]
            drawn[(layer["id"], f["properties"]["id"])] = geometry and shape(geometry)
    result: dict[str, Any] = {}
    for layer in atlas.layers:
        frame = layer.features
        for kind in sorted(set(frame["kind"])):
            rows = frame[frame["kind"] == kind]
            ours = [drawn.get((layer.id, fid)) for fid in rows["id"]]
            keep = [i for i, g in enumerate(ours) if g is not None]
            if not keep:
                continue
            truth = np.asarray(rows.geometry.values)[keep]
            mine = np.asarray([ours[i] for i in keep], dtype=object)
            metres = max(_farthest_vertex(truth, mine), _farthest_vertex(mine, truth)) * M_PER_DEG
            entry = result.setdefault(kind, {"features": 0, "max_m": 0.0, "invalid": 0,
                                             "vertices_atlas": 0, "vertices_page": 0})  # fmt: skip
            entry["features"] += len(keep)
            entry["max_m"] = max(entry["max_m"], float(metres))
            entry["invalid"] += int(np.sum(~shapely.is_valid(mine)))
            entry["vertices_atlas"] += int(np.sum(shapely.get_num_coordinates(truth)))
            entry["vertices_page"] += int(np.sum(shapely.get_num_coordinates(mine)))
    return result


def _farthest_vertex(these: Any, others: Any) -> float:
    """The largest distance (degrees) from a vertex of these[i] to others[i]."""
    import numpy as np
    import shapely

    coords, index = shapely.get_coordinates(these, return_index=True)
    if not len(coords):
        return 0.0
    return float(np.max(shapely.distance(shapely.points(coords), others[index])))


def peer(features: Path, out: Path) -> None:
    import folium

    with features.open("rb") as source:
        frame = pickle.load(source)
    m = None
    for kind in ("region", "range", "link", "site"):  # sites last: on top, as on our map
        part = frame[frame["kind"] == kind]
        if len(part):
            m = part.explore(m=m, name=kind, popup=True)
    folium.LayerControl(collapsed=False).add_to(m)
    m.save(str(out))


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    paths = [Path(a) for a in args]
    {"prepare": prepare, "peer": peer}[command](*paths)
