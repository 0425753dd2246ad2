"""Safe YAML reading that keeps file:line:column for every node and rejects duplicate keys."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import yaml
from pydantic import BaseModel, ConfigDict

from decider.errors import Problem
from decider.rulebase.bounded import TooLarge, read_bytes, read_stream

Loc = tuple[str | int, ...]

MAX_NODES = 200_000
"""Bound on expanded nodes, so alias bombs ("billion laughs") fail fast instead of eating memory."""


_PLAIN_COLLECTIONS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


class _TooLarge(Exception):
    pass


class Position(BaseModel):
    """Where an item stands in its source file (1-based line and column)."""

    model_config = ConfigDict(frozen=True)

    path: str
    line: int
    column: int


class Document(BaseModel):
    """A parsed YAML document: plain data plus the position of every mapping key and item."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    path: str
    data: Any
    positions: dict[Loc, Position]

    def at(self, loc: Loc) -> Position:
        """The position of `loc`, or of its nearest located ancestor."""
        for cut in range(len(loc), -1, -1):
            found = self.positions.get(tuple(loc[:cut]))
            if found is not None:
                return found
        return Position(path=self.path, line=1, column=1)

    def problem(self, loc: Loc, message: str, item: str | None = None) -> Problem:
        pos = self.at(loc)
        return Problem(message=message, path=pos.path, line=pos.line, column=pos.column, item=item)

    def nested(self, key: str) -> "Document":
        """The value under top-level `key` as a document of its own, positions re-rooted (data None if absent)."""
        data = self.data.get(key) if isinstance(self.data, dict) else None
        positions = {loc[1:]: pos for loc, pos in self.positions.items() if loc[:1] == (key,) and len(loc) > 1}
        if (key,) in self.positions:
            positions[()] = self.positions[(key,)]
        return Document(path=self.path, data=data, positions=positions)


class _Builder:
    """Turns a composed node tree into data, recording positions and duplicate keys."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.positions: dict[Loc, Position] = {}
        self.problems: list[Problem] = []
        self.budget = MAX_NODES
        self._constructor = yaml.SafeLoader.__new__(yaml.SafeLoader)
        yaml.constructor.SafeConstructor.__init__(self._constructor)

    def _pos(self, node: yaml.Node) -> Position:
        mark = node.start_mark
        return Position(path=self.path, line=mark.line + 1, column=mark.column + 1)

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise _TooLarge
        self.positions.setdefault(loc, self._pos(node))
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in _PLAIN_COLLECTIONS:
            pos = self._pos(node)
            self.problems.append(Problem(message=f"YAML tag {node.tag!r} is not allowed (plain data only)",
                                         path=self.path, line=pos.line, column=pos.column))
            return None
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            spelled: dict[Any, str] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    pos = self._pos(key_node)
                    self.problems.append(
                        Problem(message="YAML merge keys (<<) are not supported", path=self.path,
                                line=pos.line, column=pos.column)
                    )
                    continue
                key = self.build(key_node, loc)
                if isinstance(key, (dict, list)):
                    pos = self._pos(key_node)
                    self.problems.append(
                        Problem(message="a mapping key must be a plain value", path=self.path,
                                line=pos.line, column=pos.column)
                    )
                    continue
                text = str(key_node.value)
                if not isinstance(key, (str, int)):  # null, a fraction, a date: no key decider reads is one
                    pos = self._pos(key_node)
                    shown = text or "null"
                    self.problems.append(Problem(
                        message=f"key {shown!r} reads as {_kind_of(key)}; "
                                "a mapping key must be a name (put it in quotes to keep it as written)",
                        path=self.path, line=pos.line, column=pos.column, item=shown))
                    continue
                if key in result:
                    pos = self._pos(key_node)
                    first = self.positions.get((*loc, key))
                    where = f" (first at line {first.line})" if first else ""
                    message = f"duplicate key {key!r}{where}"
                    if spelled[key] != text:  # 1 and true, or 1 and 1.0, read as one value
                        message = f"key {text!r} reads as the same value as key {spelled[key]!r}{where}"
                    self.problems.append(Problem(message=message, path=self.path, line=pos.line, column=pos.column,
                                                 item=text))
                    continue
                spelled[key] = text
                self.positions[(*loc, key)] = self._pos(key_node)
                result[key] = self.build(value_node, (*loc, key))
            return result
        if isinstance(node, yaml.SequenceNode):
            items = []
            for index, item_node in enumerate(node.value):
                self.positions[(*loc, index)] = self._pos(item_node)
                items.append(self.build(item_node, (*loc, index)))
            return items
        try:
            return self._constructor.construct_object(node, deep=True)
        except ValueError as exc:  # e.g. an integer of more than 4,300 digits
            pos = self._pos(node)
            self.problems.append(Problem(message=f"YAML value: {str(exc).split(';')[0]}", path=self.path,
                                         line=pos.line, column=pos.column))
            return None


_INT, _FLOAT = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_DECIMAL = {
    _INT: re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$"),
    _FLOAT: re.compile(r"""^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?
    |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))$""", re.X),
}
"""PyYAML's (YAML 1.1) number patterns without octal (010 = 8), hexadecimal, binary and base-60 (1:30 = 90)."""


