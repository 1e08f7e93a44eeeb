"""Report definitions: one YAML file per report in `catalog/`, loaded and checked here.

A report is a definition, not a program: its sections name the marts they read, the columns they
show, their filters, order and cap, and the thresholds and targets they use (the format is
documented in docs/reports.md). A twelfth report of the same shape is a twelfth YAML file.

Everything is checked when the code location loads, against the dbt manifest's columns of each
mart, so a misspelt column or an unknown approval policy stops the load with one line naming the
report, the field and what is allowed, instead of failing a render at 6 a.m.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import yaml

from reporting_assets.reports.content import FORMATS as VALUE_FORMATS
from reporting_assets.reports.content import Column, Link

CATALOG = Path(__file__).parent / "catalog"
CADENCES = ("daily", "weekly")
SCOPES = ("all", "customer")
POLICIES = ("auto_release", "supervisor_above_threshold", "role_approval", "sign_off", "dual_approval")
SENSITIVITIES = ("internal", "confidential", "external")
FILE_FORMATS = ("html", "pdf", "xlsx")
KINDS = ("tiles", "table", "chart", "exceptions", "narrative")
MARKS = ("line", "bar")
BETTER = ("higher", "lower")
GRAINS = ("day", "week", "completed_week")  # completed_week: the ISO week just ended (weekly reports)
TILE_COLUMNS = ("kpi", "grain", "value", "previous", "trailing_avg", "month_to_date")


class DefinitionError(ValueError):
    """A report definition that cannot work; the message names the report, the field and what is allowed."""


@dataclass(frozen=True)
class TileSpec:
    kpi: str
    label: str
    format: str
    better: str
    target: float | None  # the value of the named target, resolved at load


@dataclass(frozen=True)
class Section:
    kind: str
    title: str
    source: str | None = None  # the mart in `marts` it reads
    columns: tuple[Column, ...] = ()
    sensitive: frozenset[str] = frozenset()  # columns only the variant for allowed roles shows
    filter: tuple[tuple[str, object], ...] = ()  # (column, value); the value "as_of" is the reporting date
    at_least: tuple[tuple[str, float], ...] = ()  # (column, lower bound)
    below: tuple[tuple[str, float], ...] = ()  # (column, upper bound, excluded)
    order_by: tuple[tuple[str, bool], ...] = ()  # (column, descending)
    limit: int | None = None
    link: Link | None = None
    owner: str | None = None
    tiles: tuple[TileSpec, ...] = ()
    grain: str = "day"
    chart: dict | None = None  # {"mark", "x", "y", "series"}


@dataclass(frozen=True)
class Report:
    id: str
    title: str
    description: str
    owner: str
    cadence: str
    scope: str
    approval: str
    audience: tuple[str, ...]
    sensitivity: str
    formats: tuple[str, ...]
    thresholds: dict
    sections: tuple[Section, ...]

    @property
    def marts(self) -> tuple[str, ...]:
        """The marts it reads: what its asset depends on."""
        return tuple(sorted({s.source for s in self.sections if s.source}))

    @property
    def has_sensitive_columns(self) -> bool:
        return any(s.sensitive for s in self.sections)


def mart_columns(manifest: dict) -> dict[str, set[str]]:
    """mart name -> its documented columns, from the dbt manifest (models under models/marts)."""
    return {
        node["name"]: set(node.get("columns") or {})
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["fqn"][1] == "marts"
    }


def load_catalog(manifest_path: Path, catalog: Path = CATALOG) -> dict[str, Report]:
    """Every report of the catalogue, checked; DefinitionError on the first problem."""
    marts = mart_columns(json.loads(manifest_path.read_text()))
    reports = {}
    for path in sorted(catalog.glob("*.yml")):
        try:
            raw = yaml.safe_load(path.read_text())
        except yaml.YAMLError as exc:
            raise DefinitionError(f"{path.name}: not valid YAML ({str(exc).splitlines()[0]})") from None
        report = parse_report(raw, path.stem, marts)
        reports[report.id] = report
    if not reports:
        raise DefinitionError(f"no report definitions in {catalog}")
    return reports


def parse_report(raw: object, name: str, marts: dict[str, set[str]]) -> Report:
    where = _Where(name)
    if not isinstance(raw, dict):
        raise DefinitionError(f"report {name}: the file must be a mapping of fields (id, title, sections...)")
    where.known(raw, "", {"id", "title", "description", "owner", "cadence", "scope", "approval", "audience",
                          "sensitivity", "formats", "thresholds", "targets", "sections"})  # fmt: skip
    if raw.get("id") != name:
        raise where.error("id", f"must equal the file name ({name!r}), not {raw.get('id')!r}")
    thresholds = where.numbers(raw, "thresholds")
    targets = where.numbers(raw, "targets")
    scope = where.choice(raw, "scope", SCOPES, "all")
    sections = raw.get("sections")
    if not isinstance(sections, list) or not sections:
        raise where.error("sections", "must be a non-empty list")
    return Report(
        id=name,
        title=where.text(raw, "title"),
        description=str(raw.get("description") or ""),
        owner=where.text(raw, "owner"),
        cadence=where.choice(raw, "cadence", CADENCES),
        scope=scope,
        approval=where.choice(raw, "approval", POLICIES),
        audience=tuple(where.texts(raw, "audience")),
        sensitivity=where.choice(raw, "sensitivity", SENSITIVITIES),
        formats=tuple(where.choices(raw, "formats", FILE_FORMATS)),
        thresholds=thresholds,
        sections=tuple(
            _section(s, f"sections[{i}]", where, marts, thresholds, targets, scope) for i, s in enumerate(sections)
        ),
    )


def _section(raw, field, where, marts, thresholds, targets, scope) -> Section:
    if not isinstance(raw, dict):
        raise where.error(field, "must be a mapping with kind and title")
    kind = where.choice(raw, "kind", KINDS, prefix=field)
    title = where.text(raw, "title", prefix=field)
    if kind == "narrative":
        where.known(raw, field, {"kind", "title"})
        return Section(kind, title)
    where.known(raw, field, {"kind", "title", "source", "columns", "filter", "at_least", "below", "order_by",
                             "limit", "link", "owner", "tiles", "grain", "mark", "x", "y", "series"})  # fmt: skip
    source = where.text(raw, "source", prefix=field)
    if source not in marts:
        raise where.error(f"{field}.source", f"{source!r} is not a mart (one of: {', '.join(sorted(marts))})")
    known = marts[source]

    def column(name: object, what: str) -> str:
        if name not in known:
            raise where.error(f"{field}.{what}", f"{name!r} is not a column of {source} ({', '.join(sorted(known))})")
        return str(name)

    if scope == "customer":
        column("customer_id", "source")  # every section of a customer report is cut to the customer
    if kind == "tiles":
        for needed in TILE_COLUMNS:
            column(needed, "source")
        tiles = raw.get("tiles")
        if not isinstance(tiles, list) or not tiles:
            raise where.error(f"{field}.tiles", "must be a non-empty list of {kpi, label, format, better}")
        return Section(
            kind,
            title,
            source,
            tiles=tuple(_tile(t, f"{field}.tiles[{i}]", where, targets) for i, t in enumerate(tiles)),
            grain=where.choice(raw, "grain", GRAINS, "day", prefix=field),
        )
    columns, sensitive = [], set()
    for i, c in enumerate(raw.get("columns") or []):
        if not isinstance(c, dict):
            raise where.error(f"{field}.columns[{i}]", "must be a mapping {name, label, format}")
        name = column(c.get("name"), f"columns[{i}].name")
        fmt = c.get("format", "text")
        if fmt not in VALUE_FORMATS:
            raise where.error(f"{field}.columns[{i}].format", f"{fmt!r} is not one of {', '.join(VALUE_FORMATS)}")
        columns.append(Column(name, str(c.get("label") or name), fmt))
        if c.get("sensitive"):
            sensitive.add(name)
    if not columns:
        raise where.error(f"{field}.columns", "must list the columns to show")
    filters = raw.get("filter") or {}
    order_by = []
    for item in raw.get("order_by") or []:
        descending = str(item).startswith("-")
        order_by.append((column(str(item).lstrip("-"), "order_by"), descending))
    limit = raw.get("limit")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
        raise where.error(f"{field}.limit", f"must be a positive whole number, not {limit!r}")
    link = raw.get("link")
    if link is not None:
        if not isinstance(link, dict) or not isinstance(link.get("model"), str):
            raise where.error(f"{field}.link", "must be {model: <odoo model>, id: <column>}")
        link = Link(link["model"], column(link.get("id"), "link.id"))
    chart = None
    if kind == "chart":
        chart = {
            "mark": where.choice(raw, "mark", MARKS, prefix=field),
            "x": column(raw.get("x"), "x"),
            "y": column(raw.get("y"), "y"),
            "series": column(raw["series"], "series") if raw.get("series") else None,
        }
    return Section(
        kind,
        title,
        source,
        columns=tuple(columns),
        sensitive=frozenset(sensitive),
        filter=tuple((column(k, f"filter.{k}"), v) for k, v in filters.items()),
        at_least=tuple(
            (column(k, f"at_least.{k}"), _bound(v, f"{field}.at_least.{k}", where, thresholds))
            for k, v in (raw.get("at_least") or {}).items()
        ),
        below=tuple(
            (column(k, f"below.{k}"), _bound(v, f"{field}.below.{k}", where, thresholds))
            for k, v in (raw.get("below") or {}).items()
        ),
        order_by=tuple(order_by),
        limit=limit,
        link=link,
        owner=column(raw["owner"], "owner") if raw.get("owner") else None,
        chart=chart,
    )


def _tile(raw, field, where, targets) -> TileSpec:
    if not isinstance(raw, dict):
        raise where.error(field, "must be a mapping {kpi, label, format, better}")
    where.known(raw, field, {"kpi", "label", "format", "better", "target"})
    target = raw.get("target")
    if target is not None and target not in targets:
        raise where.error(f"{field}.target", f"{target!r} is not in targets ({', '.join(targets) or 'none set'})")
    return TileSpec(
        kpi=where.text(raw, "kpi", prefix=field),
        label=where.text(raw, "label", prefix=field),
        format=where.choice(raw, "format", VALUE_FORMATS, prefix=field),
        better=where.choice(raw, "better", BETTER, prefix=field),
        target=targets.get(target) if target is not None else None,
    )


def _bound(value, field, where, thresholds) -> float:
    """A number, or `threshold:<name>` from the report's thresholds."""
    if isinstance(value, str) and value.startswith("threshold:"):
        name = value.split(":", 1)[1]
        if name not in thresholds:
            raise where.error(field, f"threshold {name!r} is not in thresholds ({', '.join(thresholds) or 'none'})")
        return thresholds[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise where.error(field, f"must be a number or threshold:<name>, not {value!r}")
    return float(value)


class _Where:
    """Reads fields of one report's YAML, raising DefinitionError that names the report and field."""

    def __init__(self, report: str):
        self.report = report

    def error(self, field: str, problem: str) -> DefinitionError:
        return DefinitionError(f"report {self.report}, {field}: {problem}")

    def known(self, raw: dict, prefix: str, allowed: set[str]) -> None:
        unknown = sorted(set(raw) - allowed)
        if unknown:
            raise self.error(
                prefix or unknown[0], f"unknown field {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})"
            )

    def text(self, raw: dict, key: str, prefix: str = "") -> str:
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.error(_join(prefix, key), "is required (text)")
        return value.strip()

    def texts(self, raw: dict, key: str) -> list[str]:
        value = raw.get(key)
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
            raise self.error(key, "must be a non-empty list of names")
        return value

    def choice(
        self, raw: dict, key: str, allowed: tuple[str, ...], default: str | None = None, prefix: str = ""
    ) -> str:
        value = raw.get(key, default)
        if value not in allowed:
            raise self.error(_join(prefix, key), f"{value!r} is not one of {', '.join(allowed)}")
        return value

    def choices(self, raw: dict, key: str, allowed: tuple[str, ...]) -> list[str]:
        values = raw.get(key)
        if not isinstance(values, list) or not values:
            raise self.error(key, f"must be a non-empty list of {', '.join(allowed)}")
        for value in values:
            if value not in allowed:
                raise self.error(key, f"{value!r} is not one of {', '.join(allowed)}")
        return values

    def numbers(self, raw: dict, key: str) -> dict[str, float]:
        values = raw.get(key) or {}
        if not isinstance(values, dict):
            raise self.error(key, "must be a mapping of names to numbers")
        for name, value in values.items():
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise self.error(f"{key}.{name}", f"must be a number, not {value!r}")
        return {str(k): float(v) for k, v in values.items()}


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key
