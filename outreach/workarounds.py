"""The workarounds knowledge base: Markdown files with YAML front matter, validated and stored in the warehouse.

A file looks like::

    ---
    id: wa-sync-timeout
    title: Sync stops with E_SYNC_TIMEOUT
    status: approved            # or draft; only approved ones are ever emailed
    applies_to:
      error_codes: [E_SYNC_TIMEOUT]
      features: [sync]
      platforms: [android]
      app_versions: ["5.2.*"]   # shell-style patterns are allowed
      keywords: [sync, timeout, stuck]
    language: en                # optional, the language it is written in
    translations:               # optional, see outreach.workaround_lint
      de: {title: ..., steps: ...}
    ---
    1. Open Settings > Sync.
    2. ...

Loading never rewrites what a person wrote: a workaround that apologises, greets or signs off, or a
translation that misses a step, is loaded with a warning (file and line) in ``Workaround.warnings``.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Connection, Engine

from outreach.profile import SHIPPED_LOCALES
from outreach.workaround_lint import (
    Translation,
    lint_language,
    lint_text,
    parse_translations,
    translations_from_json,
    translations_json,
)
from sql import statement

log = logging.getLogger(__name__)

# libyaml's safe loader where PyYAML was built with it: every outreach run parses every workaround file, and
# the pure-Python loader took 45 ms of a late hourly run in the 30-day replay for ten files.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

STATUSES = ("draft", "approved")
APPLIES_TO_KEYS = ("error_codes", "features", "platforms", "app_versions", "keywords")
_FRONT_MATTER_FIELDS = {"id", "title", "status", "applies_to", "language", "translations", "pre_approved"}


class WorkaroundError(ValueError):
    """A workaround file is invalid; the message names the file and the field."""


@dataclass(frozen=True)
class AppliesTo:
    """Where a workaround fits; an empty tuple means "any"."""

    error_codes: tuple[str, ...] = ()
    features: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    app_versions: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, list[str]]:
        """The JSON-ready form stored in ``workarounds.applies_to``."""
        return {key: list(getattr(self, key)) for key in APPLIES_TO_KEYS}

    @classmethod
    def from_dict(cls, value: dict[str, Any] | None) -> AppliesTo:
        """Rebuild from the stored JSON object (unknown keys are ignored)."""
        value = value or {}
        return cls(**{key: tuple(str(v) for v in value.get(key) or ()) for key in APPLIES_TO_KEYS})


@dataclass(frozen=True)
class Workaround:
    """One workaround as written by a support lead."""

    workaround_id: str
    title: str
    status: str
    applies_to: AppliesTo
    body_markdown: str
    source_path: str | None = None
    content_hash: str = field(default="")
    language: str = "en"
    translations: tuple[Translation, ...] = ()
    warnings: tuple[str, ...] = ()
    # Front matter ``pre_approved: {max_audience: N}``: its author approved it in advance for any matching
    # incident with at most N customers to email, so such a campaign goes out in the run that finds it.
    pre_approved_max_audience: int | None = None

    @property
    def is_approved(self) -> bool:
        return self.status == "approved"

    def translation(self, locale: str) -> Translation | None:
        """The translation into ``locale`` (usable or not), or None when there is none."""
        return next((t for t in self.translations if t.locale == locale), None)


@dataclass(frozen=True)
class UpsertCounts:
    """How many workarounds a load inserted, changed or found unchanged."""

    inserted: int
    updated: int
    unchanged: int


def load_workarounds(folder: Path | str) -> list[Workaround]:
    """Read and validate every ``*.md`` file under ``folder`` (recursively), sorted by id.

    Raises:
        WorkaroundError: the folder is missing, a file is invalid, or two files share an id.
    """
    root = Path(folder)
    if not root.is_dir():
        raise WorkaroundError(f"workarounds folder {str(root)!r} does not exist or is not a folder")
    seen: dict[str, Path] = {}
    result = []
    for path in sorted(root.rglob("*.md")):
        workaround = parse_workaround(path.read_text(encoding="utf-8"), source=str(path))
        if workaround.workaround_id in seen:
            raise WorkaroundError(
                f"{path}: id {workaround.workaround_id!r} is already used by {seen[workaround.workaround_id]}; "
                "give each workaround its own id"
            )
        seen[workaround.workaround_id] = path
        result.append(workaround)
        for warning in workaround.warnings:
            log.warning("%s", warning)
    log.info("loaded %s workarounds from %s (%s warnings)", len(result), root, sum(len(w.warnings) for w in result))
    return sorted(result, key=lambda w: w.workaround_id)


def parse_workaround(text: str, *, source: str = "<string>") -> Workaround:
    """Parse one Markdown document with YAML front matter.

    Raises:
        WorkaroundError: naming ``source`` and the field at fault.
    """
    meta, body, body_line = _split_front_matter(text, source)
    unknown = sorted(set(meta) - _FRONT_MATTER_FIELDS)
    if unknown:
        raise WorkaroundError(f"{source}: unknown front matter field(s) {unknown}; allowed: {sorted(_FRONT_MATTER_FIELDS)}")
    workaround_id = _required_text(meta, "id", source)
    if len(workaround_id) > 64:
        raise WorkaroundError(f"{source}: field 'id' {workaround_id!r} is longer than 64 characters")
    title = _required_text(meta, "title", source)
    # "Approved" and "approved" say the same thing; anything else still stops the load with this error.
    status = _required_text(meta, "status", source).lower()
    if status not in STATUSES:
        raise WorkaroundError(f"{source}: field 'status' is {status!r}; expected one of {list(STATUSES)}")
    applies_to = _parse_applies_to(meta.get("applies_to"), source)
    steps = body.strip()
    if not steps:
        raise WorkaroundError(f"{source}: no steps after the front matter; write the workaround steps as Markdown")
    language = str(meta.get("language") or "en").strip().lower()
    if language not in SHIPPED_LOCALES:
        raise WorkaroundError(f"{source}: field 'language' is {language!r}; emails are written in "
                              f"{', '.join(SHIPPED_LOCALES)}: write the workaround in one of them")
    try:
        translations, warnings = parse_translations(meta.get("translations"), language=language, steps=steps,
                                                    source=source)
    except ValueError as exc:
        raise WorkaroundError(str(exc)) from None
    warnings = lint_text(text, source=source) + warnings
    warnings += lint_language(body, language, source=source, start_line=body_line)
    warnings += _versions_written_as_numbers(meta.get("applies_to"), source)
    fields = {"id": workaround_id, "title": title, "status": status, "applies_to": applies_to.as_dict(), "body": steps}
    if language != "en" or translations:  # files without either keep the hash they always had
        fields |= {"language": language, "translations": translations_json(tuple(translations))}
    pre_approved = _parse_pre_approved(meta.get("pre_approved"), source)
    if pre_approved is not None:  # only then, so hashes of workarounds written before the field stay as they were
        fields["pre_approved_max_audience"] = pre_approved
    content = json.dumps(fields, sort_keys=True)
    return Workaround(
        workaround_id=workaround_id,
        title=title,
        status=status,
        applies_to=applies_to,
        body_markdown=steps,
        source_path=source,
        content_hash=hashlib.sha256(content.encode("utf-8")).hexdigest(),
        language=language,
        translations=tuple(translations),
        warnings=tuple(warnings),
        pre_approved_max_audience=pre_approved,
    )


def upsert_workarounds(engine: Engine, workarounds: list[Workaround], *, now: datetime) -> UpsertCounts:
    """Store workarounds by id; a row whose content hash is unchanged is left as it was."""
    inserted = updated = unchanged = 0
    with engine.begin() as conn:
        existing = {
            row.workaround_id: row.content_hash
            for row in conn.execute(statement("workaround_select_hashes", engine.dialect.name))
        }
        upsert = statement("workaround_upsert", engine.dialect.name)
        for workaround in workarounds:
            previous = existing.get(workaround.workaround_id)
            if previous == workaround.content_hash:
                unchanged += 1
                continue
            conn.execute(upsert, _row(workaround, now))
            if previous is None:
                inserted += 1
            else:
                updated += 1
    log.info("workarounds: %s inserted, %s updated, %s unchanged", inserted, updated, unchanged)
    return UpsertCounts(inserted=inserted, updated=updated, unchanged=unchanged)


def read_workarounds(conn: Connection, *, approved_only: bool = True) -> list[Workaround]:
    """Workarounds stored in the warehouse, sorted by id (only approved ones by default)."""
    rows = conn.execute(statement("workaround_select_all", conn.dialect.name)).all()
    result = [
        Workaround(
            workaround_id=row.workaround_id,
            title=row.title,
            status=row.status,
            applies_to=AppliesTo.from_dict(json.loads(row.applies_to) if row.applies_to else None),
            body_markdown=row.body_markdown,
            source_path=row.source_path,
            content_hash=row.content_hash or "",
            language=row.language or "en",
            translations=translations_from_json(row.translations),
            pre_approved_max_audience=row.pre_approved_max_audience,
        )
        for row in rows
    ]
    return [w for w in result if w.is_approved] if approved_only else result


def _row(workaround: Workaround, now: datetime) -> dict[str, Any]:
    return {
        "workaround_id": workaround.workaround_id,
        "title": workaround.title,
        "status": workaround.status,
        "applies_to": json.dumps(workaround.applies_to.as_dict(), sort_keys=True),
        "body_markdown": workaround.body_markdown,
        "source_path": workaround.source_path,
        "content_hash": workaround.content_hash,
        "language": workaround.language,
        "translations": translations_json(workaround.translations),
        "loaded_at": now,
        "pre_approved_max_audience": workaround.pre_approved_max_audience,
    }


def _split_front_matter(text: str, source: str) -> tuple[dict[str, Any], str, int]:
    """The front matter, the body, and the file line the body starts on."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        raise WorkaroundError(f"{source}: expected YAML front matter starting with '---' on the first line")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() in ("---", "..."))
    except StopIteration:
        raise WorkaroundError(f"{source}: the front matter is not closed with a '---' line") from None
    try:
        meta = yaml.load("\n".join(lines[1:end]), Loader=_SAFE_LOADER) or {}
    except yaml.YAMLError as exc:
        raise WorkaroundError(f"{source}: front matter is not valid YAML: {exc}") from exc
    if not isinstance(meta, dict):
        raise WorkaroundError(f"{source}: front matter must be a mapping of fields, got {type(meta).__name__}")
    return meta, "\n".join(lines[end + 1 :]), end + 2


