"""Render one report for one reporting date (and customer): the steps, in order, with their reasons.

1. Check that the marts hold that date: they hold one `as_of` at a time, and a report of another
   day's figures must not be produced.
2. Read each section from its mart (`query.py`), once per variant: `full`, and `restricted`
   without the sensitive columns when the report has any (one variant per sensitivity level).
3. A report with no data at all is not produced.
4. The version is the SHA-256 of what a reader sees, without the moment it was rendered: the
   content (every figure, the data-quality status, the data's age) and the renderer's own source
   (templates included). The same marts give the same version; any change of data gives another.
5. Render the formats and keep them with a manifest in the store; an existing version is not
   written again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from reporting_assets.reports import query
from reporting_assets.reports.content import ReportContent
from reporting_assets.reports.definition import Report
from reporting_assets.reports.store import ReportStore
from reporting_assets.warehouse.base import Warehouse

RENDERER = Path(__file__).parent


@dataclass(frozen=True)
class Rendered:
    """One version kept in the store."""

    report_id: str
    variant: str
    version: str
    location: str
    manifest: dict


@dataclass(frozen=True)
class Context:
    """What a render needs besides the marts: given by the caller (the asset or the CLI)."""

    odoo_url: str
    checks: str  # data-quality status of the marts read: "passed", or the failed checks
    raw_tables: tuple[str, ...]  # the raw tables the report depends on, for "data as of"
    definitions: dict[str, str]  # column -> its definition (the dbt docs)


def render_report(
    wh: Warehouse,
    store: ReportStore,
    report: Report,
    as_of: str,
    context: Context,
    customer: tuple[int, str] | None = None,
) -> list[Rendered]:
    from reporting_assets.reports.render import render

    query.check_as_of(wh, report, as_of)
    scope = f"customer-{customer[0]}" if customer else "all"
    generated_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    data_as_of = query.data_as_of(wh, list(context.raw_tables))
    variants = [("full", True)] + ([("restricted", False)] if report.has_sensitive_columns else [])
    kept = []
    for variant, sensitive in variants:
        sections = tuple(
            query.section_content(wh, s, as_of, customer[0] if customer else None, sensitive) for s in report.sections
        )
        content = ReportContent(
            report_id=report.id,
            title=report.title,
            as_of=as_of,
            scope=customer[1] if customer else "all",
            generated_at=generated_at,
            data_as_of=data_as_of,
            checks=context.checks,
            sensitivity=report.sensitivity if sensitive else f"{report.sensitivity}, without margin and cost",
            odoo_url=context.odoo_url,
            sections=sections,
            definitions=_definitions(sections, context.definitions),
        )
        if content.empty:
            return []
        version = version_of(content)
        folder = f"{report.id}/{as_of}/{scope}/{variant}-{version[:12]}"
        manifest = store.manifest(folder)
        if manifest is None:
            content = dataclasses.replace(content, version=version[:12])
            files = {f"report.{fmt}": data for fmt, data in render(content, report.formats).items()}
            store.save(folder, files, _manifest(report, content, variant, version, files))
            manifest = store.manifest(folder)  # another process's, should it have won the race
        kept.append(Rendered(report.id, variant, version[:12], store.where(folder), manifest))
    return kept


def render_all(wh: Warehouse, store: ReportStore, report: Report, as_of: str, context: Context) -> list[Rendered]:
    """Every version of one reporting date: the report, or one per customer for a customer report
    (the customers of its first section's mart)."""
    if report.scope != "customer":
        return render_report(wh, store, report, as_of, context)
    source = next(s.source for s in report.sections if s.source)
    return [r for c in query.customers(wh, source) for r in render_report(wh, store, report, as_of, context, c)]


def version_of(content: ReportContent) -> str:
    """SHA-256 of the content without the render time, and of the renderer's source."""
    seen = dataclasses.asdict(dataclasses.replace(content, generated_at="", version=""))
    digest = hashlib.sha256(json.dumps(seen, sort_keys=True, default=str).encode())
    digest.update(renderer_fingerprint().encode())
    return digest.hexdigest()


@cache
def renderer_fingerprint() -> str:
    """The templates and rendering code: a changed template makes new versions."""
    digest = hashlib.sha256()
    for path in sorted((RENDERER / "render").rglob("*.py")) + sorted((RENDERER / "templates").rglob("*")):
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _definitions(sections, known: dict[str, str]) -> tuple[tuple[str, str], ...]:
    shown = {}
    for section in sections:
        for column in section.columns:
            if column.name in known and column.label not in shown:
                shown[column.label] = known[column.name]
    return tuple(sorted(shown.items()))


def _manifest(report: Report, content: ReportContent, variant: str, version: str, files: dict[str, bytes]) -> dict:
    return {
        "report": report.id,
        "title": report.title,
        "variant": variant,
        "version": version,
        "as_of": content.as_of,
        "scope": content.scope,
        "generated_at": content.generated_at,
        "data_as_of": content.data_as_of,
        "checks": content.checks,
        "approval": report.approval,
        "audience": list(report.audience),
        "sensitivity": content.sensitivity,
        "headline": {t.label: t.value for s in content.sections for t in s.tiles},
        "exceptions": {s.title: s.total_rows for s in content.sections if s.kind == "exceptions"},
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }
