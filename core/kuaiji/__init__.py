"""kuaiji: is an accountant ready to register for China's accounting qualification exams
(初级 / 中级), and what exactly is left to do, where, and by when?

    import kuaiji
    candidate = kuaiji.load_candidate("wang.json")
    report = kuaiji.precheck(candidate, exam="intermediate", year=2026, base_dir=Path("."))
    report.verdict, report.to_dict()
"""

from __future__ import annotations

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

__version__ = "0.1.0"

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
