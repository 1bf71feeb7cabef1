"""Lesson Markdown to safe HTML: the one renderer for lessons, previews and packs.

Raw HTML in Markdown is never rendered (it shows as text), links may only be web, mail or
relative addresses, and media may only come from the course's own files on this site. nh3
sanitizes the result again, so no script or event handler can survive either layer.
"""

from __future__ import annotations

import functools
import re
from pathlib import PurePosixPath

import nh3
from markdown_it import MarkdownIt

AUDIO = {
    ".mp3": "audio/mpeg",
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".m4a": "audio/mp4",
    ".wav": "audio/wav",
    ".weba": "audio/webm",
}
VIDEO = {".mp4": "video/mp4", ".webm": "video/webm", ".ogv": "video/ogg"}
MEDIA_PREFIX = "media/"

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h2",
    "h3",
    "h4",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "a",
    "img",
    "audio",
    "video",
    "source",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "loading"},
    "audio": {"src", "controls", "preload"},
    "video": {"src", "controls", "preload"},
    "th": {"align"},
    "td": {"align"},
}
_UNSAFE = re.compile(
    r"<\s*/?\s*(script|iframe|object|embed|style|link|meta|form|svg|math)\b"
    r"|javascript\s*:|vbscript\s*:|data\s*:\s*text/html|<[^>]*\bon[a-z]+\s*=",
    re.IGNORECASE,
)


def find_unsafe(text: str) -> str | None:
    """The first piece of script-like content in a text, or None; such text is refused."""
    match = _UNSAFE.search(text or "")
    return match.group(0) if match else None


def _media_url(course_id: int, src: str) -> str | None:
    if not src.startswith(MEDIA_PREFIX):
        return None  # nothing is loaded from other sites: the PCs are offline
    name = src[len(MEDIA_PREFIX) :]
    if not name or "/" in name or name.startswith("."):
        return None
    return f"/courses/{course_id}/media/{name}"


def _build(course_id: int) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

    def image(renderer, tokens, index, options, env):
        token = tokens[index]
        url = _media_url(course_id, token.attrGet("src") or "")
        alt = renderer.renderInlineAsText(token.children or [], options, env)
        if url is None:
            return md.utils.escapeHtml(alt)  # keep the words, drop the outside picture
        suffix = PurePosixPath(url).suffix.lower()
        if suffix in AUDIO:
            return f'<audio controls preload="none" src="{url}"></audio>'
        if suffix in VIDEO:
            return f'<video controls preload="none" src="{url}"></video>'
        return f'<img src="{url}" alt="{md.utils.escapeHtml(alt)}" loading="lazy">'

    md.add_render_rule("image", image)
    return md


def _keep_own_media(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "src" and not value.startswith("/courses/"):
        return None
    return value


def render(markdown_text: str, *, course_id: int) -> str:
    """Lesson Markdown to sanitized HTML, uncached: for previews of drafts being edited."""
    html = _build(course_id).render(markdown_text or "")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_keep_own_media,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


#: Lessons longer than this are rendered each time rather than kept in every worker's memory.
CACHE_TEXT_LIMIT = 20_000
_render_cached = functools.lru_cache(maxsize=128)(render)


def render_lesson(markdown_text: str, *, course_id: int) -> str:
    """Cached by text: a room of learners opens the same few lessons, and parsing plus
    sanitizing a lesson costs more than the rest of its page. Keyed by the text itself, so an
    edited lesson is never served stale; bounded in count and in size of each entry."""
    if len(markdown_text or "") > CACHE_TEXT_LIMIT:
        return render(markdown_text, course_id=course_id)
    return _render_cached(markdown_text, course_id=course_id)