def _kind_of(value: object) -> str:
    """What a YAML scalar that is no name reads as, in plain words."""
    if value is None:
        return "null"
    if isinstance(value, datetime.date):
        return "a date"
    if isinstance(value, float):
        return "a number with a fraction"
    return f"a {type(value).__name__}"


def _decimal_numbers(loader: type[Any]) -> type[Any]:
    """`loader` reading only decimal numbers as numbers: the YAML 1.1 forms above stay text, which the one
    number reader (decider.rulebase.numbers.read_number) reads or refuses, so `010` in an answers file
    means what typing 010 means."""
    resolvers = {first: [(tag, _DECIMAL.get(tag, pattern)) for tag, pattern in entries]
                 for first, entries in loader.yaml_implicit_resolvers.items()}
    return type(f"Decimal{loader.__name__}", (loader,), {"yaml_implicit_resolvers": resolvers})


_SAFE_LOADER = _decimal_numbers(yaml.SafeLoader)
_FAST_LOADER = _decimal_numbers(yaml.CSafeLoader) if hasattr(yaml, "CSafeLoader") else None


def _compose(text: str) -> yaml.Node | None:
    """The node tree of one document: libyaml's composer when PyYAML has it (several times faster;
    same safe resolver, same line/column marks), the pure-Python one otherwise. A document libyaml
    rejects is composed again by the pure-Python loader so every error message stays the same."""
    _check_item_count(text)
    if _FAST_LOADER is not None:
        try:
            return yaml.compose(text, Loader=_FAST_LOADER)
        except (yaml.YAMLError, ValueError, RecursionError):
            pass
    return yaml.compose(text, Loader=_SAFE_LOADER)


def _check_item_count(text: str) -> None:
    """Raise _TooLarge once the document's events pass MAX_NODES items, before any node tree is built
    (composing a 20 MB list took 1.7 GB before the builder's cap applied). Syntax errors are left to
    the composer, which reports them with positions. Each item takes at least two characters, so
    shorter texts are not scanned (aliases are counted as the builder expands them)."""
    if len(text) <= 2 * MAX_NODES:
        return
    items = 0
    try:
        for event in yaml.parse(text, Loader=_FAST_LOADER or _SAFE_LOADER):
            if isinstance(event, (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent, yaml.AliasEvent)):
                items += 1
                if items > MAX_NODES:
                    raise _TooLarge()
    except (yaml.YAMLError, ValueError, RecursionError):
        return


def parse_yaml(text: str, path: str) -> Document:
    """Parse one YAML (or JSON) document; raise nothing but return problems via ValueError."""
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        detail = exc.problem or exc.context or "invalid YAML"
        raise SourceError([Problem(message=f"YAML syntax: {detail}", path=path, line=line, column=column)]) from None
    except yaml.YAMLError as exc:
        raise SourceError([Problem(message=f"YAML syntax: {exc}", path=path)]) from None
    except (ValueError, RecursionError) as exc:
        raise SourceError([Problem(message=f"cannot read: {exc}", path=path)]) from None
    except _TooLarge:
        raise SourceError([Problem(message=f"document expands to more than {MAX_NODES} items", path=path)]) from None
    if node is None:
        return Document(path=path, data=None, positions={(): Position(path=path, line=1, column=1)})
    builder = _Builder(path)
    try:
        data = builder.build(node, ())
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        raise SourceError([
            Problem(message=f"YAML value: {exc.problem}", path=path,
                    line=mark.line + 1 if mark else None, column=mark.column + 1 if mark else None)
        ]) from None
    except RecursionError:
        raise SourceError([Problem(message="nesting too deep", path=path)]) from None
    except _TooLarge:
        raise SourceError([Problem(message=f"document expands to more than {MAX_NODES} items", path=path)]) from None
    if builder.problems:
        raise SourceError(builder.problems)
    return Document(path=path, data=data, positions=builder.positions)


def read_yaml_stream(handle: IO[bytes], display: str) -> Document:
    """Read and parse a stream (stdin), at most MAX_DOCUMENT_BYTES of it."""
    return parse_yaml(_text(lambda: read_stream(handle), display), display)


def read_yaml(path: Path, display: str | None = None) -> Document:
    """Read and parse a file, turning I/O and encoding failures into located problems."""
    shown = display or str(path)
    return parse_yaml(_text(lambda: read_bytes(path), shown), shown)


def _text(read: Callable[[], bytes], shown: str) -> str:
    """The UTF-8 text `read` returns; size, encoding and I/O failures become located problems."""
    try:
        return read().decode("utf-8")
    except TooLarge as exc:
        raise SourceError([Problem(message=str(exc), path=shown)]) from None
    except UnicodeDecodeError as exc:
        raise SourceError([Problem(message=f"not UTF-8 text ({exc.reason} at byte {exc.start})", path=shown)]) from None
    except OSError as exc:
        raise SourceError([Problem(message=f"cannot read: {exc.strerror or exc}", path=shown)]) from None


class SourceError(Exception):
    """Problems found while reading a source file; callers wrap them into their own error type."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
