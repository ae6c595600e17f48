"""Read a mapping YAML file into ``SourceMapping``, checking it before any source is opened.

The file is composed into YAML nodes (not plain dicts) so that every error can name the line and column
of the setting at fault. A ready mapping shipped with Forewarn is named without a path
(``--mapping zendesk-incremental``); see ``pipeline/mapping/ready/``.
"""

from __future__ import annotations

import re
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from pipeline.contract import TABLES, TABLES_BY_NAME, TableSpec
from pipeline.mapping.model import (
    JOIN_EMAIL,
    UNMAPPED_CHOICES,
    FieldRule,
    Filter,
    Lookup,
    MappingError,
    SourceMapping,
    SourceRef,
    TableMapping,
    Where,
)

READY_DIR = Path(__file__).resolve().parent / "ready"
FORMATS = ("csv", "parquet", "json", "jsonl")
EPOCH_FORMATS = ("unix", "unix_ms")
# strptime directives pandas and Python both understand; anything else is a typo worth an error.
TIME_DIRECTIVES = set("aAbBcdfHIjmMpSUwWxXyYzZGuV%")
FROM_KEYS = {"files", "table", "query", "records", "format", "source", "lookups"}
TABLE_KEYS = {"from", "columns", "filter", "keep_unmapped"}
FIELD_KEYS = {"field", "const", "map", "unmapped", "format", "timezone", "lookup", "value", "join", "split", "optional"}


def ready_mappings() -> list[str]:
    """Names of the mappings shipped with Forewarn."""
    return sorted(path.stem for path in READY_DIR.glob("*.yaml"))


def resolve_mapping_path(name: str) -> Path:
    """A mapping file path, or the shipped ready mapping of that name."""
    path = Path(name)
    if path.is_file():
        return path
    ready = READY_DIR / f"{name}.yaml"
    if not path.suffix and ready.is_file():
        return ready
    raise MappingError(
        None,
        f"mapping file {name} not found; pass a YAML file or one of the ready mappings: {', '.join(ready_mappings())}",
    )


def load_mapping(name: str) -> SourceMapping:
    """Load and check a mapping file (or ready mapping name).

    Raises:
        MappingError: the file is missing, not YAML, or a setting is wrong (with its line and column).
    """
    path = resolve_mapping_path(name)
    label = str(path)
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = Where(label, mark.line + 1, mark.column + 1) if mark else None
        raise MappingError(where, f"not valid YAML: {exc.problem}") from exc
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise MappingError(None, f"{label}: cannot read the mapping ({exc})") from exc
    if root is None:
        raise MappingError(Where(label, 1, 1), "the mapping is empty; map at least one of customers, tickets, events")
    tables = []
    entries = dict((key, (key_node, value)) for key, key_node, value in _items(root, label, "the mapping"))
    for key, (key_node, _) in entries.items():
        if key != "version" and key not in TABLES_BY_NAME:
            raise MappingError(_where(key_node, label), f"unknown table {key!r}; expected customers, tickets or events")
    for spec in TABLES:
        if spec.name in entries:
            key_node, value = entries[spec.name]
            tables.append(_table(spec, value, label, _where(key_node, label)))
    if not tables:
        raise MappingError(_where(root, label), "the mapping maps no table; add customers, tickets or events")
    return SourceMapping(label, tuple(tables))


def _where(node: yaml.Node, label: str) -> Where:
    return Where(label, node.start_mark.line + 1, node.start_mark.column + 1)


def _items(node: yaml.Node, label: str, what: str) -> list[tuple[str, yaml.Node, yaml.Node]]:
    if not isinstance(node, yaml.MappingNode):
        raise MappingError(_where(node, label), f"{what} must be a mapping of names to settings")
    return [(str(key.value), key, value) for key, value in node.value]


def _scalar(node: yaml.Node, label: str, what: str) -> str | None:
    """A scalar's text (None for YAML null)."""
    if not isinstance(node, yaml.ScalarNode):
        raise MappingError(_where(node, label), f"{what} must be a single value")
    if node.tag == "tag:yaml.org,2002:null":
        return None
    return str(node.value)


def _flag(node: yaml.Node, label: str, what: str) -> bool:
    text = (_scalar(node, label, what) or "").lower()
    if text not in {"true", "false", "yes", "no"}:
        raise MappingError(_where(node, label), f"{what} must be true or false, not {text!r}")
    return text in {"true", "yes"}


def _check_keys(items: list[tuple[str, yaml.Node, yaml.Node]], allowed: set[str], label: str, what: str) -> None:
    for key, key_node, _ in items:
        if key not in allowed:
            raise MappingError(
                _where(key_node, label), f"unknown setting {key!r} in {what}; expected one of {', '.join(sorted(allowed))}"
            )


def _table(spec: TableSpec, node: yaml.Node, label: str, where: Where) -> TableMapping:
    items = _items(node, label, spec.name)
    _check_keys(items, TABLE_KEYS, label, spec.name)
    parts = {key: value for key, _, value in items}
    if "from" not in parts:
        raise MappingError(where, f"{spec.name} has no 'from': say where its records are (files, table or query)")
    if "columns" not in parts:
        raise MappingError(where, f"{spec.name} has no 'columns': map the contract columns")
    source = _source(parts["from"], label, spec.name)
    fields = tuple(_field(spec, key, key_node, value, label) for key, key_node, value in _items(parts["columns"], label, f"{spec.name}.columns"))
    mapped = {rule.target for rule in fields}
    missing = [name for name in spec.required_columns if name not in mapped]
    if missing:
        raise MappingError(
            _where(parts["columns"], label),
            f"{spec.name}.columns does not map required contract column(s) {', '.join(missing)}; "
            "map each to a source field or a constant",
        )
    for rule in fields:
        if rule.lookup and rule.lookup not in {lookup.name for lookup in source.lookups}:
            raise MappingError(rule.where, f"{spec.name}.{rule.target}: lookup {rule.lookup!r} is not declared under from.lookups")
    filters = _filters(parts["filter"], label, spec.name) if "filter" in parts else ()
    keep = _flag(parts["keep_unmapped"], label, "keep_unmapped") if "keep_unmapped" in parts else True
    return TableMapping(spec.name, source, fields, filters, keep, where)


def _source(node: yaml.Node, label: str, table: str) -> SourceRef:
    items = _items(node, label, f"{table}.from")
    _check_keys(items, FROM_KEYS, label, f"{table}.from")
    values = {key: value for key, _, value in items}
    text = {key: _scalar(value, label, f"{table}.from.{key}") for key, value in values.items() if key != "lookups"}
    kinds = [key for key in ("files", "table", "query") if text.get(key)]
    if len(kinds) != 1:
        raise MappingError(_where(node, label), f"{table}.from needs exactly one of files, table or query (found {kinds or 'none'})")
    fmt = text.get("format")
    if fmt is not None and fmt not in FORMATS:
        raise MappingError(_where(values["format"], label), f"{table}.from.format {fmt!r} is not one of {', '.join(FORMATS)}")
    lookups = ()
    if "lookups" in values:
        lookups = tuple(_lookup(name, key_node, value, label, table) for name, key_node, value in _items(values["lookups"], label, f"{table}.from.lookups"))
    return SourceRef(
        _where(node, label), files=text.get("files"), table=text.get("table"), query=text.get("query"),
        records=text.get("records"), format=fmt, source=text.get("source"), lookups=lookups,
    )


def _lookup(name: str, key_node: yaml.Node, node: yaml.Node, label: str, table: str) -> Lookup:
    items = {key: _scalar(value, label, f"{table}.from.lookups.{name}.{key}") for key, _, value in _items(node, label, name)}
    if not items.get("records") or not items.get("key"):
        raise MappingError(_where(key_node, label), f"lookup {name!r} needs records (where the list is) and key (its id field)")
    return Lookup(name, str(items["records"]), str(items["key"]), _where(key_node, label))


def _filters(node: yaml.Node, label: str, table: str) -> tuple[Filter, ...]:
    if not isinstance(node, yaml.SequenceNode):
        raise MappingError(_where(node, label), f"{table}.filter must be a list like [{{field: event, in: [a, b]}}]")
    filters = []
    for entry in node.value:
        items = _items(entry, label, f"{table}.filter entry")
        _check_keys(items, {"field", "in", "not_in"}, label, f"{table}.filter")
        parts = {key: value for key, _, value in items}
        tests = [key for key in ("in", "not_in") if key in parts]
        if "field" not in parts or len(tests) != 1:
            raise MappingError(_where(entry, label), f"{table}.filter entry needs field and one of in / not_in")
        values = parts[tests[0]]
        listed = values.value if isinstance(values, yaml.SequenceNode) else [values]
        allowed = frozenset(str(_scalar(value, label, "a filter value")) for value in listed)
        filters.append(Filter(str(_scalar(parts["field"], label, "filter field")), allowed, tests[0] == "in", _where(entry, label)))
    return tuple(filters)


