"""The hook contract between the core and province plugins.

A plugin is a module (or object) registered under the ``kuaiji`` entry-point group whose
functions are marked with :data:`kuaiji.hookimpl` and named like the specs below. Each
spec's docstring is its contract. Hooks return small frozen records from
:mod:`kuaiji.records`, never dicts.

The core calls the *check* and *plan* hooks only on the plugins of the candidate's region
chain (``national → guangdong → shenzhen`` for 440305), broadest first, one plugin at a
time, so a plugin that fails is named and the others still answer. A more specific
plugin's record replaces a broader one's with the same key (rule id, step id, field);
:func:`kuaiji_rule_overrides` replaces or waives broader rules.

Example::

    from kuaiji import hookimpl
    from kuaiji.records import Finding, Severity

    @hookimpl
    def kuaiji_collection(ctx):
        if ctx.candidate.email and len(ctx.candidate.email) > 50:
            return [Finding("collection.email", Severity.ERROR, "电子邮箱超过 50 个字符")]
        return []
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import pluggy

from kuaiji.records import (
    AccountRecovery,
    ChangeDecision,
    Contact,
    FieldChange,
    Finding,
    Jurisdiction,
    Override,
    RuleDoc,
    Schedule,
    Step,
    TransferStep,
)

if TYPE_CHECKING:
    import datetime as dt

    from kuaiji.context import Context, Move, Region

PROJECT = "kuaiji"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# --- what a plugin covers (called on every plugin once, when the registry is built) ---


@hookspec
def kuaiji_jurisdictions() -> Sequence[Jurisdiction]:
    """The regions this plugin serves: code prefix, name and aliases, parent, platforms.

    Usually ``return DATA.jurisdictions`` with ``DATA = PluginData(name, __package__)``.
    """


@hookspec
def kuaiji_schedules() -> Sequence[Schedule]:
    """The exam schedules this plugin's data gives (usually ``return DATA.schedules``)."""


@hookspec
def kuaiji_rule_overrides() -> Sequence[Override]:
    """Broader rules this plugin replaces or waives in its regions, by rule id.

    E.g. Shenzhen replaces ``photo.spec`` by ``photo.receipt_code``.
    """


@hookspec
def kuaiji_contacts() -> Sequence[Contact]:
    """The finance bureaus' accounting offices in this plugin's regions, with phones and
    addresses, by the GB/T 2260 code each serves (``kuaiji contacts REGION``)."""


@hookspec
def kuaiji_rules() -> Sequence[RuleDoc]:
    """Every rule id this plugin may report, documented (services key on rule ids)."""


# --- checks (called on the candidate's region chain) ---


@hookspec
def kuaiji_registration(ctx: Context) -> Sequence[Finding]:
    """Account and identity on the platforms: name, ID, phone, national account."""


@hookspec
def kuaiji_account_recovery(region: Region, on: dt.date) -> Sequence[AccountRecovery]:
    """How to get back into each platform account this plugin knows in ``region`` on ``on``
    (forgotten password, lost email), and the password an office's reset sets."""


@hookspec
def kuaiji_collection(ctx: Context) -> Sequence[Finding]:
    """The accountant record: fields, photo, attachments, approval, cutoffs."""


@hookspec
def kuaiji_exam_precheck(ctx: Context) -> Sequence[Finding]:
    """Exam-specific gates: eligibility, work years, continuing education, the window."""


@hookspec
def kuaiji_timeline(ctx: Context) -> Sequence[Step]:
    """The candidate's steps for this exam, with their windows; ``done`` where known."""


# --- plans (called on the region chain; transfer on both the origin's and the destination's) ---


@hookspec
def kuaiji_change(ctx: Context, changes: Sequence[FieldChange]) -> Sequence[ChangeDecision]:
    """For each requested change of the record: allowed or refused, why, where and how."""


@hookspec
def kuaiji_transfer(ctx: Context, move: Move) -> Sequence[TransferStep]:
    """The steps to move the record from ``move.origin`` to ``move.destination``."""


def declared(
    rules: Sequence[RuleDoc] = (), overrides: Sequence[Override] = ()
) -> tuple[Callable[[], Sequence[RuleDoc]], Callable[[], Sequence[Override]]]:
    """The two hooks whose answer is a constant of the plugin::

    kuaiji_rules, kuaiji_rule_overrides = declared(RULES, OVERRIDES)
    """

    @hookimpl
    def kuaiji_rules() -> Sequence[RuleDoc]:
        return rules

    @hookimpl
    def kuaiji_rule_overrides() -> Sequence[Override]:
        return overrides

    return kuaiji_rules, kuaiji_rule_overrides
