#!/usr/bin/env python3
"""Regenerate the reference geography in geo/reference/ (countries, land and named seas).

    .venv/bin/python scripts/build_reference.py [--package-dir DIR] [--out-dir DIR]

Countries and land come from the npm package world-atlas@2.0.2 (Natural Earth 1:50m as
TopoJSON). Without --package-dir the script runs `npm pack world-atlas@2.0.2` into a temporary
folder. Seas are authored below: one limit polygon per sea, made of named limit lines (IHO S-23,
1953) that neighbouring seas share, and cut to water (limit polygon minus world-atlas land).
Build-time only dependencies: npm (or an unpacked package) and pycountry (numeric → alpha-3).
The output is deterministic: the same package gives byte-identical files.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import shapely
from pyproj import Geod
from shapely.geometry.base import BaseGeometry

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run from a checkout without installing the package
    sys.path.insert(0, str(REPO))

from geo.reference._antimeridian import split_polygonal  # noqa: E402
from geo.reference._topojson import decode_arcs, decode_geometry  # noqa: E402

# the encoder is build-only: it lives beside this script, not in the installed package
sys.path.insert(0, str(Path(__file__).resolve().parent))
from topoencode import Grid, TopologyBuilder  # noqa: E402

PACKAGE, VERSION = "world-atlas", "2.0.2"
OUT_DIR = REPO / "geo" / "reference"
GEOD = Geod(ellps="WGS84")

# ---------------------------------------------------------------------------------------------
# Authored sea limits.
#
# A point is written as ("name", "lat", "lon", source) with hemisphere letters, so that nobody
# has to guess the order: "54°47'N", "9°57.5'E" or "54.783N", "9.958E". Sources:
#   FACTS  named (and, where given, placed) in facts.md §7 (IHO S-23, 3rd ed. 1953)
#   GK     general knowledge of the S-23 limit text; position approximate (not in facts.md)
# Unnamed points made by via("lat lon", ...) only route a limit polygon over land, where the
# position does not matter as long as it is land; they carry no IHO meaning.
# A line that separates two seas is used by both (one of them reversed, written "-name"), so
# neighbouring seas neither overlap nor leave a gap. Short "stub" lines carry an IHO end point
# inland to a junction that the polygons on both sides share.
# ---------------------------------------------------------------------------------------------

FACTS, GK, LAND = "facts.md §7", "IHO S-23, general knowledge (approximate)", "routing over land"


class Pt(NamedTuple):
    """One vertex of a limit line."""

    name: str
    lat: float
    lon: float
    source: str


_ANGLE = re.compile(r"^(\d+(?:\.\d+)?)°?(?:(\d+(?:\.\d+)?)')?([NSEW])$")


def _angle(text: str, axis: str) -> float:
    """Parse "54°47'N", "9°57.5'E" or "54.783N" into signed degrees on the given axis."""
    match = _ANGLE.match(text.strip())
    if not match or match[3] not in {"lat": "NS", "lon": "EW"}[axis]:
        raise ValueError(f'{text!r} is not a valid {axis}, e.g. "54°47\'N" or "9.958E"')
    degrees = float(match[1]) + float(match[2] or 0) / 60
    return -degrees if match[3] in "SW" else degrees


def iho(name: str, lat: str, lon: str, source: str = GK) -> Pt:
    """A named limit point."""
    return Pt(name, _angle(lat, "lat"), _angle(lon, "lon"), source)


def via(*points: str) -> tuple[Pt, ...]:
    """Unnamed points ("lat lon" each) that route a limit over land."""
    out = []
    for text in points:
        lat, lon = text.split()
        out.append(Pt("", _angle(lat, "lat"), _angle(lon, "lon"), LAND))
    return tuple(out)


def line(*items: Pt | tuple[Pt, ...]) -> tuple[Pt, ...]:
    """Flatten named points and via() groups into one limit line."""
    out: list[Pt] = []
    for item in items:
        out.extend([item] if isinstance(item, Pt) else item)
    return tuple(out)


# Named points used by more than one line.
FALSHOFT = iho("Falshöft", "54°47'N", "9°57.5'E", FACTS)
FALSTERBO = iho("Falsterbo Point", "55°23'N", "12°49'E", FACTS)
SKAGEN = iho("Skagen (The Skaw)", "57.74N", "10.60E", FACTS)
TJORN = iho("Tjörn, west coast", "58.00N", "11.58E")
HANSTHOLM = iho("Hanstholm", "57°07'N", "8°36'E")
LINDESNES = iho("Lindesnes (The Naze)", "57°59'N", "7°03'E")
SIMPNAS = iho("Simpnäsklubb", "59°54'N", "19°04'E")
HANKO = iho("Hangö Head (Hanko)", "59°48'N", "22°56'E")
SPITHAMN = iho("Spithamn (Põõsaspea)", "59°13.5'N", "23°30'E")
LYSER_ORT = iho("Lyser Ort (Ovīši)", "57°34'N", "21°41'E")
NORTH_CAPE = iho("North Cape, Norway", "71.17N", "25.78E", FACTS)
SORKAPP = iho("Sørkapp (S point of Spitsbergen)", "76°28'N", "16°33'E", FACTS)
KOHLSAAT = iho("Cape Kohlsaat, Graham Bell Island", "81°14'N", "65°10'E", FACTS)
BELYI_NOS = iho("Cape Belyi Nos, Yugorsky Peninsula", "69.60N", "60.22E", FACTS)
SVYATOY_NOS = iho("Svyatoy Nos", "68.15N", "39.80E", FACTS)
KANIN_NOS = iho("Cape Kanin Nos", "68.65N", "43.30E", FACTS)
DUNNET_HEAD = iho("Dunnet Head", "58°40'N", "3°22'W")
LEATHERCOAT = iho("Leathercoat Point", "51°10'N", "1.40E")
WALDE = iho("Walde Lighthouse", "50.99N", "1°55'E")
GERPIR = iho("Gerpir, E point of Iceland", "65°05'N", "13°30'W")
LAT61_WEST = iho("61°N 0°53'W (meridian of Muckle Flugga)", "61°N", "0°53'W")
RUMELI = iho("Rumeli Feneri", "41.23N", "29.11E", FACTS)
ANADOLU = iho("Anadolu Feneri", "41°13'N", "29.15E", FACTS)
TAKIL = iho("Cape Takil", "45.10N", "36.45E", FACTS)
PANAGHIA = iho("Cape Panaghia, Taman", "45.10N", "36.62E", FACTS)
KUM_KALE = iho("Kum Kale", "40.00N", "26.20E")
HELLES = iho("Cape Helles", "40.04N", "26.18E")
TRAFALGAR = iho("Cape Trafalgar", "36.18N", "6°02'W")
SPARTEL = iho("Cape Spartel", "35.79N", "5°55'W")
LEUCA = iho("Cape Santa Maria di Leuca", "39°48'N", "18.37E")
BUTRINTO = iho("Mouth of the Butrinto River", "39°44'N", "20.02E")
ASPRO = iho("Cape Aspro, Asia Minor", "36.78N", "28°16'E")
SANTA_MARIA_MOREA = iho("Cape Santa Maria, Morea (Mani; position uncertain)", "36.45N", "22.48E")
LEIGH_SMITH = iho("Cape Leigh Smith, Nordaustlandet", "80.05N", "27.20E", FACTS)
ARKTICHESKY = iho("Cape Molotov (Arktichesky), Komsomolets Island", "81.25N", "95.72E")
CHELYUSKIN = iho("Cape Chelyuskin (mainland end of the Laptev limit)", "77.72N", "104.30E")

# Inland junctions where the polygons of three seas (or two seas and a stub) meet.
J_ANGELN, J_SOENDERJYLLAND = via("54.70N 9.65E"), via("54.90N 9.25E")
J_THY, J_VENDSYSSEL, J_BOHUSLAN = via("57.10N 9.50E"), via("57.45N 10.20E"), via("58.05N 12.10E")
J_SKANE, J_ROSLAGEN, J_HANKO = via("55.55N 13.25E"), via("59.92N 18.70E"), via("60.25N 23.55E")
J_NOAROOTSI, J_KURZEME = via("59.10N 23.80E"), via("57.30N 21.95E")
J_AGDER, J_SOGN, J_PORSANGER = via("58.30N 7.20E"), via("61.00N 8.00E"), via("69.85N 25.00E")
J_KOLA, J_KANIN, J_YUGORSKY = via("67.90N 38.60E"), via("67.60N 44.60E"), via("68.80N 61.80E")
J_TAMAN, J_KERCH, J_TAVRIA = via("45.08N 37.30E"), via("45.20N 36.00E"), via("47.20N 34.50E")
J_RUMELI, J_ANADOLU = via("41.15N 28.90E"), via("41.05N 29.40E")
J_TROAD, J_HELLES, J_THRACE = via("39.95N 26.35E"), via("40.10N 26.25E"), via("40.75N 26.90E")
J_ASPRO, J_ALBANIA, J_PO = via("37.00N 28.60E"), via("41.80N 20.40E"), via("45.30N 11.00E")
J_CADIZ, J_RIF = via("36.35N 5.70W"), via("35.55N 5.70W")

LINES: dict[str, tuple[Pt, ...]] = {
    # --- Baltic Sea, its gulfs, Kattegat, Skagerrak ------------------------------------------
    # Western limit of the Baltic through the Danish straits (Kattegat to the north).
    "kattegat/baltic": line(
        FALSHOFT,  # Little Belt
        iho("Vejsnæs Nakke, Ærø", "54°49'N", "10°26'E", FACTS),
        iho("Ærø, east end (Marstal)", "54.85N", "10.52E"),  # across to Langeland: assumed
        iho("Gulstav, S tip of Langeland", "54.72N", "10.70E", FACTS),  # name FACTS, pos. GK
        iho("Kappel Kirke, Lolland", "54°46'N", "11°01'E", FACTS),  # Great Belt
        via("54.72N 11.45E"),  # through Lolland
        iho("Flinthorne-Rev", "54.64N", "11.82E", FACTS),  # name FACTS, position GK
        iho("Skjelby", "54°38'N", "11°53'E", FACTS),  # Guldborg Sound
        via("54.85N 11.97E", "55.20N 11.90E", "55.33N 12.20E"),  # through Falster and Zealand
        iho("Stevns Lighthouse", "55°17'N", "12°27'E", FACTS),  # The Sound
        FALSTERBO,
    ),
    "falshöft stub": line(J_ANGELN, FALSHOFT),
    "falsterbo stub": line(FALSTERBO, J_SKANE),
    "baltic/sweden": line(
        J_SKANE,
        via("55.75N 14.00E", "56.30N 14.30E", "56.45N 15.50E", "57.00N 16.00E", "57.80N 16.10E"),
        via("58.55N 15.90E", "59.00N 16.60E", "59.45N 17.60E", "59.75N 18.40E"),
        J_ROSLAGEN,
    ),
    "simpnäs stub": line(J_ROSLAGEN, SIMPNAS),
    # Southern limit of the Gulf of Bothnia, through the Åland archipelago.
    "bothnia/baltic": line(
        SIMPNAS,
        iho("Lågskär", "59°50.5'N", "19°55'E"),
        iho("Kökarsören", "59.80N", "20.90E"),
        HANKO,
    ),
    "hanko stub": line(J_HANKO, via("60.10N 23.25E", "59.92N 23.10E"), HANKO),
    # Western limit of the Gulf of Finland.
    "finland/baltic": line(HANKO, SPITHAMN),
    "spithamn stub": line(SPITHAMN, J_NOAROOTSI),
    # Western and northern limit of the Gulf of Riga (it includes the Moonsund / Väinameri).
    "riga/baltic": line(
        SPITHAMN,
        iho("Tahkuna (Takhkona), Hiiumaa", "59°05'N", "22°35'E"),
        via("58.90N 22.60E"),  # through Hiiumaa
        iho("Emmaste (Emmast), Hiiumaa", "58.70N", "22.52E"),
        iho("Pammerort, Saaremaa", "58.59N", "22.45E"),
        via("58.35N 22.45E", "58.10N 22.15E"),  # through Saaremaa
        iho("Sõrve (Sworbe), S point of Saaremaa", "57°55'N", "22°03'E"),
        LYSER_ORT,
    ),
    "lyser stub": line(LYSER_ORT, J_KURZEME),
    "baltic/south": line(
        J_KURZEME,
        via("56.50N 21.60E", "55.90N 21.60E", "55.30N 21.80E", "54.55N 21.00E", "54.00N 19.60E"),
        via("53.80N 18.60E", "53.60N 16.50E", "53.30N 14.80E", "53.60N 13.30E", "53.70N 11.50E"),
        via("53.75N 10.50E", "54.15N 9.90E", "54.45N 9.45E"),
        J_ANGELN,
    ),
    "bothnia/land": line(
        J_ROSLAGEN,
        via("60.10N 18.00E", "60.40N 16.80E", "61.50N 16.40E", "62.50N 16.60E", "63.30N 17.80E"),
        via("64.20N 19.50E", "65.20N 20.80E", "66.10N 22.00E", "66.30N 24.00E", "65.60N 25.80E"),
        via("64.40N 25.20E", "63.10N 23.00E", "62.00N 22.20E", "61.00N 22.20E", "60.65N 22.60E"),
        via("60.55N 23.30E"),
        J_HANKO,
    ),
    "finland/land": line(
        J_NOAROOTSI,
        via("59.20N 24.50E", "59.25N 26.00E", "59.20N 27.80E", "59.55N 29.00E", "59.75N 30.50E"),
        via("60.30N 30.60E", "60.85N 29.60E", "60.75N 27.50E", "60.55N 25.50E", "60.35N 24.20E"),
        J_HANKO,
    ),
    "riga/land": line(
        J_NOAROOTSI,
        via("58.90N 24.00E", "58.60N 24.10E", "58.50N 24.80E", "57.60N 25.00E", "56.80N 24.50E"),
        via("56.80N 23.30E", "57.20N 22.60E"),
        J_KURZEME,
    ),
    # Kattegat and Skagerrak. Their land limits over Jutland share one divide with the
    # North Sea (the 1:50m Limfjord is a closed inlet of the North Sea).
    "angeln": line(J_ANGELN, via("54.68N 9.40E"), J_SOENDERJYLLAND),
    "jutland spine": line(
        J_SOENDERJYLLAND,
        via("55.30N 9.15E", "55.80N 9.20E", "56.30N 9.50E", "56.80N 9.60E"),
        J_THY,
    ),
    "thy": line(HANSTHOLM, via("57.09N 9.00E"), J_THY),
    "vendsyssel": line(J_THY, J_VENDSYSSEL),
    "skagen stub": line(J_VENDSYSSEL, via("57.60N 10.45E"), SKAGEN),
    # Skagerrak/Kattegat: the Skaw to Paternoster Skær, then north-east through the shoals.
    "skagerrak/kattegat": line(SKAGEN, iho("Paternoster Skær", "57°54'N", "11°27'E", FACTS), TJORN),
    "tjörn stub": line(TJORN, J_BOHUSLAN),
    "kattegat/sweden": line(
        J_BOHUSLAN,
        via("57.60N 12.60E", "56.80N 13.20E", "56.20N 13.20E", "55.80N 13.40E"),
        J_SKANE,
    ),
    "skagerrak/norway": line(
        J_BOHUSLAN,
        via("58.90N 11.90E", "59.60N 11.60E", "60.10N 11.00E", "59.95N 9.90E", "59.30N 8.70E"),
        via("58.70N 7.60E"),
        J_AGDER,
    ),
    "lindesnes stub": line(J_AGDER, LINDESNES),
    # Western limit of the Skagerrak.
    "north/skagerrak": line(HANSTHOLM, LINDESNES),
    # --- North Sea and Norwegian Sea -------------------------------------------------------
    "north/norway": line(J_AGDER, via("59.20N 7.60E", "60.00N 8.00E"), J_SOGN),
    # North Sea / Norwegian Sea: the parallel of 61°N (carried on over land to a junction).
    "norwegian/north": line(
        J_SOGN, iho("61°N on the coast of Norway", "61°N", "4.60E"), LAT61_WEST
    ),
    # North-western limit of the North Sea: Scotland, Orkney, Shetland, meridian of 0°53'W.
    "north/atlantic": line(
        DUNNET_HEAD,
        iho("Tor Ness, Hoy", "58°47'N", "3°18'W"),
        iho("Kame of Hoy", "58°55'N", "3°22'W"),
        iho("Breck Ness, Mainland (Orkney)", "58°58'N", "3°21'W"),
        iho("Costa Head", "59°09'N", "3°14'W"),
        iho("Inga Ness, Westray", "59°17'N", "3°03'W"),
        iho("Bow Head, Westray", "59°21'N", "2°59'W"),
        iho("Mull Head, Papa Westray", "59°23'N", "2°53'W"),
        iho("Seal Skerry, North Ronaldsay", "59°24'N", "2°23'W"),
        iho("Horse Island, S point of Shetland", "59°50'N", "1°18'W"),
        via("60.00N 1.28W", "60.20N 1.24W", "60.42N 1.30W", "60.62N 1.08W", "60.75N 0.88W"),
        iho("Muckle Flugga", "60°51'N", "0°53'W"),
        LAT61_WEST,
    ),
    "north/britain": line(
        DUNNET_HEAD,
        via("58.30N 4.20W", "57.90N 4.70W", "57.40N 4.70W", "56.80N 4.30W", "56.10N 4.15W"),
        via("55.50N 3.30W", "54.95N 2.60W", "54.00N 2.30W", "53.30N 2.00W", "52.00N 1.50W"),
        via("51.30N 0.30W", "51.05N 0.60E", "51.15N 1.20E"),
        LEATHERCOAT,
    ),
    # Southern limit of the North Sea (Strait of Dover).
    "north/channel": line(LEATHERCOAT, WALDE),
    "north/continent": line(
        WALDE,
        via("50.85N 2.20E", "51.05N 4.20E", "51.80N 5.50E", "52.60N 6.50E", "53.10N 7.60E"),
        via("53.20N 9.00E", "53.30N 10.20E", "53.90N 9.80E", "54.40N 9.40E"),
        J_SOENDERJYLLAND,
    ),
    # South-western limit of the Norwegian Sea, to Iceland.
    "norwegian/atlantic": line(
        LAT61_WEST,
        iho("Fugløy (Fuglö), NE point, Faroes", "62°21'N", "6°15'W"),
        GERPIR,
    ),
    # Western limit of the Norwegian Sea: Iceland – Jan Mayen – Sørkapp.
    "norwegian/greenland": line(
        GERPIR,
        iho("Jan Mayen, S point", "70.83N", "9.05W"),
        iho("Jan Mayen, N point", "71.15N", "7.95W"),
        SORKAPP,
    ),
    # Barents Sea / Norwegian Sea: Sørkapp – Bear Island – North Cape.
    "norwegian/barents": line(
        SORKAPP,
        iho("North Cape of Bear Island", "74.52N", "19.05E", FACTS),  # name FACTS, pos. GK
        iho("Cape Bull, Bear Island", "74.36N", "19.20E", FACTS),  # name FACTS, pos. GK
        NORTH_CAPE,
    ),
    "north cape stub": line(
        NORTH_CAPE, via("71.05N 25.55E", "70.80N 25.15E", "70.30N 24.70E"), J_PORSANGER
    ),
    "norwegian/land": line(
        J_PORSANGER,
        via("69.30N 21.50E", "68.30N 18.50E", "66.50N 15.50E", "65.00N 14.20E", "63.50N 12.20E"),
        via("62.30N 10.00E"),
        J_SOGN,
    ),
    # --- Barents, White and Kara seas ------------------------------------------------------
    # Barents north-west: east shore of Spitsbergen, Hinlopen Strait up to 80°N, south and
    # east coasts of Nordaustlandet to Cape Leigh Smith.
    "spitsbergen": line(
        SORKAPP,
        via("76.90N 16.80E", "77.50N 17.50E", "77.90N 17.50E", "78.40N 17.80E", "78.90N 18.20E"),
        via("79.50N 17.20E", "79.85N 17.40E"),
        iho("Hinlopen Strait at 80°N, Spitsbergen side", "80°N", "17.50E"),
        iho("Hinlopen Strait at 80°N, Nordaustlandet side", "80°N", "18.60E"),
        via("79.85N 19.50E", "79.80N 22.00E", "79.90N 25.50E"),
        LEIGH_SMITH,
    ),
    "barents/arctic": line(LEIGH_SMITH, KOHLSAAT),
    # Barents/Kara: Cape Kohlsaat – Cape Zhelaniya – W coast of Novaya Zemlya – Kara Gate –
    # Vaygach – Cape Belyi Nos.
    "barents/kara": line(
        KOHLSAAT,
        iho("Cape Zhelaniya", "76.95N", "68.60E", FACTS),
        via("76.45N 66.00E", "75.90N 62.50E", "75.20N 59.50E", "74.50N 57.00E", "73.80N 56.00E"),
        iho("Matochkin Shar, west entrance, north shore", "73.45N", "54.90E"),
        iho("Matochkin Shar, west entrance, south shore", "73.15N", "54.70E"),
        via("72.60N 55.00E", "71.80N 55.20E", "71.20N 55.60E", "70.85N 56.70E"),
        iho("Kussov Nos", "70.72N", "57.55E", FACTS),  # name FACTS, position GK
        iho("Vaygach Island, NW coast (Kara Gate)", "70.40N", "58.55E", FACTS),
        via("70.05N 59.40E"),  # through Vaygach
        iho("Vaygach Island, S coast (Yugorsky Shar)", "69.72N", "60.30E", FACTS),
        BELYI_NOS,
    ),
    "belyi stub": line(BELYI_NOS, J_YUGORSKY),
    "barents/pechora": line(
        J_YUGORSKY, via("67.60N 58.00E", "67.30N 53.00E", "66.50N 47.50E", "66.90N 45.30E"), J_KANIN
    ),
    "kanin stub": line(J_KANIN, via("68.20N 44.20E"), KANIN_NOS),
    # Southern limit of the Barents Sea = northern limit of the White Sea.
    "white/barents": line(SVYATOY_NOS, KANIN_NOS),
    "svyatoy stub": line(SVYATOY_NOS, J_KOLA),
    "barents/kola": line(
        J_KOLA,
        via("68.60N 36.00E", "68.85N 33.00E", "69.35N 30.00E", "69.75N 28.40E", "70.10N 26.50E"),
        J_PORSANGER,
    ),
    "white/land": line(
        J_KANIN,
        via("66.60N 45.00E", "65.50N 45.00E", "64.20N 41.00E", "63.50N 38.00E", "64.00N 34.50E"),
        via("66.00N 32.50E", "67.40N 32.20E", "67.30N 35.50E"),
        J_KOLA,
    ),
    # Kara Sea north (to Severnaya Zemlya) and east (through Severnaya Zemlya to Taymyr).
    "kara/arctic": line(KOHLSAAT, ARKTICHESKY),
    "kara/laptev": line(
        ARKTICHESKY,
        via("80.60N 96.00E", "79.50N 97.50E", "78.50N 101.00E"),  # through the islands
        CHELYUSKIN,
    ),
    "kara/land": line(
        CHELYUSKIN,
        via("76.00N 103.00E", "72.50N 95.00E", "69.00N 84.00E", "66.50N 79.00E", "66.00N 73.00E"),
        via("66.00N 68.00E", "67.50N 64.00E"),
        J_YUGORSKY,
    ),
    # --- Black Sea, Sea of Azov, Sea of Marmara ---------------------------------------------
    "black/marmara": line(RUMELI, ANADOLU),  # Bosphorus, northern entrance
    "anadolu stub": line(ANADOLU, J_ANADOLU),
    "rumeli stub": line(J_RUMELI, RUMELI),
    "black/anatolia": line(
        J_ANADOLU,
        via("40.80N 30.50E", "41.00N 34.00E", "40.80N 36.00E", "40.50N 40.00E", "41.30N 42.00E"),
        via("42.50N 42.50E", "43.80N 40.50E", "44.70N 38.50E", "44.90N 38.00E"),
        J_TAMAN,
    ),
    "panaghia stub": line(J_TAMAN, PANAGHIA),
    "azov/black": line(TAKIL, PANAGHIA),  # Kerch Strait
    "takil stub": line(TAKIL, J_KERCH),
    "crimea": line(
        J_KERCH,
        via("45.18N 35.30E", "45.50N 34.50E", "45.90N 33.90E"),
        iho("Perekop isthmus", "46.15N", "33.70E"),
        via("46.60N 34.00E"),
        J_TAVRIA,
    ),
    "black/north": line(
        J_TAVRIA,
        via("47.20N 32.50E", "46.90N 30.30E", "46.40N 29.80E", "45.40N 28.50E", "44.50N 28.20E"),
        via("43.00N 27.50E", "42.40N 27.20E", "41.40N 28.30E"),
        J_RUMELI,
    ),
    "azov/land": line(
        J_TAMAN,
        via("45.20N 38.50E", "46.00N 39.50E", "47.50N 39.80E", "47.60N 38.00E", "47.40N 36.50E"),
        J_TAVRIA,
    ),
    "marmara/thrace": line(J_RUMELI, via("41.20N 27.50E"), J_THRACE),
    "gallipoli": line(J_THRACE, via("40.50N 26.75E", "40.25N 26.45E"), J_HELLES),
    "helles stub": line(J_HELLES, HELLES),
    "med/marmara": line(HELLES, KUM_KALE),  # Dardanelles, south-western entrance
    "kumkale stub": line(KUM_KALE, J_TROAD),
    "marmara/anatolia": line(
        J_TROAD, via("39.90N 26.70E", "40.10N 27.50E", "40.20N 29.00E", "40.50N 30.00E"), J_ANADOLU
    ),
    # --- Mediterranean Sea (with its subdivisions), Adriatic, Aegean ------------------------
    "med/atlantic": line(TRAFALGAR, SPARTEL),  # Strait of Gibraltar, western limit
    "trafalgar stub": line(J_CADIZ, TRAFALGAR),
    "spartel stub": line(SPARTEL, J_RIF),
    "med/africa": line(
        J_RIF,
        via("34.80N 3.00W", "35.30N 0.00E", "36.20N 5.00E", "36.30N 8.50E", "35.50N 9.80E"),
        via("33.50N 9.50E", "32.30N 11.00E", "31.50N 15.00E", "30.50N 17.00E", "29.80N 19.00E"),
        via("30.00N 21.00E", "30.50N 25.00E", "30.30N 29.00E", "30.50N 32.20E", "30.50N 34.50E"),
        via("31.50N 35.30E", "33.00N 36.00E", "35.00N 36.60E", "36.30N 36.60E", "37.30N 36.00E"),
        via("37.00N 33.00E", "37.30N 30.50E", "37.30N 28.80E"),
        J_ASPRO,
    ),
    "aspro stub": line(J_ASPRO, ASPRO),
    "aegean/anatolia": line(
        J_ASPRO,
        via("37.50N 28.60E", "38.30N 27.80E", "38.60N 27.60E", "39.60N 27.50E", "39.95N 26.70E"),
        J_TROAD,
    ),
    "med/balkans": line(
        J_THRACE, via("41.80N 26.00E", "42.30N 23.50E", "42.30N 21.00E"), J_ALBANIA
    ),
    "adriatic/north": line(
        J_ALBANIA,
        via("42.30N 19.80E", "42.90N 19.50E", "43.60N 18.00E", "44.30N 16.00E", "45.20N 15.30E"),
        via("45.70N 14.30E", "46.20N 13.00E", "45.80N 12.00E"),
        J_PO,
    ),
    "med/west": line(
        J_PO,
        via("44.70N 9.00E", "44.50N 7.50E", "44.30N 5.50E", "43.80N 3.50E", "42.80N 2.00E"),
        via("41.60N 0.50E", "40.00N 0.50W", "38.50N 1.00W", "37.20N 3.00W", "36.90N 5.00W"),
        J_CADIZ,
    ),
    # Southern limit of the Adriatic (Strait of Otranto), through Corfu.
    "adriatic/south": line(
        LEUCA,
        iho("Cape Kephali, Corfu", "39°45'N", "19.63E"),
        iho("Cape Karagol, Corfu", "39°45'N", "19.92E"),
        BUTRINTO,
    ),
    "adriatic/epirus": line(BUTRINTO, via("40.00N 20.30E", "41.30N 20.50E"), J_ALBANIA),
    "adriatic/italy": line(
        J_PO,
        via("44.20N 11.50E", "43.30N 12.50E", "42.00N 14.00E", "41.00N 15.50E", "40.70N 16.50E"),
        via("40.55N 17.50E", "40.30N 18.00E", "40.00N 18.30E"),
        LEUCA,
    ),
    # Southern limit of the Aegean: Asia Minor – Rhodes – Karpathos – Crete – Kythera – Morea.
    "aegean/south": line(
        ASPRO,
        iho("Kum Burnu (Capo della Sabbia), NE Rhodes", "36.45N", "28.23E"),
        iho("Cape Prasonisi, SW Rhodes", "35.88N", "27.76E"),
        iho("Vrontos Point, Karpathos", "35°33'N", "27.20E"),
        iho("Castello Point, S Karpathos", "35.40N", "27.12E"),
        iho("Cape Plaka, E Crete", "35.20N", "26.30E"),
        via("35.20N 25.00E", "35.30N 24.00E"),  # through Crete
        iho("Agria Grabusa, NW Crete", "35.62N", "23.58E"),
        iho("Cape Apolitares, Antikythera", "35.87N", "23.30E"),
        iho("Cape Trakhili, Kythera", "36.13N", "23.02E"),
        iho("Cape Karavugia, NW Kythera", "36.35N", "22.92E"),
        SANTA_MARIA_MOREA,
    ),
    "aegean/greece": line(
        SANTA_MARIA_MOREA,
        via("37.00N 22.40E", "37.60N 22.55E", "37.90N 22.95E", "38.15N 23.35E", "38.45N 23.00E"),
        via("38.85N 22.20E", "39.50N 22.00E", "40.30N 22.00E", "41.00N 22.60E", "41.40N 24.00E"),
        via("41.30N 26.00E"),
        J_THRACE,
    ),
    # --- Caspian Sea (a lake; not an IHO sea area): the water body in world-atlas land ------
    "caspian": line(
        via("36.00N 46.00E", "36.00N 55.50E", "47.80N 55.50E", "47.80N 46.00E", "36.00N 46.00E")
    ),
}


@dataclass(frozen=True)
class SeaSpec:
    """One named sea: the ring of limit lines (or the seas it unites), aliases and a label."""

    name: str
    label: str  # "lat lon" of a point in open water, for map labels
    ring: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    note: str = ""


SEAS: tuple[SeaSpec, ...] = (
    SeaSpec(
        "Baltic Sea (proper)",
        "56.50N 19.00E",
        (
            "kattegat/baltic",
            "falsterbo stub",
            "baltic/sweden",
            "simpnäs stub",
            "bothnia/baltic",
            "finland/baltic",
            "riga/baltic",
            "lyser stub",
            "baltic/south",
            "falshöft stub",
        ),
        aliases=("Baltic proper", "Baltic Sea proper"),
        note="IHO Baltic Sea without the Gulfs of Bothnia, Finland and Riga",
    ),
    SeaSpec(
        "Gulf of Bothnia",
        "62.50N 20.00E",
        ("-bothnia/baltic", "-simpnäs stub", "bothnia/land", "hanko stub"),
        aliases=("Bothnian Gulf",),
    ),
    SeaSpec(
        "Gulf of Finland",
        "59.90N 26.00E",
        ("finland/baltic", "spithamn stub", "finland/land", "hanko stub"),
        aliases=("Finnish Gulf",),
    ),
    SeaSpec(
        "Gulf of Riga",
        "57.60N 23.40E",
        ("-riga/baltic", "spithamn stub", "riga/land", "-lyser stub"),
        aliases=("Riga Gulf",),
    ),
    SeaSpec(
        "Baltic Sea",
        "56.50N 19.00E",
        parts=("Baltic Sea (proper)", "Gulf of Bothnia", "Gulf of Finland", "Gulf of Riga"),
        aliases=("Baltic", "Baltic Sea with gulfs", "Baltic Sea (with gulfs)", "Baltic Sea (IHO)"),
        note="IHO Baltic Sea with the Gulfs of Bothnia, Finland and Riga",
    ),
    SeaSpec(
        "Kattegat",
        "56.80N 11.50E",
        (
            "-kattegat/baltic",
            "-falshöft stub",
            "angeln",
            "jutland spine",
            "vendsyssel",
            "skagen stub",
            "skagerrak/kattegat",
            "tjörn stub",
            "kattegat/sweden",
            "-falsterbo stub",
        ),
        aliases=("Cattegat",),
        note="IHO Kattegat, including the Belts and the Sound north of the Baltic limits",
    ),
    SeaSpec(
        "Skagerrak",
        "58.00N 9.50E",
        (
            "thy",
            "vendsyssel",
            "skagen stub",
            "skagerrak/kattegat",
            "tjörn stub",
            "skagerrak/norway",
            "lindesnes stub",
            "-north/skagerrak",
        ),
        aliases=("Skager Rak",),
    ),
    SeaSpec(
        "North Sea",
        "56.00N 3.00E",
        (
            "north/continent",
            "jutland spine",
            "-thy",
            "north/skagerrak",
            "-lindesnes stub",
            "north/norway",
            "norwegian/north",
            "-north/atlantic",
            "north/britain",
            "north/channel",
        ),
        aliases=("North",),
    ),
    SeaSpec(
        "Norwegian Sea",
        "68.00N 5.00E",
        (
            "norwegian/atlantic",
            "norwegian/greenland",
            "norwegian/barents",
            "north cape stub",
            "norwegian/land",
            "norwegian/north",
        ),
        aliases=("Norwegian",),
    ),
    SeaSpec(
        "Barents Sea",
        "74.00N 40.00E",
        (
            "-norwegian/barents",
            "spitsbergen",
            "barents/arctic",
            "barents/kara",
            "belyi stub",
            "barents/pechora",
            "kanin stub",
            "-white/barents",
            "svyatoy stub",
            "barents/kola",
            "-north cape stub",
        ),
        aliases=("Barents",),
    ),
    SeaSpec(
        "White Sea",
        "65.80N 38.00E",
        ("white/barents", "-kanin stub", "white/land", "-svyatoy stub"),
        aliases=("White",),
    ),
    SeaSpec(
        "Kara Sea",
        "75.00N 75.00E",
        ("-barents/kara", "kara/arctic", "kara/laptev", "kara/land", "-belyi stub"),
        aliases=("Kara",),
    ),
    SeaSpec(
        "Black Sea",
        "43.30N 34.00E",
        (
            "black/marmara",
            "anadolu stub",
            "black/anatolia",
            "panaghia stub",
            "-azov/black",
            "takil stub",
            "crimea",
            "black/north",
            "rumeli stub",
        ),
        aliases=("Black", "Euxine"),
        note="IHO Black Sea, without the Sea of Azov and the Sea of Marmara",
    ),
    SeaSpec(
        "Sea of Azov",
        "46.10N 36.80E",
        ("azov/black", "-panaghia stub", "azov/land", "-crimea", "-takil stub"),
        aliases=("Azov Sea", "Azov", "Sea of Azov (with Kerch Strait)"),
    ),
    SeaSpec(
        "Sea of Marmara",
        "40.75N 28.00E",
        (
            "-black/marmara",
            "-rumeli stub",
            "marmara/thrace",
            "gallipoli",
            "helles stub",
            "med/marmara",
            "kumkale stub",
            "marmara/anatolia",
            "-anadolu stub",
        ),
        aliases=("Marmara Sea", "Marmara", "Sea of Marmora"),
        note="with the Bosphorus and the Dardanelles",
    ),
    SeaSpec(
        "Mediterranean Sea",
        "35.00N 18.00E",
        (
            "-med/marmara",
            "-helles stub",
            "-gallipoli",
            "med/balkans",
            "adriatic/north",
            "med/west",
            "trafalgar stub",
            "med/atlantic",
            "spartel stub",
            "med/africa",
            "aegean/anatolia",
            "-kumkale stub",
        ),
        aliases=("Mediterranean", "Med"),
        note="IHO Mediterranean Sea with all its subdivisions (Adriatic, Aegean, Ionian, ...)",
    ),
    SeaSpec(
        "Adriatic Sea",
        "43.00N 15.50E",
        ("adriatic/south", "adriatic/epirus", "adriatic/north", "adriatic/italy"),
        aliases=("Adriatic",),
        note="a subdivision of the Mediterranean Sea",
    ),
    SeaSpec(
        "Aegean Sea",
        "38.50N 25.00E",
        (
            "aegean/south",
            "aegean/greece",
            "gallipoli",
            "helles stub",
            "med/marmara",
            "kumkale stub",
            "-aegean/anatolia",
            "aspro stub",
        ),
        aliases=("Aegean",),
        note="a subdivision of the Mediterranean Sea",
    ),
    SeaSpec(
        "Caspian Sea",
        "42.00N 50.50E",
        ("caspian",),
        aliases=("Caspian",),
        note="a lake, not an IHO sea area: the water body that world-atlas land leaves open",
    ),
)

# Points that must stay out of every sea (large lakes; world-atlas land has no lakes, so a limit
# polygon that strayed over one would silently take it in) and points that must be in a sea.
NOT_SEA = {
    "Lake Vänern": (58.90, 13.20),
    "Lake Vättern": (58.30, 14.50),
    "Lake Mälaren": (59.45, 17.00),
    "Lake Ladoga": (60.90, 31.50),
    "Lake Onega": (61.70, 35.50),
    "Lake Peipus": (58.70, 27.50),
    "Lake Saimaa": (61.30, 28.30),
    "Lake Balaton": (46.85, 17.70),
    "IJsselmeer": (52.70, 5.30),
}
MUST_BE_IN = {
    "Baltic Sea (proper)": [(55.50, 15.00), (58.00, 20.00), (59.50, 21.00), (54.60, 11.50)],
    "Gulf of Bothnia": [(60.50, 19.50), (65.00, 23.50)],
    "Gulf of Finland": [(60.00, 28.00)],
    "Gulf of Riga": [(57.50, 23.50), (58.75, 23.25)],
    "Kattegat": [(55.60, 10.90), (57.00, 11.50)],
    "Skagerrak": [(58.50, 10.50), (59.60, 10.60)],
    "North Sea": [(56.00, 3.00), (56.70, 8.80)],
    "Norwegian Sea": [(66.00, 5.00), (68.00, 14.50), (63.60, 10.50)],
    "Barents Sea": [(72.00, 40.00), (70.70, 26.00)],
    "White Sea": [(66.00, 40.00)],
    "Kara Sea": [(74.00, 70.00), (72.00, 73.00)],
    "Black Sea": [(43.00, 35.00), (46.40, 31.00)],
    "Sea of Azov": [(46.00, 36.50)],
    "Sea of Marmara": [(40.75, 28.00)],
    "Mediterranean Sea": [(35.00, 18.00), (38.00, 25.00)],
    "Adriatic Sea": [(43.00, 15.00)],
    "Aegean Sea": [(38.50, 25.00)],
    "Caspian Sea": [(42.00, 50.50)],
}
# Seas that contain others; every other pair must not overlap.
CONTAINS = {
    "Baltic Sea": ("Baltic Sea (proper)", "Gulf of Bothnia", "Gulf of Finland", "Gulf of Riga"),
    "Mediterranean Sea": ("Adriatic Sea", "Aegean Sea"),
}

# ---------------------------------------------------------------------------------------------
# Countries: codes and names.
# ---------------------------------------------------------------------------------------------

# Natural Earth units without their own ISO 3166 numeric id in world-atlas (Ashmore and Cartier
# Islands carries Australia's 036): Natural Earth's
# ADM0_A3 codes, except Kosovo's user-assigned XKX (the code the EU and the IMF use).
NON_ISO_CODES = {
    "Kosovo": "XKX",
    "N. Cyprus": "CYN",
    "Somaliland": "SOL",
    "Indian Ocean Ter.": "IOA",
    "Siachen Glacier": "KAS",
    "Ashmore and Cartier Is.": "ATC",
}
# Display names where the Natural Earth label is abbreviated or pycountry's reads badly.
DISPLAY_NAMES = {
    "ATC": "Ashmore and Cartier Islands",
    "CYN": "Northern Cyprus",
    "FLK": "Falkland Islands",
    "COD": "Democratic Republic of the Congo",
    "IOA": "Australian Indian Ocean Territories",
    "MKD": "North Macedonia",
    "SWZ": "Eswatini",
    "VGB": "British Virgin Islands",
    "VIR": "United States Virgin Islands",
    "PCN": "Pitcairn Islands",
    "MAF": "Saint Martin",
    "BLM": "Saint Barthélemy",
}
EXTRA_ALIASES = {
    "RUS": ("Russia", "Russian Federation"),
    "MDA": ("Moldova", "Republic of Moldova", "Moldavia"),
    "CZE": ("Czech Republic", "Czechia"),
    "IRN": ("Iran", "Persia"),
    "TUR": ("Turkey", "Türkiye"),
    "USA": ("United States", "United States of America", "USA", "US", "U.S.", "U.S.A.", "America"),
    "GBR": ("United Kingdom", "UK", "U.K.", "Great Britain", "Britain"),
    "MKD": ("Macedonia", "FYROM"),
    "SWZ": ("Swaziland",),
    "CIV": ("Ivory Coast",),
    "CPV": ("Cape Verde",),
    "TLS": ("East Timor",),
    "MMR": ("Burma",),
    "COD": ("DR Congo", "DRC", "Congo-Kinshasa"),
    "COG": ("Congo-Brazzaville", "Republic of the Congo"),
    "VAT": ("Vatican City", "Holy See"),
    "XKX": ("KOS", "Kosovo"),
    "NLD": ("The Netherlands", "Holland"),
    "BIH": ("Bosnia",),
    "ARE": ("UAE",),
    "BLR": ("Byelorussia", "Belorussia"),
    "CYN": ("Turkish Republic of Northern Cyprus",),
    "ATF": ("French Southern and Antarctic Lands",),
}


@dataclass
class Country:
    """One country (or Natural Earth admin-0 unit) of the output."""

    code: str
    numeric: str | None
    name: str
    aliases: list[str]
    geometry: BaseGeometry
    iso: bool = True


def _iso_entry(ne_name: str, numeric: str | None) -> Any:
    """Return pycountry's record for a world-atlas country (None for NON_ISO_CODES units)."""
    try:
        import pycountry  # build-time only, not a runtime dependency
    except ImportError:
        raise SystemExit("this script needs pycountry: pip install pycountry") from None

    if numeric is None or ne_name in NON_ISO_CODES:
        return None
    return pycountry.countries.get(numeric=numeric)


