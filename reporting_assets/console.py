"""What `reporting` prints while a run goes: the progress lines of our own code, one per line.

Dagster's console logger prints every engine event (step started, handled
output, ...) and, on failure, the whole chain of stack traces, 80-110 lines
before the one line that says what is wrong. On the terminal `reporting` shows
only what the assets themselves log (`context.log`, the `reporting_assets`
Python loggers: progress, notices, retries) and, at the end, one line per
error; everything, traces included, stays in the run's logs in the Dagster
instance (the UI shows them), and `--verbose` brings Dagster's logger back.
"""

from __future__ import annotations

import logging
import sys

import dagster as dg
from dagster._core.log_manager import LOG_RECORD_METADATA_ATTR

from reporting_assets.settings import get_settings


class _OwnMessages(logging.Filter):
    """Records logged by our code: they carry Dagster's metadata without an engine event."""

    def filter(self, record: logging.LogRecord) -> bool:
        meta = getattr(record, LOG_RECORD_METADATA_ATTR, None)
        return meta is not None and meta.get("dagster_event") is None


class _Line(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        message = get_settings().redact(getattr(record, LOG_RECORD_METADATA_ATTR)["orig_message"])
        return f"warning: {message}" if record.levelno >= logging.WARNING else f"  {message}"


@dg.logger(description="`reporting`'s terminal: our own progress lines, without engine events or traces.")
def progress_logger(_init_context) -> logging.Logger:
    logger = logging.Logger("reporting.progress", level=logging.INFO)
    handler = logging.StreamHandler(sys.stdout)
    handler.addFilter(_OwnMessages())
    handler.setFormatter(_Line())
    logger.addHandler(handler)
    return logger
