"""Where rendered report versions are kept: a directory by default (REPORTING_REPORTS_DIR).

The layout is one folder per version, `<report>/<as_of>/<scope>/<variant>-<version>/`, holding
the files (report.html, report.pdf, report.xlsx) and `manifest.json`. A version is written once:
the same content gives the same version, so rendering it again finds it there and keeps the first
files (their generated-at is when the version first existed). `ReportStore` is the small interface
an object store can implement later.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Protocol


class ReportStore(Protocol):
    def save(self, folder: str, files: dict[str, bytes], manifest: dict) -> str:
        """Keep a version's files and manifest under `folder`; returns where they are."""
        ...

    def manifest(self, folder: str) -> dict | None:
        """The manifest of the version kept under `folder`, or None."""
        ...

    def where(self, folder: str) -> str:
        """Where a person finds the version kept under `folder` (a path, a URL)."""
        ...


class DirectoryStore:
    def __init__(self, root: str | Path):
        self.root = Path(root)

    def where(self, folder: str) -> str:
        return str(self.root / folder)

    def save(self, folder: str, files: dict[str, bytes], manifest: dict) -> str:
        target = self.root / folder
        if (target / "manifest.json").exists():  # this version exists: it is not written twice
            return str(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written beside it and renamed into place: a reader never sees half a version.
        staging = Path(tempfile.mkdtemp(prefix=".partial-", dir=target.parent))
        for name, data in files.items():
            (staging / name).write_bytes(data)
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))
        try:
            os.rename(staging, target)
        except OSError:  # another process wrote the same version meanwhile: keep theirs
            for path in staging.iterdir():
                path.unlink()
            staging.rmdir()
        return str(target)

    def manifest(self, folder: str) -> dict | None:
        path = self.root / folder / "manifest.json"
        return json.loads(path.read_text()) if path.exists() else None
