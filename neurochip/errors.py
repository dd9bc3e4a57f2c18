"""Errors a user can cause and fix; the CLI prints them as one line each, exit status 2."""

from __future__ import annotations

from dataclasses import dataclass


class NeurochipError(Exception):
    """An error caused by the user's input (file, parameter, trace), not by a bug."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a description file, located by file, line and key path."""

    file: str
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        key = f" {self.path}:" if self.path else ""
        return f"{where}:{key} {self.message}"


class DescriptionError(NeurochipError):
    """A chip or scenario description is wrong; holds every problem found, not only the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class TraceError(NeurochipError):
    """A trace file is missing, unreadable or not a neurochip trace."""
