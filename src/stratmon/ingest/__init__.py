"""Ingest: read CSV/JSON/Parquet files, validate them, match executions into round trips.

Public surface: :func:`parse_file` (one file -> :class:`IngestBatch` or
:class:`~stratmon.errors.FileRejectedError`), :func:`read_table`, :func:`detect_kind`,
:func:`file_sha256`, :func:`parse_expectations`, :func:`parse_strategies`,
:class:`FifoMatcher`, and the inbox helpers :func:`list_inbox`, :func:`reject`, :func:`archive`.
"""

from stratmon.ingest.batch import FileKind, IngestBatch, IngestRecord
from stratmon.ingest.calendar import is_session, sessions_between
from stratmon.ingest.context import IngestContext, InMemoryView, StoredView
from stratmon.ingest.inbox import archive, list_inbox, reject
from stratmon.ingest.kinds import detect_kind
from stratmon.ingest.matching import FifoMatcher
from stratmon.ingest.parse import parse_file
from stratmon.ingest.readers import file_sha256, read_table
from stratmon.ingest.registry import parse_expectations, parse_strategies

__all__ = [
    "FifoMatcher",
    "FileKind",
    "InMemoryView",
    "IngestBatch",
    "IngestContext",
    "IngestRecord",
    "StoredView",
    "archive",
    "detect_kind",
    "file_sha256",
    "is_session",
    "list_inbox",
    "parse_expectations",
    "parse_file",
    "parse_strategies",
    "read_table",
    "reject",
    "sessions_between",
]
