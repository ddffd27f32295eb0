"""Batch prechecks: thousands to a million candidates, streamed, in order, in parallel.

Input: JSON Lines (one candidate a line), a spreadsheet — CSV (UTF-8 with or without a BOM,
or GBK/GB18030 as Excel saves it in China; detected) or an Excel ``.xlsx`` workbook (its
first sheet; needs openpyxl, ``pip install "kuaiji[xlsx]"``) with one candidate a row and the
columns named by field path or in Chinese (:data:`ALIASES`) — or a folder of candidate JSON
files. Output: one result per input record, in input order, as JSON Lines (stable English
keys) or as a table for people (CSV, UTF-8 with a BOM for Excel, or ``.xlsx``) with Chinese
headers and, per finding, what to do, by when and where. A record that cannot be read or
checked becomes an ``error`` result naming its line or row and the reason; the batch goes
on. Records in = records out. Every result says which kuaiji and which rule data produced it.

Work is cut into chunks that worker processes check (each builds the plugin registry once);
at most a few chunks are in flight, so memory does not grow with the input.
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any

PARTS = ("options", "columns", "inputs", "output", "check", "pool")


def __getattr__(name: str) -> Any:
    """Before 0.2.0 the batch was one module: ``kuaiji.batch.run`` etc. still resolve, with a
    ``DeprecationWarning`` naming the module that now holds the name (until 0.3.0)."""
    for part in PARTS:
        module = importlib.import_module(f"kuaiji.batch.{part}")
        if hasattr(module, name) and not name.startswith("__"):
            warnings.warn(
                f"kuaiji.batch.{name} 已移动到 kuaiji.batch.{part} — "
                f"kuaiji.batch.{name} moved to kuaiji.batch.{part}; the old path goes in 0.3.0",
                DeprecationWarning,
                stacklevel=2,
            )
            return getattr(module, name)
    raise AttributeError(f"module 'kuaiji.batch' has no attribute {name!r}")
