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
    from kuaiji.commands.plans import ChangePlan, TransferPlan, plan_change, plan_transfer
    from kuaiji.commands.precheck import (
        Report,
        Verdict,
        candidate_from_dict,
        load_candidate,
        parse_candidate,
        precheck,
    )
    from kuaiji.errors import DataError, InputError, KuaijiError, PluginError, Problem
    from kuaiji.model.candidate import Candidate
    from kuaiji.model.results import ExamLevel
    from kuaiji.registry.hookspecs import hookimpl
    from kuaiji.registry.manager import Registry, get_registry

# Imported on first use (PEP 562): `import kuaiji.batch` or `kuaiji --help` need not load
# the engine, the plugins and their data.
_LAZY = {
    **dict.fromkeys(
        (
            "Report",
            "Verdict",
            "candidate_from_dict",
            "load_candidate",
            "parse_candidate",
            "precheck",
        ),
        "kuaiji.commands.precheck",
    ),
    **dict.fromkeys(
        ("ChangePlan", "TransferPlan", "plan_change", "plan_transfer"), "kuaiji.commands.plans"
    ),
    **dict.fromkeys(
        ("DataError", "InputError", "KuaijiError", "PluginError", "Problem"), "kuaiji.errors"
    ),
    "hookimpl": "kuaiji.registry.hookspecs",
    "Candidate": "kuaiji.model.candidate",
    "Registry": "kuaiji.registry.manager",
    "get_registry": "kuaiji.registry.manager",
    "ExamLevel": "kuaiji.model.results",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'kuaiji' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


from kuaiji._version import __version__  # noqa: E402

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
