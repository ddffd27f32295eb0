"""kuaiji: is an accountant ready to register for China's accounting qualification exams
(初级 / 中级), and what exactly is left to do, where, and by when?

    import kuaiji
    candidate = kuaiji.load_candidate("wang.json")
    report = kuaiji.precheck(candidate, exam="intermediate", year=2026, base_dir=Path("."))
    report.verdict, report.to_dict()
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kuaiji.engine import (
        ChangePlan,
        Report,
        TransferPlan,
        Verdict,
        candidate_from_dict,
        load_candidate,
        parse_candidate,
        plan_change,
        plan_transfer,
        precheck,
    )
    from kuaiji.errors import DataError, InputError, KuaijiError, PluginError, Problem
    from kuaiji.hookspecs import hookimpl
    from kuaiji.models import Candidate
    from kuaiji.plugins import Registry, get_registry
    from kuaiji.records import ExamLevel

# Imported on first use (PEP 562): `import kuaiji.batch` or `kuaiji --help` need not load
# the engine, the plugins and their data.
_LAZY = {
    **dict.fromkeys(
        (
            "ChangePlan",
            "Report",
            "TransferPlan",
            "Verdict",
            "candidate_from_dict",
            "load_candidate",
            "parse_candidate",
            "plan_change",
            "plan_transfer",
            "precheck",
        ),
        "kuaiji.engine",
    ),
    **dict.fromkeys(
        ("DataError", "InputError", "KuaijiError", "PluginError", "Problem"), "kuaiji.errors"
    ),
    "hookimpl": "kuaiji.hookspecs",
    "Candidate": "kuaiji.models",
    "Registry": "kuaiji.plugins",
    "get_registry": "kuaiji.plugins",
    "ExamLevel": "kuaiji.records",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'kuaiji' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__version__ = "0.2.0"

__all__ = [
    "Candidate",
    "ChangePlan",
    "DataError",
    "ExamLevel",
    "InputError",
    "KuaijiError",
    "PluginError",
    "Problem",
    "Registry",
    "Report",
    "TransferPlan",
    "Verdict",
    "__version__",
    "candidate_from_dict",
    "get_registry",
    "hookimpl",
    "load_candidate",
    "parse_candidate",
    "plan_change",
    "plan_transfer",
    "precheck",
]