def _country_names(ne_name: str, code: str, entry: Any) -> tuple[str, list[str]]:
    """Pick the display name and the aliases of one country."""
    name = DISPLAY_NAMES.get(code) or (entry.name if entry and "." in ne_name else ne_name)
    names: list[str | None] = [ne_name, *EXTRA_ALIASES.get(code, ())]
    if entry is not None:
        names += [getattr(entry, key, None) for key in ("name", "common_name", "official_name")]
    aliases: list[str] = []
    for alias in names:
        if alias and alias not in (name, code) and alias not in aliases:
            aliases.append(alias)
    return name, aliases


def load_countries(package: Path) -> list[Country]:
    """Decode world-atlas countries, split those that cross ±180° and attach codes and names."""
    topology = json.loads((package / "countries-50m.json").read_text(encoding="utf-8"))
    arcs = decode_arcs(topology)
    objects = topology["objects"]["countries"]["geometries"]
    countries = []
    for obj in objects:
        ne_name, numeric = obj["properties"]["name"], obj.get("id")
        entry = _iso_entry(ne_name, numeric)
        code = entry.alpha_3 if entry is not None else NON_ISO_CODES[ne_name]
        name, aliases = _country_names(ne_name, code, entry)
        geometry = _clean(split_polygonal(decode_geometry(arcs, obj)))
        countries.append(
            Country(code, numeric if entry else None, name, aliases, geometry, entry is not None)
        )
    return sorted(countries, key=lambda c: c.code)


