"""Script-injection payloads for test_injection_browser.py, each with the raw context in which
it runs when a writer does not escape it (the positive control).

Every payload calls the page's sentinel `__dmPwned(N)` with its own number (frames it makes
call `parent.__dmPwned(N)` or post `{__dmPwned: N}` to the top window). `fires_in` names a
template of `CONTEXTS`: the payload put into it unescaped, in a blank page of Chromium, calls
the sentinel. A payload whose trick no Chromium runs in any page (VBScript, CSS expressions,
an Angular or Vue template without Angular or Vue) has `fires_in` None and is there for the
lossless checks: it must come back as the same text. Jinja-style payloads say "jinja": Jinja
evaluates them (the project renders its page with Jinja), so they would not come back whole.

`PLAIN` are strings with no script that writers like to turn into something else (null-ish
words, prototype keys, numbers, format and space characters); they travel with the payloads
through every field and must come back unchanged.

Every string here is one the layer model accepts as free text: no control characters but tab,
line feed and carriage return, no U+FFFE/U+FFFF or lone surrogates, at most 2,000 characters.
"""

from __future__ import annotations

import base64
import html
import json
import unicodedata
from dataclasses import dataclass

#: A blank page, and the places a template writer puts text into; `{P}` is the payload.
_PAGE = "<!doctype html><html><head><meta charset=utf-8></head><body>{}</body></html>"
CONTEXTS: dict[str, str] = {
    "html": _PAGE.format("<div>{P}</div>"),
    "attr": _PAGE.format('<div title="{P}">x</div>'),
    "attr1": _PAGE.format("<div title='{P}'>x</div>"),
    "attr0": _PAGE.format("<div title={P}>x</div>"),
    "href": _PAGE.format('<a id="dm-target" href="{P}">go</a>'),  # and then clicked
    "js": _PAGE.format('<script>var s = "{P}";</script>'),
    "js1": _PAGE.format("<script>var s = '{P}';</script>"),
    "template": _PAGE.format("<script>var s = `{P}`;</script>"),
    "json": _PAGE.format('<script>var d = {"k": ["{P}"]};</script>'),
    "js-comment": _PAGE.format("<script>// {P}\n</script>"),
    "comment": _PAGE.format("<!-- {P} -->"),
    # what a sanitiser does: parse the text, serialise it, parse that again
    "mxss": _PAGE.format(
        "<div id=a></div><script>var t = document.createElement('template'); t.innerHTML = {J};"
        " document.getElementById('a').innerHTML = t.innerHTML;</script>"
    ),
    "css": _PAGE.format("<style>.a { color: {P} }</style><div class=a>x</div>"),
    # text an output writes twice unescaped, or folded to compatibility forms first
    "html-unescaped": _PAGE.format("<div>{U}</div>"),
    "html-nfkc": _PAGE.format("<div>{K}</div>"),
    # XML documents (served as image/svg+xml): SVG text, an SVG script's CDATA, a prolog
    "svg": '<svg xmlns="http://www.w3.org/2000/svg"><text y="20">{P}</text></svg>',
    "svg-cdata": (
        '<svg xmlns="http://www.w3.org/2000/svg"><script>//<![CDATA[\nvar s = "x"; // {P}\n'
        "//]]></script></svg>"
    ),
    "xml-prolog": '{P}<svg xmlns="http://www.w3.org/2000/svg"><g>&dm;</g></svg>',
}
#: the contexts that are XML documents, not HTML pages
XML_CONTEXTS = frozenset({"svg", "svg-cdata", "xml-prolog"})


@dataclass(frozen=True)
class Payload:
    n: int
    text: str
    fires_in: str | None  # a CONTEXTS key, "jinja", or None: no Chromium runs it anywhere
    what: str  # the trick, in a few words

    def in_context(self) -> str:
        """The payload unescaped in its context: a page (or XML document) that runs it."""
        assert self.fires_in in CONTEXTS, self
        page = CONTEXTS[self.fires_in]
        folded = unicodedata.normalize("NFKC", self.text)
        return (
            page.replace("{J}", json.dumps(self.text))
            .replace("{U}", html.unescape(self.text))
            .replace("{K}", folded)
            .replace("{P}", self.text)
        )


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


