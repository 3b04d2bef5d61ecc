"""Errors a user can cause. Every message says what was wrong, where, and what to do."""

from __future__ import annotations

from dataclasses import dataclass


class StratmonError(Exception):
    """Base class of every error stratmon raises on purpose."""


class ConfigError(StratmonError):
    """The workspace or its ``stratmon.toml`` is missing or invalid."""


class WorkspaceNotFoundError(ConfigError):
    """No workspace at the given path, in ``$STRATMON_WORKSPACE`` or above the current directory."""


class UnknownStrategyError(StratmonError):
    """A strategy id that is not registered."""


@dataclass(frozen=True, slots=True)
class ValidationIssue:
    """One broken rule in one input file.

    ``row`` is the 1-based data row (the header is row 0) or ``None`` for a file-level issue.
    """

    file: str
    row: int | None
    column: str | None
    value: object
    rule: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}"
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
        shown = "" if self.value is None else f", value {self.value!r}"
        return f"{where}{shown}: [{self.rule}] {self.message}"


class FileRejectedError(StratmonError):
    """An input file broke at least one validation rule; it is rejected whole."""

    @classmethod
    def single(
        cls,
        file: str,
        rule: str,
        message: str,
        *,
        value: object = None,
        row: int | None = None,
        column: str | None = None,
    ) -> FileRejectedError:
        """A rejection for one file-level (or one-cell) problem."""
        return cls(file, [ValidationIssue(file, row, column, value, rule, message)])

    def __init__(self, file: str, issues: list[ValidationIssue]) -> None:
        self.file = file
        self.issues = issues
        head = "\n".join(f"  - {i}" for i in issues[:50])
        more = f"\n  ... and {len(issues) - 50} more" if len(issues) > 50 else ""
        super().__init__(
            f"{file} was rejected ({len(issues)} problem(s)); nothing from it was stored.\n"
            f"{head}{more}\nFix the file and drop it into the inbox again."
        )