def load_land(package: Path) -> BaseGeometry:
    """Decode world-atlas land (1:50m) and split it at ±180°."""
    topology = json.loads((package / "land-50m.json").read_text(encoding="utf-8"))
    land = decode_geometry(decode_arcs(topology), topology["objects"]["land"]["geometries"][0])
    return _clean(split_polygonal(land))


def _clean(geom: BaseGeometry) -> BaseGeometry:
    """Return a valid (multi)polygon made of the polygonal parts of ``geom``."""
    geom = shapely.make_valid(geom) if not geom.is_valid else geom
    polygons = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(polygons)


# ---------------------------------------------------------------------------------------------
# Seas.
# ---------------------------------------------------------------------------------------------

MAX_STEP_DEG = 0.25  # densify authored lines: straight on the lon/lat plane, as on a chart
MIN_PART_KM2 = 1.0  # drop water specks smaller than this (slivers where a limit meets a coast)


@dataclass
class Sea:
    """One named sea of the output."""

    spec: SeaSpec
    limit: BaseGeometry
    geometry: BaseGeometry
    points: list[Pt] = field(default_factory=list)


def ring_points(spec: SeaSpec) -> list[Pt]:
    """Join the limit lines of a sea into one closed ring of points."""
    points: list[Pt] = []
    for ref in spec.ring:
        seq = LINES[ref.lstrip("-")]
        seq = seq[::-1] if ref.startswith("-") else seq
        if points:
            if (points[-1].lat, points[-1].lon) != (seq[0].lat, seq[0].lon):
                raise ValueError(f"{spec.name}: line {ref!r} does not start where the last ended")
            seq = seq[1:]
        points.extend(seq)
    if (points[0].lat, points[0].lon) != (points[-1].lat, points[-1].lon):
        raise ValueError(f"{spec.name}: the ring of limit lines does not close")
    return points