_POST = "<script>top.postMessage({{__dmPwned: {n}}}, '*')</script>"
_RAW: list[tuple[str, str | None, str]] = [
    # tags and breakouts
    ("<script>__dmPwned({n})</script>", "html", "script tag"),
    ("</script><script>__dmPwned({n})</script>", "js", "</script> breakout from a JS string"),
    ("<<script>__dmPwned({n})//<</script>", "html", "doubled angle bracket"),
    ("<SCRIPT>__dmPwned({n})</SCRIPT>", "html", "upper-case script tag"),
    ("<img src=x onerror=__dmPwned({n})>", "html", "img onerror"),
    ("<IMG SRC=x ONERROR=__dmPwned({n})>", "html", "upper-case img onerror"),
    ("<img/src/onerror=__dmPwned({n})>", "html", "slashes for spaces"),
    ('<img src=x onerror="&#95;&#95;dmPwned({n})">', "html", "entity-encoded handler"),
    ("<img src=x\tonerror=__dmPwned({n})>", "html", "tab between attributes"),
    ("<img src=x\nonerror=__dmPwned({n})>", "html", "line feed between attributes"),
    ("<img\rsrc=x\ronerror=__dmPwned({n})>", "html", "carriage returns between attributes"),
    ("<svg onload=__dmPwned({n})>", "html", "svg onload"),
    ("<svg/onload=__dmPwned({n})>", "html", "svg/onload"),
    ("<svg><script>__dmPwned({n})</script></svg>", "html", "script inside svg"),
    ("<svg><animate onbegin=__dmPwned({n}) attributeName=x dur=1s>", "html", "SMIL onbegin"),
    ("<details open ontoggle=__dmPwned({n})>", "html", "details ontoggle"),
    ("<body onload=__dmPwned({n})>", "html", "body onload"),
    ("<video><source onerror=__dmPwned({n})></video>", "html", "video source onerror"),
    ("<audio src=x onerror=__dmPwned({n})>", "html", "audio onerror"),
    ("<input autofocus onfocus=__dmPwned({n})>", "html", "input autofocus onfocus"),
    ("<marquee onstart=__dmPwned({n})>x</marquee>", None, "marquee onstart (no such event now)"),
    (
        '<style>@keyframes dmx{{}}</style><div style="animation-name:dmx" '
        'onanimationstart="__dmPwned({n})">x</div>',
        "html",
        "CSS animation event",
    ),
    # frames and URLs
    ('<iframe srcdoc="<script>parent.__dmPwned({n})</script>"></iframe>', "html", "srcdoc"),
    (
        '<iframe srcdoc="&lt;img src=x onerror=parent.__dmPwned({n})&gt;"></iframe>',
        "html",
        "srcdoc with escaped markup",
    ),
    ('<iframe src="javascript:parent.__dmPwned({n})"></iframe>', "html", "javascript: iframe"),
    (
        '<iframe src="data:text/html,' + _POST + '"></iframe>',
        "html",
        "data: URL iframe",
    ),
    (
        '<object data="data:text/html;base64,{b64}"></object>',
        "html",
        "data: URL object",
    ),
    ("javascript:__dmPwned({n})", "href", "javascript: URL"),
    ("JaVaScRiPt:__dmPwned({n})", "href", "mixed-case javascript: URL"),
    ("\tjava\nscript:__dmPwned({n})", "href", "javascript: URL split by tab and newline"),
    ("jav&#x09;ascript:__dmPwned({n})", "href", "javascript: URL with an entity tab"),
    ("&#106;avascript:__dmPwned({n})", "href", "entity-encoded javascript: URL"),
    ("vbscript:__dmPwned({n})", None, "vbscript: URL"),
    # attribute breakouts
    ('"><img src=x onerror=__dmPwned({n})>', "attr", "double-quote breakout"),
    ("'><img src=x onerror=__dmPwned({n})>", "attr1", "single-quote breakout"),
    ("`><img src=x onerror=__dmPwned({n})>", "attr0", "backtick then >"),
    ('" autofocus onfocus="__dmPwned({n})" tabindex="1', "attr", "new attributes, quoted"),
    ("x autofocus onfocus=__dmPwned({n}) tabindex=1", "attr0", "new attributes, unquoted"),
    ("x\rautofocus\ronfocus=__dmPwned({n})\rtabindex=1", "attr0", "CR-separated attributes"),
    # comments and CDATA
    ("--><img src=x onerror=__dmPwned({n})>", "comment", "comment close"),
    ("--!><img src=x onerror=__dmPwned({n})>", "comment", "--!> comment close"),
    ("<!--><img src=x onerror=__dmPwned({n})>-->", "html", "abrupt empty comment"),
    ("<![CDATA[><img src=x onerror=__dmPwned({n})>]]>", "html", "CDATA in HTML"),
    (
        "]]></script><script>__dmPwned({n})</script><script><![CDATA[",
        "svg-cdata",
        "CDATA breakout in SVG",
    ),
    # mutation XSS: namespaces and raw-text elements
    (
        '<noscript><p title="</noscript><img src=x onerror=__dmPwned({n})>">',
        "html",
        "noscript mXSS",
    ),
    ("<svg><style><img src=x onerror=__dmPwned({n})></style></svg>", "html", "style in svg"),
    (
        "<form><math><mtext></form><form><mglyph><style></math><img src onerror=__dmPwned({n})>",
        "mxss",
        "math mglyph style, parsed twice",
    ),
    ('<svg></p><style><a id="</style><img src=1 onerror=__dmPwned({n})>">', "mxss", "svg </p>"),
    (
        "<svg><template><img src=x onerror=__dmPwned({n})></template></svg>",
        "html",
        "template in svg",
    ),
    (
        "<svg><foreignObject><img src=x onerror=__dmPwned({n})></foreignObject></svg>",
        "html",
        "SVG foreignObject",
    ),
    (
        '<svg><use href="data:image/svg+xml;base64,{b64svg}#x"/></svg>',
        None,
        "SVG use of a data: URL",
    ),
    # JavaScript and JSON breakouts
    ('";__dmPwned({n});//', "js", "double-quoted string breakout"),
    ('\\\\";__dmPwned({n});//', "js", "backslash before the quote"),
    ("'-__dmPwned({n})-'", "js1", "single-quoted string breakout"),
    ("${{__dmPwned({n})}}", "template", "template literal"),
    ("`;__dmPwned({n});`", "template", "backtick breakout"),
    ('"]}};__dmPwned({n});//', "json", "JSON breakout"),
    ("\u2028__dmPwned({n})", "js-comment", "U+2028 ends a JS comment"),
    ("\u2029__dmPwned({n})//", "js-comment", "U+2029 ends a JS comment"),
    # CSS
    ("red}}</style><img src=x onerror=__dmPwned({n})>", "css", "</style> breakout"),
    ("red;background:url(javascript:__dmPwned({n}))", None, "CSS url(javascript:)"),
    ("expression(__dmPwned({n}))", None, "CSS expression()"),
    # templates
    ("{{{{constructor.constructor('__dmPwned({n})')()}}}}", "jinja", "Angular/Jinja braces"),
    ("{{{{'<img src=x onerror=__dmPwned({n})>'|safe}}}}", "jinja", "Jinja |safe"),
    ("{{% if 1 %}}<b>{{{{ __dmPwned }}}}({n})</b>{{% endif %}}", "jinja", "Jinja statement"),
    ("#{{__dmPwned({n})}} [[__dmPwned({n})]] <%= __dmPwned({n}) %>", None, "other templates"),
    ("<div v-html=\"'<img src=x onerror=__dmPwned({n})>'\"></div>", None, "Vue v-html"),
    # XML entities and doctypes
    (
        "<!DOCTYPE svg [<!ENTITY dm \"&#60;script xmlns='http://www.w3.org/2000/svg'&#62;"
        '__dmPwned({n})&#60;/script&#62;">]>',
        "xml-prolog",
        "internal entity holding a script",
    ),
    (
        '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>&xxe;__dmPwned({n})',
        None,
        "external entity",
    ),
    ("&lt;img src=x onerror=__dmPwned({n})&gt;", "html-unescaped", "escaped once already"),
    ("</text><script>__dmPwned({n})</script><text>", "svg", "breakout from SVG text"),
    # length, unicode lookalikes, format characters
    ("A" * 1900 + "<img src=x onerror=__dmPwned({n})>", "html", "a very long string"),
    ("＜script＞__dmPwned({n})＜/script＞", "html-nfkc", "fullwidth angle brackets"),
    ("\ufeff<script>__dmPwned({n})</script>", "html", "byte-order mark first"),
    ("\u202e<img src=x onerror=__dmPwned({n})>\u202c", "html", "right-to-left override"),
    ("\u200b<img\u200b src=x onerror=__dmPwned({n})>", None, "zero-width space in the tag"),
    ("😀<img src=x onerror=__dmPwned({n})>𝕏", "html", "characters beyond U+FFFF"),
    ("\u00a0<img src=x onerror=__dmPwned({n})>\u3000", "html", "no-break and ideographic spaces"),
    ('<img src=x onerror="__dmPwned({n});alert({n})">', "html", "alert too"),
]