def _field(spec: TableSpec, target: str, key_node: yaml.Node, node: yaml.Node, label: str) -> FieldRule:
    where = _where(node, label)
    if target not in spec.column_names:
        raise MappingError(
            _where(key_node, label),
            f"{spec.name}.columns.{target}: not a contract column of {spec.name} ({', '.join(spec.column_names)})",
        )
    if isinstance(node, yaml.ScalarNode):
        path = _scalar(node, label, target)
        if not path:
            raise MappingError(where, f"{spec.name}.columns.{target}: empty field name")
        return FieldRule(target, where, path=path)
    items = _items(node, label, f"{spec.name}.columns.{target}")
    _check_keys(items, FIELD_KEYS, label, f"{spec.name}.columns.{target}")
    parts = {key: value for key, _, value in items}
    text = {key: _scalar(value, label, f"{target}.{key}") for key, value in parts.items() if key not in {"map", "optional"}}
    if ("field" in parts) == ("const" in parts):
        raise MappingError(where, f"{spec.name}.columns.{target} needs exactly one of field or const")
    unmapped = text.get("unmapped") or "reject"
    if unmapped not in UNMAPPED_CHOICES:
        raise MappingError(_where(parts["unmapped"], label), f"unmapped must be one of {', '.join(UNMAPPED_CHOICES)}, not {unmapped!r}")
    time_format, timezone = text.get("format"), text.get("timezone")
    if time_format or timezone:
        if spec.kind_of(target) != "timestamp":
            key = "format" if time_format else "timezone"
            raise MappingError(_where(parts[key], label), f"{spec.name}.columns.{target} is not a timestamp; {key} applies to timestamps only")
        if time_format:
            _check_time_format(time_format, _where(parts["format"], label))
        if timezone:
            _check_timezone(timezone, _where(parts["timezone"], label))
    join = text.get("join")
    if join is not None and target != "customer_id":
        raise MappingError(_where(parts["join"], label), f"join applies to customer_id only (it names how customers are matched), not to {target}")
    if join is not None and spec.name == "customers":
        raise MappingError(_where(parts["join"], label), "customers cannot be joined to themselves; join tickets or events")
    if bool(text.get("lookup")) != bool(text.get("value")):
        raise MappingError(where, f"{spec.name}.columns.{target}: lookup and value go together (lookup: users, value: email)")
    return FieldRule(
        target, where, path=text.get("field"), const=text.get("const"),
        value_map=_value_map(parts["map"], label, target) if "map" in parts else (),
        unmapped=unmapped, time_format=time_format, timezone=timezone,
        lookup=text.get("lookup"), lookup_value=text.get("value"), join=join, split=text.get("split"),
        optional=_flag(parts["optional"], label, "optional") if "optional" in parts else False,
    )


def _value_map(node: yaml.Node, label: str, target: str) -> tuple[tuple[str, str | None], ...]:
    pairs: list[tuple[str, str | None]] = []
    for key, _, value in _items(node, label, f"{target}.map"):
        for alternative in key.split("|"):
            pairs.append((alternative.strip(), _scalar(value, label, f"{target}.map.{key}")))
    return tuple(pairs)


def _check_time_format(time_format: str, where: Where) -> None:
    if time_format in EPOCH_FORMATS:
        return
    directives = re.findall(r"%(.)", time_format)
    bad = [d for d in directives if d not in TIME_DIRECTIVES]
    if not directives or bad:
        raise MappingError(
            where,
            f"timestamp format {time_format!r} is not a strptime format ({'unknown directive %' + bad[0] if bad else 'no % directive'}); "
            "use e.g. '%Y-%m-%d %H:%M:%S', or unix / unix_ms for epoch numbers",
        )


def _check_timezone(timezone: str, where: Where) -> None:
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise MappingError(where, f"unknown time zone {timezone!r}; use an IANA name such as Europe/Berlin or UTC") from exc


def uses_join(table: TableMapping) -> bool:
    """Whether this table resolves its customers through the warehouse (by email or another key)."""
    rule = table.field("customer_id")
    return bool(rule and rule.join)


__all__ = ["JOIN_EMAIL", "load_mapping", "ready_mappings", "resolve_mapping_path", "uses_join"]
