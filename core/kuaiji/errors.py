"""Exceptions that kuaiji raises on purpose.

Every one of them names what is wrong and how to fix it; the CLI turns them into
a message and an exit code, never a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs


@attrs.frozen
class Problem:
    """One thing wrong with an input: where (a JSON path such as ``education[0].level``),
    what, and how to fix it; shown as ``where：what；fix`` (Chinese punctuation)."""

    path: str
    message: str
    fix: str | None = None

    def __str__(self) -> str:
        where = f"{self.path}：" if self.path else ""
        fix = f"；{self.fix}" if self.fix else ""
        return f"{where}{self.message}{fix}"


class KuaijiError(Exception):
    """Base class of kuaiji's own errors."""


class InputError(KuaijiError):
    """Bad input: a candidate document, a region, a time or an argument.

    ``source`` is the file (or ``<stdin>``) the input came from, when known.
    The CLI exits with code 2 on this error.
    """

    def __init__(self, problems: Sequence[Problem], source: str | None = None) -> None:
        self.problems = tuple(problems)
        self.source = source
        super().__init__(self.describe())

    @classmethod
    def single(
        cls, path: str, message: str, fix: str | None = None, source: str | None = None
    ) -> InputError:
        return cls([Problem(path, message, fix)], source=source)

    def with_source(self, source: str) -> InputError:
        return InputError(self.problems, source=source)

    def describe(self) -> str:
        head = f"{self.source}：" if self.source else ""
        if len(self.problems) == 1:
            return f"{head}{self.problems[0]}"
        lines = [f"{head}共 {len(self.problems)} 处问题："]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


class DataError(KuaijiError):
    """A plugin's data file does not load: the message names the file and the entry."""


class PluginError(KuaijiError):
    """A plugin failed (at load time or in a hook). The CLI exits with code 3."""

    def __init__(self, plugin: str, message: str) -> None:
        self.plugin = plugin
        super().__init__(f"插件 {plugin!r}：{message}")


class BundleError(KuaijiError):
    """A rules bundle that cannot be used (unreachable, tampered, too large, invalid).
    The cache is left as it was. The CLI exits with code 1 (2 for a URL that is not https)."""

    def __init__(self, message: str, *, usage: bool = False) -> None:
        super().__init__(message)
        self.usage = usage
