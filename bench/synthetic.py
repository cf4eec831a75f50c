"""Synthetic layer files for the scale benchmark (`bench_scale.py`): many sites, rings and regions.

Sites are spread over Europe and Asia (lat 30–70, lon −10–140) with every role; rings of
500–4,000 km (some of them radar fans) are drawn around some of them; regions are made from
named seas and countries. Every feature cites its layer's one source. The same arguments give
the same files (a seeded generator), so two runs measure the same input.

    .venv/bin/python bench/synthetic.py OUT_DIR 10k     # writes OUT_DIR/*.yaml

Files are written as YAML flow mappings, one feature a line, and kept under 1 MB each (the
loader refuses layer files above its size limit), so a big workload is several files.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROLES = ("radar", "interceptors", "command", "launch", "naval", "city", "other")
STATUSES = ("proposed", "agreed", "operational", "cancelled")
PRECISIONS = ("site", "town", "approx")
COLORS = ("#b03a2e", "#1f618d", "#117a65", "#7d3c98", "#b9770e", "#2e4053", "#c0392b", "#28b463")
SEAS = ("Baltic Sea", "Black Sea", "Barents Sea", "North Sea", "Caspian Sea", "Kara Sea",
        "Norwegian Sea", "Adriatic Sea", "Aegean Sea", "White Sea")  # fmt: skip
COUNTRIES = ("POL", "CZE", "DEU", "FRA", "ESP", "ITA", "UKR", "BLR", "MDA", "ROU", "BGR", "TUR",
             "GEO", "ARM", "AZE", "IRN", "KAZ", "UZB", "TKM", "KGZ", "TJK", "AFG", "PAK", "IND",
             "CHN", "MNG", "KOR", "JPN", "FIN", "SWE", "NOR", "EST", "LVA", "LTU", "GRC", "SRB",
             "HUN", "SVK", "AUT", "CHE")  # fmt: skip
SYLLABLES = ("ka", "ro", "vel", "mir", "os", "tan", "bur", "ze", "lin", "gor", "ak", "su",
             "dar", "nov", "ye", "ül", "çe", "ša", "ło", "ør")  # fmt: skip
#: Sites per layer file: ~110 bytes a line keeps a file of 5,000 sites near 0.6 MB.
SITES_PER_FILE = 5_000


@dataclass(frozen=True)
class Workload:
    """What one synthetic workload holds: sites (split into files), rings and regions."""

    name: str
    sites: int
    rings: int = 0
    regions: int = 0
    links: int = 0
    sites_per_file: int = SITES_PER_FILE
    one_file: bool = False  # every feature in a single layer file


WORKLOADS = {
    "10k": Workload("10k", sites=10_000, rings=300, regions=20, sites_per_file=2_500),
    "100k": Workload("100k", sites=100_000),
    "5k-file": Workload("5k-file", sites=4_600, rings=250, links=150, one_file=True),
}


def _name(rng: random.Random, index: int) -> str:
    word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
    return f"{word.capitalize()} {index}"


def _header(layer_id: str, title: str, color: str, *, visible: bool = True) -> list[str]:
    return [
        "version: 1",
        f"id: {layer_id}",
        f'title: "{title}"',
        f'group: "Synthetic {layer_id.split("-")[0]}"',
        f"visible: {'true' if visible else 'false'}",
        f'style: {{color: "{color}", fill_opacity: 0.08, weight: 1.5}}',
        "sources:",
        f"  - {{id: src-{layer_id}, title: Synthetic source for {layer_id}, publisher: bench}}",
        "features:",
    ]


def _site_lines(rng: random.Random, first: int, count: int, source: str) -> Iterator[str]:
    for i in range(first, first + count):
        lat, lon = rng.uniform(30, 70), rng.uniform(-10, 140)
        status = rng.choice(STATUSES)
        extra = ", uncertainty: location approximate" if i % 17 == 0 else ""
        yield (
            f'  - {{id: s{i:06d}, kind: site, role: {rng.choice(ROLES)}, name: "{_name(rng, i)}", '
            f"lat: {lat:.5f}, lon: {lon:.5f}, precision: {rng.choice(PRECISIONS)}, "
            f"status: {status}{extra}, sources: [{source}]}}"
        )


def _ring_lines(rng: random.Random, count: int, sites: int, source: str) -> Iterator[str]:
    for i in range(count):
        around = f"s{rng.randrange(sites):06d}"
        radius = rng.randint(500, 4000)
        fan = f", azimuth_deg: {rng.randrange(360)}, beam_deg: 120" if i % 5 == 0 else ""
        yield (
            f"  - {{id: r{i:05d}, kind: range, around: {around}, radius_km: {radius}{fan}, "
            f'name: "Range {i} ({radius} km)", status: proposed, sources: [{source}]}}'
        )


def _region_lines(rng: random.Random, count: int, source: str) -> Iterator[str]:
    for i in range(count):
        seas = ", ".join(rng.sample(SEAS, rng.randint(1, 2)))
        countries = ", ".join(rng.sample(COUNTRIES, rng.randint(1, 4)))
        yield (
            f'  - {{id: g{i:03d}, kind: region, name: "Region {i}", status: proposed, '
            f"shape: {{union: [{{seas: [{seas}]}}, {{countries: [{countries}]}}]}}, "
            f"sources: [{source}]}}"
        )


def _link_lines(rng: random.Random, count: int, sites: int, source: str) -> Iterator[str]:
    for i in range(count):
        a, b = rng.sample(range(sites), 2)
        yield (
            f'  - {{id: k{i:05d}, kind: link, from: s{a:06d}, to: s{b:06d}, name: "Link {i}", '
            f"sources: [{source}]}}"
        )


def _write(path: Path, lines: list[str]) -> None:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_workload(folder: Path, workload: Workload, *, seed: int = 2011) -> list[Path]:
    """Write the layer files of `workload` into `folder`; return them in load order."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    if workload.one_file:
        lid = "big-5k"
        lines = _header(lid, "One file of 5,000 features", COLORS[0])
        source = f"src-{lid}"
        lines += _site_lines(rng, 0, workload.sites, source)
        lines += _ring_lines(rng, workload.rings, workload.sites, source)
        lines += _link_lines(rng, workload.links, workload.sites, source)
        _write(folder / "10-big-5k.yaml", lines)
        return [folder / "10-big-5k.yaml"]
    files = []
    for n, first in enumerate(range(0, workload.sites, workload.sites_per_file)):
        lid = f"sites-{n:02d}"
        count = min(workload.sites_per_file, workload.sites - first)
        lines = _header(lid, f"Sites {first + 1}–{first + count}", COLORS[n % len(COLORS)])
        lines += _site_lines(rng, first, count, f"src-{lid}")
        files.append(folder / f"{10 + n:02d}-{lid}.yaml")
        _write(files[-1], lines)
    if workload.rings:
        lid = "rings-00"
        lines = _header(lid, f"{workload.rings} ranges", "#6c3483")
        lines += _ring_lines(rng, workload.rings, workload.sites, f"src-{lid}")
        files.append(folder / f"80-{lid}.yaml")
        _write(files[-1], lines)
    if workload.regions:
        lid = "regions-00"
        lines = _header(lid, f"{workload.regions} regions", "#1e8449")
        lines += _region_lines(rng, workload.regions, f"src-{lid}")
        files.append(folder / f"90-{lid}.yaml")
        _write(files[-1], lines)
    return files


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[2] not in WORKLOADS:
        sys.exit(f"usage: synthetic.py OUT_DIR {{{','.join(WORKLOADS)}}}")
    for written in write_workload(Path(sys.argv[1]), WORKLOADS[sys.argv[2]]):
        print(written, written.stat().st_size)