def _dense_line(ref: str) -> np.ndarray:
    """Lon/lat of a limit line, densified once per line so both seas beside it share vertices."""
    line = LINES[ref.lstrip("-")]
    coords = shapely.get_coordinates(
        shapely.segmentize(shapely.LineString([(p.lon, p.lat) for p in line]), MAX_STEP_DEG)
    )
    return coords[::-1] if ref.startswith("-") else coords


def limit_polygon(spec: SeaSpec) -> shapely.Polygon:
    """Return the densified, valid limit polygon of a sea (lon/lat)."""
    coords = [_dense_line(ref) for ref in spec.ring]
    ring = np.concatenate([coords[0], *(c[1:] for c in coords[1:])])
    polygon = shapely.Polygon(ring)
    if not polygon.is_valid:
        raise ValueError(
            f"{spec.name}: limit polygon is not valid: {shapely.is_valid_reason(polygon)}"
        )
    return polygon


def geodesic_area_km2(geom: BaseGeometry) -> float:
    """Area on the WGS84 ellipsoid in km² (rings oriented so that the area counts positive)."""
    area, _ = GEOD.geometry_area_perimeter(shapely.orient_polygons(geom))
    return abs(area) / 1e6


def water_in(limit: BaseGeometry, land: BaseGeometry) -> BaseGeometry:
    """Return the water inside a limit polygon: the polygon minus land, without specks."""
    local_land = shapely.intersection(land, shapely.box(*limit.buffer(0.5).bounds))
    water = _clean(shapely.difference(limit, local_land))
    parts = [p for p in shapely.get_parts(water) if geodesic_area_km2(p) >= MIN_PART_KM2]
    return shapely.union_all(parts)


