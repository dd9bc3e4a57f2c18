"""Safe YAML reading that remembers where each key stood.

Only YAML's plain data types are built (``yaml.SafeLoader``): a description never
runs code. The node tree is walked once to map every key path to its line, so that a
problem can be reported as ``file:line: key.path: message``, and to reject keys that
are written twice (which PyYAML would otherwise silently let the last one win).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..errors import DescriptionError, Problem

KeyPath = tuple[str | int, ...]


def format_path(path: KeyPath) -> str:
    """``('cores', 0, 'neurons', 'tau')`` -> ``cores[0].neurons.tau``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


class YamlDocument:
    """A parsed YAML file: its data, its text, and the line of every key path."""

    def __init__(self, path: Path, text: str | None = None):
        """Read ``path``, or parse ``text`` (a copy kept elsewhere, e.g. in a trace) under that name."""
        self.path = Path(path)
        self.name = str(path)
        if text is not None:
            self.text = text
        else:
            try:
                self.text = self.path.read_text(encoding="utf-8")
            except FileNotFoundError:
                raise DescriptionError([Problem(self.name, "", "file not found")]) from None
            except (OSError, UnicodeDecodeError) as error:
                raise DescriptionError([Problem(self.name, "", f"cannot read file: {error}")]) from None
        try:
            node = yaml.compose(self.text, Loader=yaml.SafeLoader)
            self.data: Any = yaml.safe_load(self.text)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            reason = getattr(error, "problem", None) or str(error)
            raise DescriptionError([Problem(self.name, "", f"not valid YAML: {reason}", line)]) from None
        self.lines: dict[KeyPath, int] = {}
        duplicates: list[Problem] = []
        if node is not None:
            self._walk(node, (), duplicates)
        if duplicates:
            raise DescriptionError(duplicates)
        if not isinstance(self.data, dict):
            raise DescriptionError([Problem(self.name, "", "expected a mapping of keys at the top level")])

    def _walk(self, node: yaml.Node, path: KeyPath, duplicates: list[Problem]) -> None:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                key = key_node.value
                if key in seen:
                    duplicates.append(Problem(self.name, format_path(path + (key,)),
                                              "key written twice", key_node.start_mark.line + 1))
                seen.add(key)
                self._walk(value_node, path + (key,), duplicates)
                self.lines[path + (key,)] = key_node.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._walk(item, path + (index,), duplicates)

    def line_of(self, path: KeyPath) -> int | None:
        """The line of ``path``, or of its nearest ancestor written in the file."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get(())

    def problem(self, path: KeyPath, message: str) -> Problem:
        return Problem(self.name, format_path(path), message, self.line_of(path))
