"""Central's course catalogue, as this site receives it in the network settings (`courses`).

The rules of the contract (issue 22):

- each entry is one pack file, known by its SHA-256; central lists only the newest version of
  each course;
- a settings object without the key (an older central) changes nothing; a list (even empty)
  is the whole catalogue: an entry the site has not downloaded yet and that is no longer
  listed is dropped (with its partial file, by the downloader); one downloaded or installed
  stays, marked as no longer listed;
- an entry of a kind this site does not know ("recording", later) is ignored; one bad entry
  of a known kind refuses the whole settings object, as for network events.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from telecenter import month_report
from telecenter.counting_rules import InvalidRules
from telecenter.courses.definitions import is_slug
from telecenter.sync.models import CourseDownload

log = logging.getLogger(__name__)

KEY = "courses"
KINDS = ("pack",)
MAX_ENTRIES = 500
MAX_TITLE = 200
MAX_SIZE = 2**40
MAX_VERSION = 2**31 - 1
ENTRY_ID = re.compile(r"CP-[1-9][0-9]{0,9}")
SHA256 = re.compile(r"[0-9a-f]{64}")
#: Central's file path: the site joins it to central's address, so the token goes nowhere else.
URL = re.compile(r"/api/v1/sync/files/[0-9a-f]{64}")
FIELDS = ("id", "slug", "title", "version", "kind", "sha256", "size", "url", "published_at")


class InvalidCatalogue(InvalidRules):
    """A catalogue no site could apply: the whole settings object is refused (the reason, in
    English, goes to the log and the admin's sync page)."""


@dataclass(frozen=True)
class Entry:
    """One catalogue entry as central sent it, checked."""

    id: str
    slug: str
    title: str
    version: int
    sha256: str
    size: int
    url: str
    published_at: datetime


def parse(settings: dict) -> list[Entry] | None:
    """The entries of a known kind, all checked; None when the settings have no such key."""
    if KEY not in settings:
        return None
    raw = settings[KEY]
    if not isinstance(raw, list) or len(raw) > MAX_ENTRIES:
        raise InvalidCatalogue(f"{KEY} must be a list of at most {MAX_ENTRIES} entries")
    entries = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            raise InvalidCatalogue(f"{KEY}[{index}]: an entry must be an object")
        if item.get("kind") in KINDS:
            entries.append(_entry(item, f"{KEY}[{index}]"))
    files = [entry.sha256 for entry in entries]
    if len(set(files)) != len(files):
        raise InvalidCatalogue(f"{KEY}: a file (sha256) appears twice")
    return entries


def _entry(item: dict, where: str) -> Entry:
    if not set(FIELDS) <= set(item):
        raise InvalidCatalogue(f"{where}: an entry needs {', '.join(FIELDS)}")
    checks = (
        ("id", lambda v: isinstance(v, str) and ENTRY_ID.fullmatch(v), "like CP-7"),
        ("slug", lambda v: is_slug(v) and len(v) <= 80, "a course slug"),
        ("title", lambda v: isinstance(v, str) and 0 < len(v.strip()) <= MAX_TITLE, "text"),
        ("version", lambda v: type(v) is int and 1 <= v <= MAX_VERSION, "a whole number"),
        ("sha256", lambda v: isinstance(v, str) and SHA256.fullmatch(v), "64 hex digits"),
        ("size", lambda v: type(v) is int and 1 <= v <= MAX_SIZE, "a size in bytes"),
        ("url", lambda v: isinstance(v, str) and URL.fullmatch(v), "/api/v1/sync/files/<sha>"),
    )
    for name, good, what in checks:
        if not good(item[name]):
            raise InvalidCatalogue(
                f"{where}: {name} must be {what}, not {month_report.shown(item[name])}"
            )
    if item["url"].rpartition("/")[2] != item["sha256"]:
        raise InvalidCatalogue(f"{where}: url must name the entry's own sha256")
    published = month_report.parse_generated_at(item["published_at"])
    if published is None:
        shown = month_report.shown(item["published_at"])
        raise InvalidCatalogue(f"{where}: published_at must be ISO 8601 in UTC, not {shown}")
    return Entry(
        id=item["id"],
        slug=item["slug"],
        title=item["title"].strip(),
        version=item["version"],
        sha256=item["sha256"],
        size=item["size"],
        url=item["url"],
        published_at=published.astimezone(UTC),
    )


@dataclass
class Applied:
    added: int = 0
    dropped: int = 0


def apply(session: Session, entries: list[Entry] | None) -> Applied:
    """Store checked entries (inside the caller's write)."""
    applied = Applied()
    if entries is None:  # an older central: it knows nothing of the catalogue
        return applied
    stored = {row.sha256: row for row in session.scalars(sa.select(CourseDownload))}
    for entry in entries:
        row = stored.get(entry.sha256)
        if row is None:
            row = CourseDownload(sha256=entry.sha256, state="pending", bytes_done=0)
            session.add(row)
            applied.added += 1
        row.entry_id, row.slug, row.title, row.version = (
            entry.id,
            entry.slug,
            entry.title,
            entry.version,
        )
        row.size, row.url, row.published_at, row.listed = (
            entry.size,
            entry.url,
            entry.published_at,
            True,
        )
    listed = {entry.sha256 for entry in entries}
    for sha256, row in stored.items():
        if sha256 in listed:
            continue
        if row.state == "pending":  # not downloaded yet: gone (the downloader removes its .part)
            session.delete(row)
            applied.dropped += 1
        else:
            row.listed = False
    session.flush()
    if applied.added or applied.dropped:
        log.info(
            "course catalogue from central: %d new, %d dropped", applied.added, applied.dropped
        )
    return applied