def build_seas(land: BaseGeometry) -> list[Sea]:
    """Make every sea of SEAS: limit polygon minus land, or the union of its parts."""
    seas: dict[str, Sea] = {}
    for spec in SEAS:
        if spec.parts:
            parts = [seas[name] for name in spec.parts]
            limit = shapely.union_all([p.limit for p in parts])
            water = _clean(shapely.union_all([p.geometry for p in parts]))
            seas[spec.name] = Sea(spec, limit, water)
            continue
        points = ring_points(spec)
        limit = limit_polygon(spec)
        seas[spec.name] = Sea(spec, limit, water_in(limit, land), points)
    return list(seas.values())


def coast_crossings(land: BaseGeometry, seas: Sequence[Sea]) -> list[shapely.Point]:
    """Return the vertices of sea boundaries that the land boundary lacks.

    Mostly the points where a limit line meets a coast (and limit vertices out at sea).
    """
    known = {tuple(xy) for xy in shapely.get_coordinates(shapely.boundary(land))}
    boundaries = shapely.boundary([sea.geometry for sea in seas])
    found = {tuple(xy) for xy in shapely.get_coordinates(boundaries)} - known
    return [shapely.Point(xy) for xy in sorted(found)]


def insert_vertices(shapes: Sequence[BaseGeometry], points: Sequence[shapely.Point]):
    """Add each point that lies on the boundary of a shape to it as a vertex.

    A sea ends at the coast, but where its limit line meets the coast it has a vertex the land
    (and a neighbouring sea) lacks. Put on the integer grid, that vertex moves by up to half a
    cell and the shapes would overlap in slivers. With the vertex in all of them, they move
    alike and the coast stays one shared arc.
    """
    tree = shapely.STRtree(points)
    out = []
    for geom in shapes:
        near = tree.query(shapely.boundary(geom), predicate="dwithin", distance=1e-7)
        if len(near):
            geom = shapely.snap(geom, shapely.MultiPoint([points[i] for i in sorted(near)]), 1e-7)
        out.append(geom)
    return out