def _required_text(meta: dict[str, Any], name: str, source: str) -> str:
    value = meta.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise WorkaroundError(f"{source}: missing required field {name!r} in the front matter")
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise WorkaroundError(f"{source}: field {name!r} must be text, got {value!r}")
    return str(value).strip()


def _parse_pre_approved(value: Any, source: str) -> int | None:
    """``pre_approved: {max_audience: N}`` as N (a whole number >= 1), or None when absent."""
    if value is None:
        return None
    bound = value.get("max_audience") if isinstance(value, dict) else None
    if not isinstance(value, dict) or set(value) != {"max_audience"} or isinstance(bound, bool) or not isinstance(bound, int) or bound < 1:
        raise WorkaroundError(
            f"{source}: field 'pre_approved' must be {{max_audience: N}} with N a whole number >= 1, got {value!r}"
        )
    return bound


def _versions_written_as_numbers(value: Any, source: str) -> list[str]:
    """A warning per app version YAML read as a number: ``[5.10]`` is the number 5.1, not release 5.10."""
    items = value.get("app_versions") if isinstance(value, dict) else None
    items = items if isinstance(items, list) else [items]
    return [
        f"{source}: applies_to.app_versions holds {item!r} as a number (YAML drops trailing zeros: 5.10 reads as "
        f"5.1); quote versions, e.g. '5.10'"
        for item in items
        if isinstance(item, float)
    ]


def _parse_applies_to(value: Any, source: str) -> AppliesTo:
    if value is None:
        return AppliesTo()
    if not isinstance(value, dict):
        raise WorkaroundError(f"{source}: field 'applies_to' must be a mapping, got {value!r}")
    unknown = sorted(set(value) - set(APPLIES_TO_KEYS))
    if unknown:
        raise WorkaroundError(
            f"{source}: unknown key(s) {unknown} in field 'applies_to'; allowed: {list(APPLIES_TO_KEYS)}"
        )
    parsed: dict[str, tuple[str, ...]] = {}
    for key in APPLIES_TO_KEYS:
        items = value.get(key)
        if items is None:
            continue
        if isinstance(items, str):
            # YAML reads "keywords: search, timeout, slow" as one text: it is three keywords.
            items = items.split(",")
        elif isinstance(items, int | float) and not isinstance(items, bool):
            items = [items]
        if not isinstance(items, list) or any(
            not isinstance(item, str | int | float) or isinstance(item, bool) for item in items
        ):
            raise WorkaroundError(f"{source}: field 'applies_to.{key}' must be a list of text values, got {items!r}")
        parsed[key] = tuple(str(item).strip() for item in items if str(item).strip())
    return AppliesTo(**parsed)
