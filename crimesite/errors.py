"""Problems found in raw files, reported one line each."""

from __future__ import annotations

from dataclasses import dataclass

MAX_VALUE_CHARS = 60


@dataclass(frozen=True, order=True)
class Problem:
    """One thing in one raw file that the build cannot interpret."""

    file: str
    line: int
    column: str
    value: str
    expected: str

    def __str__(self) -> str:
        value = self.value if len(self.value) <= MAX_VALUE_CHARS else self.value[:MAX_VALUE_CHARS] + "..."
        return f"{printable(self.file)}:{self.line}: column {self.column}: value {value!r}: expected {self.expected}"

    def github_annotation(self) -> str:
        """The same problem as a GitHub Actions workflow command."""
        message = _escape_data(str(self))
        # A property value (the file name) must also escape the characters that separate properties.
        file = _escape_data(self.file).replace(":", "%3A").replace(",", "%2C")
        return f"::error file={file},line={self.line}::{message}"


def printable(name: str) -> str:
    """A file name as a terminal or a log can show it: control and bidirectional characters written as escapes
    (as repr() writes the value), so that a name cannot hide, reorder or colour the rest of the line."""
    return name if name.isprintable() else repr(name)[1:-1]


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


class DataError(ValueError):
    """Raised when raw files hold values the build cannot interpret; nothing is written."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__(f"{len(self.problems)} problem(s) in the raw files")


class FetchError(RuntimeError):
    """One or more files could not be fetched (one line each); the data folder was left as it was."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) fetching files")
