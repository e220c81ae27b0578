"""Logging of the CLI, the API and the nights: quiet libraries, and optional JSON lines.

- :func:`quiet_great_expectations`: Great Expectations logs ~200 INFO lines per import and
  validation (issue 15: each ingest task log was 214 lines of it); its warnings and errors stay.
- :func:`configure_logging`: ``CREDIT_LOG_FORMAT=json`` (settings ``log_format``) writes one JSON
  object per line to standard error (time, level, logger, message, and ``exc`` with a traceback
  when there is one) for a log collector; ``text`` (the default) leaves logging as it is. Under
  Airflow the task logs belong to Airflow, which is not changed here.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

JSON_HANDLER = "credit-json"


def quiet_great_expectations() -> None:
    """Great Expectations' loggers to WARNING. Some of its modules set their own logger to INFO
    when imported, so call this again after importing it (before its first use)."""
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if name.startswith("great_expectations.") and isinstance(logger, logging.Logger) \
                and logging.NOTSET < logger.level < logging.WARNING:
            logger.setLevel(logging.WARNING)


class JsonFormatter(logging.Formatter):
    """One JSON object per record: ``ts`` (UTC, ISO 8601), ``level``, ``logger``, ``message``, ``exc``."""

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage(),
        }
        if record.exc_info:
            doc["exc"] = self.formatException(record.exc_info)
        return json.dumps(doc, ensure_ascii=False, default=str)


def configure_logging(log_format: str, level: str = "INFO") -> None:
    """JSON lines on standard error when ``log_format`` is ``json`` (idempotent); else nothing."""
    quiet_great_expectations()
    if log_format != "json":
        return
    root = logging.getLogger()
    if any(h.get_name() == JSON_HANDLER for h in root.handlers):
        return
    for h in list(root.handlers):
        root.removeHandler(h)
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(JSON_HANDLER)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level.upper())
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)   # a line per plugin, every start
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):   # uvicorn's own handlers print text
        lg = logging.getLogger(name)
        lg.handlers.clear()
        lg.propagate = True
