"""How the map looks, in every output: the one table the page, the static renderer and KML read.

What a feature *is* lives in the Atlas; how it is drawn lives here, once. The interactive page
gets this table as data (`page_look`), the static renderer draws the same symbols with
matplotlib (`marker_path`, `marker_style`), and the KML writer fades uncertain features by the
same factors. No other module writes a symbol, a role word or a base-map colour.

Site symbols are closed rings of (x, y) vertices in a 16 × 16 box with y pointing down, as in
SVG. A hole winds the other way round from its outline, so the shape is the same under the
even-odd rule (the page) and the non-zero rule (matplotlib). Circles are regular polygons of
32 vertices: at 16 px their chords stray less than 0.04 px from the true circle.

>>> svg_path("radar")
'M8 1 L15 14 L1 14 Z'
>>> ROLE_LOOKS["interceptors"].word, UNCERTAIN.dash, BASEMAP.land
('interceptor site', '2 6', '#f5f1e6')

This module imports no matplotlib at import time: the page is built without it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from geo.schema import PRECISIONS, ROLES, STATUSES

if TYPE_CHECKING:  # matplotlib is imported where a marker is made, never by the page
    from matplotlib.markers import MarkerStyle
    from matplotlib.path import Path as MplPath

#: Width and height of the box site symbols are drawn in (CSS pixels on the page).
SYMBOL_BOX = 16.0
_CIRCLE_VERTICES = 32
_DECIMALS = 2  # symbol vertices are kept to 1/100 of the box unit, so every output draws these

Ring = tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Symbol:
    """A site symbol: closed rings in the 16 × 16 box, y down; holes wind the other way."""

    rings: tuple[Ring, ...]

    def extent(self) -> float:
        """Return the largest distance of a vertex from the box centre along x or y.

        >>> ROLE_LOOKS["city"].symbol.extent()
        4.0
        """
        half = SYMBOL_BOX / 2
        return max(max(abs(x - half), abs(y - half)) for ring in self.rings for x, y in ring)


@dataclass(frozen=True)
class RoleLook:
    """How a site of one role is drawn and named in legends, popups and balloons."""

    word: str
    symbol: Symbol


@dataclass(frozen=True)
class UncertainLook:
    """How features with nominal or uncertain values are set apart from established ones.

    Opacity factors multiply the layer's own opacities; `dash` (an SVG dash array in CSS
    pixels) replaces the layer's dash; marker values are for site symbols, the stroke width in
    units of the 16-unit symbol box. `mark` follows uncertain names in the static map.
    """

    stroke_opacity_factor: float
    fill_opacity_factor: float
    dash: str
    marker_fill_opacity: float
    marker_fill_opacity_certain: float
    marker_stroke: str
    marker_stroke_width: float
    legend: str
    mark: str


@dataclass(frozen=True)
class BasemapLook:
    """The colours of the offline vector base map; `border_width` is in CSS pixels."""

    sea: str
    land: str
    border: str
    border_width: float
    sea_label: str  # italic sea names on the sea: 4.9:1 against it (WCAG AA asks 4.5:1)


def _ring(*points: tuple[float, float]) -> Ring:
    return tuple((round(x, _DECIMALS) + 0.0, round(y, _DECIMALS) + 0.0) for x, y in points)


def _circle(radius: float, *, hole: bool = False) -> Ring:
    """Return a circle round the box centre, counter-clockwise on screen (y down), or
    clockwise for a hole.

    >>> _circle(4)[:2]
    ((12.0, 8.0), (11.92, 7.22))
    """
    step = (-1.0 if hole else 1.0) * 2 * math.pi / _CIRCLE_VERTICES
    half = SYMBOL_BOX / 2
    return _ring(
        *(
            (half + radius * math.cos(i * step), half - radius * math.sin(i * step))
            for i in range(_CIRCLE_VERTICES)
        )
    )


_STAR = _ring(
    (8, 0.5), (10, 6), (15.5, 6), (11, 9.5), (12.8, 15),
    (8, 11.6), (3.2, 15), (5, 9.5), (0.5, 6), (6, 6),
)  # fmt: skip

#: Site role -> word and symbol, in the order of `geo.schema.ROLES` (legends list them so).
ROLE_LOOKS: Mapping[str, RoleLook] = MappingProxyType(
    {
        "radar": RoleLook("radar", Symbol((_ring((8, 1), (15, 14), (1, 14)),))),
        "interceptors": RoleLook(
            "interceptor site", Symbol((_ring((2, 2), (14, 2), (14, 14), (2, 14)),))
        ),
        "command": RoleLook("command / control centre", Symbol((_STAR,))),
        "launch": RoleLook(
            "launch area", Symbol((_ring((8, 0.5), (15.5, 8), (8, 15.5), (0.5, 8)),))
        ),
        "naval": RoleLook("naval base", Symbol((_circle(7), _circle(3, hole=True)))),
        "city": RoleLook("city", Symbol((_circle(4),))),
        "other": RoleLook("other site", Symbol((_circle(6),))),
    }
)
#: The role drawn for a site whose role has no look of its own.
FALLBACK_ROLE = "other"

#: Feature status -> the word popups and balloons show.
STATUS_WORDS: Mapping[str, str] = MappingProxyType(
    {"proposed": "proposed", "agreed": "agreed", "operational": "operational",
     "cancelled": "cancelled"}
)  # fmt: skip
#: Site location precision -> the words popups and balloons show.
PRECISION_WORDS: Mapping[str, str] = MappingProxyType(
    {"site": "exact site", "town": "nearest town or base centre",
     "approx": "approximate (within ~10 km)"}
)  # fmt: skip

UNCERTAIN = UncertainLook(
    stroke_opacity_factor=0.8,
    fill_opacity_factor=0.6,
    dash="2 6",  # dotted: with round caps each dash is a dot
    marker_fill_opacity=0.45,
    marker_fill_opacity_certain=0.9,
    marker_stroke="#ffffff",
    marker_stroke_width=1.2,
    legend="dotted / faded: uncertain or nominal value",
    mark="\u2020",  # dagger
)

BASEMAP = BasemapLook(
    sea="#c6dbec",
    land="#f5f1e6",
    border="#9a9a9a",
    border_width=0.8,
    sea_label="#3a5d7c",
)

#: Colour of the role symbols and of the uncertain key in legends (a role has no layer colour).
LEGEND_KEY_COLOR = "#59636b"  # the page reads it as ``look.key_color``


def role_look(role: str | None) -> RoleLook:
    """Return the look of a site role; an unknown or missing role looks like "other".

    >>> role_look("naval").word, role_look(None).word, role_look("submarine").word
    ('naval base', 'other site', 'other site')
    """
    return ROLE_LOOKS.get(role or FALLBACK_ROLE) or ROLE_LOOKS[FALLBACK_ROLE]


def role_word(role: str | None) -> str | None:
    """Return the word for a role, the role itself when it has none, None for no role.

    >>> role_word("interceptors"), role_word("submarine"), role_word(None)
    ('interceptor site', 'submarine', None)
    """
    if role is None:
        return None
    look = ROLE_LOOKS.get(role)
    return look.word if look is not None else role


def svg_path(role: str) -> str:
    """Return the SVG path data of a role's symbol in the 16 × 16 box (y down).

    An unknown role gets the "other" symbol.

    >>> svg_path("interceptors")
    'M2 2 L14 2 L14 14 L2 14 Z'
    >>> svg_path("naval").count("M"), svg_path("submarine") == svg_path("other")
    (2, True)
    """
    return " ".join(
        "M" + " L".join(f"{_num(x)} {_num(y)}" for x, y in ring) + " Z"
        for ring in role_look(role).symbol.rings
    )


def _num(value: float) -> str:
    return f"{value:g}"


def marker_path(role: str) -> MplPath:
    """Return a role's symbol as a matplotlib path, centred on (0, 0) with y up.

    One unit is the whole 16-unit box, so the box spans -0.5 to 0.5. Matplotlib scales a
    path marker to its own size; `marker_style` undoes that, so that every role keeps its
    size in the box (the city dot stays small).

    >>> marker_path("radar").vertices.tolist()[:3]
    [[0.0, 0.4375], [0.4375, -0.375], [-0.4375, -0.375]]
    """
    from matplotlib.path import Path as MplPath

    vertices: list[tuple[float, float]] = []
    codes: list[int] = []
    half = SYMBOL_BOX / 2
    for ring in role_look(role).symbol.rings:
        points = [((x - half) / SYMBOL_BOX, (half - y) / SYMBOL_BOX) for x, y in ring]
        vertices += [*points, points[0]]
        codes += [int(MplPath.MOVETO)] + [int(MplPath.LINETO)] * (len(points) - 1)
        codes.append(int(MplPath.CLOSEPOLY))
    return MplPath(vertices, codes)


def marker_style(role: str) -> MarkerStyle:
    """Return a matplotlib marker of a role's symbol whose `markersize` is the 16-unit box.

    Drawn at one size, every role then keeps its size in the box, as on the page:

    >>> box = marker_style("city").get_path().transformed(marker_style("city").get_transform())
    >>> [float(v) for v in box.get_extents().bounds]
    [-0.25, -0.25, 0.5, 0.5]
    """
    from matplotlib.markers import MarkerStyle
    from matplotlib.transforms import Affine2D

    extent = role_look(role).symbol.extent() / SYMBOL_BOX  # half the symbol's width, in boxes
    # matplotlib scales a path marker so that its widest vertex lies at 0.5: scale it back
    return MarkerStyle(marker_path(role), transform=Affine2D().scale(2 * extent), joinstyle="miter")


def page_look() -> dict[str, Any]:
    """Return the table as the page's script reads it (`DATA.look`): JSON-ready data.

    Roles, statuses and precisions in the order of `geo.schema`; `uncertain` and `basemap`
    are the fields of `UNCERTAIN` and `BASEMAP`; `key_color` is `LEGEND_KEY_COLOR`.

    >>> look = page_look()
    >>> list(look)
    ['roles', 'statuses', 'precisions', 'uncertain', 'basemap', 'key_color']
    >>> look["roles"]["radar"]
    {'word': 'radar', 'path': 'M8 1 L15 14 L1 14 Z'}
    """
    return {
        "roles": {role: {"word": ROLE_LOOKS[role].word, "path": svg_path(role)} for role in ROLES},
        "statuses": {status: STATUS_WORDS[status] for status in STATUSES},
        "precisions": {precision: PRECISION_WORDS[precision] for precision in PRECISIONS},
        "uncertain": asdict(UNCERTAIN),
        "basemap": asdict(BASEMAP),
        "key_color": LEGEND_KEY_COLOR,
    }
