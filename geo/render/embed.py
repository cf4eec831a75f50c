"""Make the <iframe> snippet that embeds a map in a report page."""

from __future__ import annotations

import html
from pathlib import Path


def iframe_snippet(
    map_path: Path | str, *, title: str, aspect: str = "16 / 10", link_fragment: str = ""
) -> str:
    """Return an <iframe> that fills the width of its container and keeps the map's aspect.

    `link_fragment` (e.g. '#map=5/50/20&layers=a,b') opens one exact view.

    >>> snippet = iframe_snippet("map.html", title='A "map" <1>')
    >>> print(snippet)  # doctest: +NORMALIZE_WHITESPACE
    <iframe src="map.html" title="A &quot;map&quot; &lt;1&gt;" loading="lazy" allowfullscreen
    style="display:block;width:100%;aspect-ratio:16 /
    10;height:auto;min-height:320px;border:0"></iframe>
    """
    src = Path(map_path).name + link_fragment
    style = f"display:block;width:100%;aspect-ratio:{aspect};height:auto;min-height:320px;border:0"
    return (
        f'<iframe src="{html.escape(src)}" title="{html.escape(title)}" loading="lazy" '
        f'allowfullscreen style="{style}"></iframe>'
    )