def check_seas(seas: Sequence[Sea]) -> list[str]:
    """Return problems: overlaps, lakes taken in, test points or labels outside their sea."""
    problems = []
    by_name = {sea.spec.name: sea for sea in seas}
    for name, (lat, lon) in NOT_SEA.items():
        for sea in seas:
            if sea.geometry.contains(shapely.Point(lon, lat)):
                problems.append(f"{name} lies in {sea.spec.name}")
    for name, points in MUST_BE_IN.items():
        for lat, lon in points:
            if not by_name[name].geometry.contains(shapely.Point(lon, lat)):
                problems.append(f"({lat}, {lon}) is not in {name}")
    for sea in seas:
        lon, lat = _label(sea.spec)
        if not sea.geometry.contains(shapely.Point(lon, lat)):
            problems.append(f"label point of {sea.spec.name} is not in it")
    problems += _overlap_problems(seas)
    return problems


def _overlap_problems(seas: Sequence[Sea]) -> list[str]:
    problems = []
    related = {(a, b) for a, parts in CONTAINS.items() for b in parts}
    for i, a in enumerate(seas):
        for b in seas[i + 1 :]:
            names = (a.spec.name, b.spec.name)
            if names in related or names[::-1] in related:
                inner, outer = (b, a) if names in related else (a, b)
                outside = geodesic_area_km2(shapely.difference(inner.geometry, outer.geometry))
                if outside > 1.0:
                    problems.append(
                        f"{outside:.0f} km² of {inner.spec.name} is outside {outer.spec.name}"
                    )
            elif a.geometry.intersects(b.geometry):
                shared = geodesic_area_km2(shapely.intersection(a.geometry, b.geometry))
                if shared > 1.0:
                    problems.append(f"{names[0]} and {names[1]} overlap by {shared:.0f} km²")
    return problems