def _payloads() -> list[Payload]:
    out = []
    for i, (text, fires_in, what) in enumerate(_RAW, start=1):
        post = _POST.format(n=i)
        svg = (
            "<svg id='x' xmlns='http://www.w3.org/2000/svg'><image href='x' "
            f"onerror='top.postMessage({{__dmPwned: {i}}}, \"*\")'/></svg>"
        )
        filled = text.format(n=i, b64=_b64(post), b64svg=_b64(svg))
        out.append(Payload(i, filled, fires_in, what))
    return out


PAYLOADS: list[Payload] = _payloads()

#: The atlas title (not a layer file's field: `geo.load(folder, title=...)`), two tricks in one.
ATLAS_TITLE = "</title><script>__dmPwned(0)</script>\"'><img src=x onerror=__dmPwned(0)>{{7*7}}"

#: No script, but strings that serialisers and scripts like to turn into something else.
PLAIN: list[str] = [
    "null",
    "None",
    "undefined",
    "NaN",
    "true",
    "no",
    "~",
    "0",
    "-0",
    "1e3",
    "0x1F",
    "2007-01-01",
    "__proto__",
    "constructor",
    "toString",
    "hasOwnProperty",
    "\u200b",
    "\ufeff",
    "\u00ad",
    "\u2060",
    "\ue000",
    "  two leading spaces",
    "trailing\ttab\t",
    "\r\n",
    "a\rb\r\nc\n",
    "\u2028\u2029",
    "\\u003cscript\\u003e",
    "%3Cscript%3E",
    "a" * 2000,
]
