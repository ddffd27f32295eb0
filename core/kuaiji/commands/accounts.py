"""Getting back into platform accounts: the recovery procedure of every platform on a
region's chain, and a check that a new password is not a known reset default.

A password given to :func:`check_password` is compared and forgotten: it never reaches a
record, a message, a log or an exception.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from kuaiji.commands.precheck import finding_dict, plugin_finding
from kuaiji.errors import InputError
from kuaiji.io.convert import unstructure
from kuaiji.model import clock
from kuaiji.model.context import Region
from kuaiji.model.results import AccountRecovery, Finding, Severity
from kuaiji.registry.manager import Registry, get_registry

PASSWORD_DEFAULT = "account.password_default"


def _region_dict(region: Region) -> dict[str, Any]:
    return {"code": region.code, "name": region.name, "chain": list(region.plugins)}


@attrs.frozen
class RecoveryPlan:
    """The recovery procedure of each platform on the region's chain, broadest first."""

    region: Region
    at: dt.datetime
    procedures: tuple[AccountRecovery, ...]
    problems: tuple[Finding, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "region": _region_dict(self.region),
            "at": clock.iso(self.at),
            "procedures": [unstructure(p) for p in self.procedures],
            "problems": [finding_dict(f) for f in self.problems],
        }


def account_recovery(
    region: str, *, at: dt.datetime | None = None, registry: Registry | None = None
) -> RecoveryPlan:
    """How to get back into every platform account of ``region`` (a code or a name)."""
    registry = registry or get_registry()
    resolved = registry.resolve(region, field="--region")
    moment = at.astimezone(clock.SHANGHAI) if at is not None else clock.now()
    result = registry.call(
        "kuaiji_account_recovery",
        resolved.plugins,
        AccountRecovery,
        region=resolved,
        on=moment.date(),
    )
    procedures = tuple(r for _, records in result.records for r in records)
    problems = tuple(plugin_finding(p) for p in result.problems)
    return RecoveryPlan(resolved, moment, procedures, problems)


@attrs.frozen
class PasswordCheck:
    """The verdict on a new password. Holds no trace of the password itself."""

    region: Region
    findings: tuple[Finding, ...]
    compared: tuple[str, ...]  # the platforms whose reset default was compared
    problems: tuple[Finding, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.findings and not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "region": _region_dict(self.region),
            "ok": self.ok,
            "compared_with_reset_defaults_of": list(self.compared),
            "findings": [finding_dict(f) for f in self.findings],
            "problems": [finding_dict(f) for f in self.problems],
        }


def check_password(
    password: str,
    region: str,
    *,
    at: dt.datetime | None = None,
    registry: Registry | None = None,
) -> PasswordCheck:
    """Refuse a new password equal (ignoring case) to a password that an office's reset
    sets on a platform of ``region`` (rule ``account.password_default``)."""
    if not password:
        raise InputError.single("password", "没有输入密码", "在标准输入中输入新密码")
    plan = account_recovery(region, at=at, registry=registry)
    findings = []
    compared = []
    for procedure in plan.procedures:
        if procedure.reset_default is None:
            continue
        compared.append(procedure.platform)
        if password.casefold() == procedure.reset_default.casefold():
            findings.append(
                Finding(
                    PASSWORD_DEFAULT,
                    Severity.ERROR,
                    f"该密码与{procedure.platform}由会计管理部门重置后的默认密码相同（不区分大小写），"
                    "这个默认密码是公开的，任何人都可能知道",
                    action="另设一个不属于任何已公开默认密码的新密码",
                    url=procedure.url,
                    source=procedure.source,
                    plugin=procedure.plugin,
                )
            )
    return PasswordCheck(plan.region, tuple(findings), tuple(compared), plan.problems)