# ---------------------------------------------------------------------------------------------
# Output.
# ---------------------------------------------------------------------------------------------

TOPOLOGY_FILE, LIMITS_FILE = "world.topo.json", "sea_limits.geojson"


def _label(spec: SeaSpec) -> list[float]:
    """The label point of a sea as [lon, lat]."""
    (point,) = via(spec.label)
    return [round(point.lon, 4), round(point.lat, 4)]


def sea_properties(sea: Sea) -> dict[str, Any]:
    """Return the properties stored with one sea in the topology."""
    props: dict[str, Any] = {"name": sea.spec.name, "aliases": list(sea.spec.aliases)}
    props["label"] = _label(sea.spec)
    if sea.spec.parts:
        props["parts"] = list(sea.spec.parts)
    elif sea.spec.name in CONTAINS:
        props["subdivisions"] = list(CONTAINS[sea.spec.name])
    if sea.spec.note:
        props["note"] = sea.spec.note
    return props


def source_grid(package: Path) -> Grid:
    """The quantization grid of world-atlas (1e5 steps across the world).

    Re-using it keeps every source vertex exactly where it was, so shared boundaries stay shared.
    """
    topology = json.loads((package / "countries-50m.json").read_text(encoding="utf-8"))
    scale, translate = topology["transform"]["scale"], topology["transform"]["translate"]
    return Grid(scale=(scale[0], scale[1]), translate=(translate[0], translate[1]))


