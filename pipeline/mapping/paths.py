"""Nested JSON fields by path: ``requester.email``, ``exception.values[0].type``, ``tags.tags[*].name``.

A path is dot-separated keys; a key may end in ``[N]`` (one list item) or ``[*]`` (every item, giving a
list). A record without the path gives ``MISSING`` (told apart from a present JSON null, so that a path
that matches nothing anywhere can be reported as a likely typo).
"""

from __future__ import annotations

import json
import re
from functools import cache

MISSING = object()
_STEP = re.compile(r"^(?P<key>[^\[\]]*)(?P<index>(\[(\d+|\*)\])*)$")
_INDEX = re.compile(r"\[(\d+|\*)\]")


class PathSyntaxError(ValueError):
    """A path that cannot be parsed (unbalanced brackets, empty key)."""


@cache
def parse_path(path: str) -> tuple[str | int, ...]:
    """Steps of a path: keys (str), indexes (int) and ``-1`` for ``[*]``."""
    steps: list[str | int] = []
    for part in path.split("."):
        match = _STEP.match(part)
        if not match or (not match["key"] and not match["index"]):
            raise PathSyntaxError(f"cannot read path {path!r} at {part!r}")
        if match["key"]:
            steps.append(match["key"])
        for index in _INDEX.findall(match["index"] or ""):
            steps.append(-1 if index == "*" else int(index))
    return tuple(steps)


def extract(record: object, path: str) -> object:
    """The value at ``path`` in a JSON record; a list where a ``[*]`` step fans out; MISSING if absent."""
    return _walk(record, parse_path(path))


def _walk(value: object, steps: tuple[str | int, ...]) -> object:
    for position, step in enumerate(steps):
        if isinstance(step, str):
            if not isinstance(value, dict) or step not in value:
                return MISSING
            value = value[step]
        elif step == -1:
            if not isinstance(value, list):
                return MISSING
            rest = steps[position + 1:]
            found = [_walk(item, rest) for item in value]
            return [item for item in found if item is not MISSING]
        else:
            if not isinstance(value, list) or step >= len(value):
                return MISSING
            value = value[step]
    return value


def as_text(value: object) -> str:
    """A JSON value as contract text: empty for missing/null, lists joined with ``;``, objects as JSON."""
    if value is None or value is MISSING:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, list):
        return ";".join(text for text in (as_text(item) for item in value) if text)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
