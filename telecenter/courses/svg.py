"""Drawings in SVG, reduced to shapes: SVG can carry script, links and outside resources, so
a drawing is rebuilt from an allowlist of elements and attributes before it is stored.

What survives cannot run or fetch anything, even opened on its own (the media route also sends
a sandboxing policy). Declarations (DOCTYPE, entities) are refused outright: they are how XML
expands or reaches outside, and no drawing made for a lesson needs one.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from flask_babel import gettext as _

from telecenter.domain_errors import DomainError

NS = "http://www.w3.org/2000/svg"
MAX_SVG_BYTES = 512 * 1024

ALLOWED_ELEMENTS = frozenset(
    {
        "svg",
        "g",
        "defs",
        "title",
        "desc",
        "path",
        "rect",
        "circle",
        "ellipse",
        "line",
        "polyline",
        "polygon",
        "text",
        "tspan",
        "linearGradient",
        "radialGradient",
        "stop",
    }
)
ALLOWED_ATTRIBUTES = frozenset(
    {
        "viewBox",
        "width",
        "height",
        "preserveAspectRatio",
        "role",
        "aria-label",
        "id",
        "x",
        "y",
        "x1",
        "y1",
        "x2",
        "y2",
        "cx",
        "cy",
        "r",
        "rx",
        "ry",
        "fx",
        "fy",
        "dx",
        "dy",
        "d",
        "points",
        "fill",
        "fill-opacity",
        "fill-rule",
        "clip-rule",
        "stroke",
        "stroke-width",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-dasharray",
        "stroke-opacity",
        "opacity",
        "transform",
        "font-size",
        "font-family",
        "font-weight",
        "font-style",
        "text-anchor",
        "dominant-baseline",
        "letter-spacing",
        "offset",
        "stop-color",
        "stop-opacity",
        "gradientUnits",
        "gradientTransform",
    }
)
#: Values may reference only a gradient of the same drawing, never an address.
_URL = re.compile(r"url\s*\(", re.IGNORECASE)
_LOCAL_URL = re.compile(r"^\s*url\(\s*#[A-Za-z][\w.-]*\s*\)\s*$")
_SCRIPTY = re.compile(r"javascript:|data:|expression\s*\(|&|<", re.IGNORECASE)


class SvgError(DomainError):
    """A file that is not a drawing we can keep; the message says why."""


def looks_like_svg(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return text.startswith((b"<?xml", b"<svg"))


def clean(data: bytes) -> bytes:
    """The drawing rebuilt from allowed shapes only, as UTF-8 bytes."""
    if len(data) > MAX_SVG_BYTES:
        raise SvgError(_("El dibujo SVG pesa más de %(n)d KB.", n=MAX_SVG_BYTES // 1024))
    if b"<!" in data.replace(b"<!--", b""):
        raise SvgError(_("El dibujo SVG trae declaraciones que no se aceptan (DOCTYPE)."))
    try:
        root = ET.fromstring(data)  # noqa: S314 - declarations were refused just above
    except ET.ParseError:
        raise SvgError(_("El archivo SVG está dañado o no es un dibujo.")) from None
    if root.tag != f"{{{NS}}}svg":
        raise SvgError(_("El archivo SVG está dañado o no es un dibujo."))
    cleaned = _copy(root)
    ET.register_namespace("", NS)
    return ET.tostring(cleaned, encoding="utf-8", xml_declaration=False)


def _copy(element: ET.Element) -> ET.Element:
    name = element.tag.removeprefix(f"{{{NS}}}")
    copy = ET.Element(f"{{{NS}}}{name}", _attributes(element))
    if name in ("text", "tspan", "title", "desc"):
        copy.text = element.text
    for child in element:
        child_name = child.tag.removeprefix(f"{{{NS}}}")  # the parser drops comments
        if child.tag == f"{{{NS}}}{child_name}" and child_name in ALLOWED_ELEMENTS:
            kept = _copy(child)
            kept.tail = child.tail if name in ("text", "tspan") else None
            copy.append(kept)
    return copy


def _attributes(element: ET.Element) -> dict[str, str]:
    kept = {}
    for key, value in element.attrib.items():
        if key not in ALLOWED_ATTRIBUTES or _SCRIPTY.search(value):
            continue  # namespaced keys ({...}href, xlink) are not in the list either
        if _URL.search(value) and not _LOCAL_URL.match(value):
            continue
        kept[key] = value
    return kept