def build_topology(
    grid: Grid, countries: Sequence[Country], land: BaseGeometry, seas: Sequence[Sea]
) -> dict[str, Any]:
    """Encode countries, land and seas as one TopoJSON topology (shared arcs stored once)."""
    builder = TopologyBuilder(grid)
    for c in countries:
        props = {"name": c.name, "iso_n3": c.numeric, "iso": c.iso, "aliases": c.aliases}
        builder.add("countries", c.geometry, props, id=c.code)
    builder.add("land", land, {"name": "land"}, id=None)
    for sea in seas:
        builder.add("seas", sea.geometry, sea_properties(sea), id=sea.spec.name)
    return builder.to_topojson(
        metadata={
            "source": f"npm {PACKAGE}@{VERSION}: Natural Earth 1:50m (countries-50m, land-50m)",
            "licence": "Natural Earth: public domain; world-atlas: ISC",
            "seas": f"limit polygons authored in scripts/build_reference.py, see {LIMITS_FILE}",
            "made_by": "scripts/build_reference.py",
        }
    )


def limits_geojson(seas: Iterable[Sea]) -> dict[str, Any]:
    """Return the authored limit polygons with their named points, for review on any map."""
    features = []
    for sea in seas:
        if sea.spec.parts:
            continue
        points = [
            {"name": p.name, "lat": round(p.lat, 4), "lon": round(p.lon, 4), "source": p.source}
            for p in sea.points[:-1]
            if p.name
        ]
        ring = [[round(p.lon, 4), round(p.lat, 4)] for p in sea.points]
        geometry = {"type": "Polygon", "coordinates": [ring]}
        props = {"name": sea.spec.name, "lines": list(sea.spec.ring), "named_points": points}
        features.append({"type": "Feature", "properties": props, "geometry": geometry})
    return {"type": "FeatureCollection", "features": features}


def write_json(path: Path, data: Any) -> None:
    """Write compact UTF-8 JSON atomically (temporary file beside the target, then rename)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def fetch_package(target: Path) -> Path:
    """Download world-atlas with `npm pack` into ``target`` and return the unpacked folder."""
    subprocess.run(
        ["npm", "pack", f"{PACKAGE}@{VERSION}", "--silent"],
        cwd=target,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    tarball = next(target.glob(f"{PACKAGE}-{VERSION}.tgz"))
    with tarfile.open(tarball) as archive:
        archive.extractall(target, filter="data")
    return target / "package"


def check_package(package: Path) -> None:
    """Stop unless ``package`` is the expected world-atlas version."""
    meta = json.loads((package / "package.json").read_text(encoding="utf-8"))
    if (meta.get("name"), meta.get("version")) != (PACKAGE, VERSION):
        raise SystemExit(
            f"{package} holds {meta.get('name')}@{meta.get('version')}, "
            f"expected {PACKAGE}@{VERSION}"
        )


def build(package: Path, out_dir: Path) -> list[str]:
    """Build all reference files into ``out_dir``; return the problems found by the checks."""
    check_package(package)
    countries, land = load_countries(package), load_land(package)
    seas = build_seas(land)
    problems = check_seas(seas)
    crossings = coast_crossings(land, seas)
    land = insert_vertices([land], crossings)[0]
    shapes = insert_vertices([c.geometry for c in countries], crossings)
    for country, geom in zip(countries, shapes, strict=True):
        country.geometry = geom
    for sea, geom in zip(seas, insert_vertices([s.geometry for s in seas], crossings), strict=True):
        sea.geometry = geom
    topology = build_topology(source_grid(package), countries, land, seas)
    write_json(out_dir / TOPOLOGY_FILE, topology)
    write_json(out_dir / LIMITS_FILE, limits_geojson(seas))
    for sea in seas:
        print(f"{sea.spec.name:24s} {geodesic_area_km2(sea.geometry):>12,.0f} km²")
    for name in (TOPOLOGY_FILE, LIMITS_FILE):
        print(f"{name}: {(out_dir / name).stat().st_size:,} bytes")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: build the files, print areas and sizes, exit 1 on failed checks."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package-dir", type=Path, help=f"an unpacked {PACKAGE}@{VERSION}")
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR, help="default: geo/reference")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        package = args.package_dir or fetch_package(Path(tmp))
        problems = build(package, args.out_dir)
    for problem in problems:
        print(f"check failed: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
