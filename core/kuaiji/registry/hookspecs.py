"""The hook contract between the core and province plugins.

A plugin is a module (or object) registered under the ``kuaiji`` entry-point group whose
functions are marked with ``hookimpl`` and named like the specs below; plugin authors import
everything from :mod:`kuaiji.plugin`. Each spec's docstring is its contract, ending with its
merge rule: how the answers of broader and narrower plugins on a chain combine. Hooks return
small frozen records, never dicts.

The core calls the *check* and *plan* hooks only on the plugins of the candidate's region
chain (``national → guangdong → shenzhen`` for 440305), broadest first, one plugin at a
time, so a plugin that fails is named and the others still answer.

Example::

    from kuaiji.plugin import Finding, Severity, hookimpl

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

from kuaiji.model.results import (
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

    from kuaiji.model.context import Context, Move, Region

PROJECT = "kuaiji"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

API_VERSION = "1.0"
"""The plugin API's version (re-exported by :mod:`kuaiji.plugin`): the hookspecs, the records
and the helpers plugins use. A change that breaks plugins bumps the major; a hook or argument
on its way out first warns through pluggy (``warn_on_impl``) for one minor release."""


def supports(declared: object) -> bool:
    """Whether a plugin's ``KUAIJI_API`` (the major versions it supports, e.g. ``"1"`` or
    ``"1,2"``) includes this core's major version."""
    if not isinstance(declared, str):
        return False
    majors = {part.strip().split(".")[0] for part in declared.split(",")}
    return API_VERSION.split(".")[0] in majors


# --- what a plugin covers (called on every plugin once, when the registry is built) ---


@hookspec
def kuaiji_jurisdictions() -> Sequence[Jurisdiction]:
    """The regions this plugin serves: code prefix, name and aliases, parent, platforms.

    Usually from ``DATA.hooks()`` with ``DATA = PluginData(name, __name__)``.
    Merge: the union; a region's chain runs from the nation to its most specific code. A
    code is claimed only with its GB/T 2260 name; two plugins claiming the same code are
    both named and neither serves it (never decided by name order).
    """


@hookspec
def kuaiji_schedules() -> Sequence[Schedule]:
    """The exam schedules this plugin's data gives (usually from ``DATA.hooks()``).

    Merge: along the chain by event id, a narrower region's event group replaces a broader
    one's; requirements by id, the narrower first; collection_required, the narrowest given.
    """


@hookspec
def kuaiji_rule_overrides() -> Sequence[Override]:
    """Broader rules this plugin replaces or waives in its regions, by rule id.

    E.g. Shenzhen replaces ``photo.spec`` by ``photo.receipt_code``. Merge: applied to the
    findings of the plugins broader than this one on the candidate's chain, only there.
    """


@hookspec
def kuaiji_contacts() -> Sequence[Contact]:
    """The finance bureaus' accounting offices in this plugin's regions, with phones and
    addresses, by the GB/T 2260 code each serves (``kuaiji contacts REGION``).

    Merge: the union; a region gets the office of its own code, else its city's, else its
    province's."""


@hookspec
def kuaiji_rules() -> Sequence[RuleDoc]:
    """Every rule id this plugin may report, documented (services key on rule ids).

    Merge: the union (the README's rule tables list them)."""


# --- checks (called on the candidate's region chain) ---


@hookspec
def kuaiji_registration(ctx: Context) -> Sequence[Finding]:
    """Account and identity on the platforms: name, ID, phone, national account.

    Merge (all three check hooks): every plugin's findings are kept; a broader plugin's
    finding is dropped only by a narrower plugin's :func:`kuaiji_rule_overrides`. A narrower
    finding with the same rule id does not replace a broader one by itself."""


@hookspec
def kuaiji_account_recovery(region: Region, on: dt.date) -> Sequence[AccountRecovery]:
    """How to get back into each platform account this plugin knows in ``region`` on ``on``
    (forgotten password, lost email), and the password an office's reset sets.

    Merge: every plugin's procedures, broadest first."""


@hookspec
def kuaiji_collection(ctx: Context) -> Sequence[Finding]:
    """The accountant record: fields, photo, attachments, approval, cutoffs.

    Merge: as :func:`kuaiji_registration`."""


@hookspec
def kuaiji_exam_precheck(ctx: Context) -> Sequence[Finding]:
    """Exam-specific gates: eligibility, work years, continuing education, the window.

    Merge: as :func:`kuaiji_registration`."""


@hookspec
def kuaiji_timeline(ctx: Context) -> Sequence[Step]:
    """The candidate's steps for this exam, with their windows; ``done`` where known.

    Merge: by step id, a narrower plugin's step replaces the broader one in place; its new
    steps go before the first broader step closing at the same time or later; a step whose
    last version has ``applies=False`` is removed."""


# --- plans (called on the region chain; transfer on both the origin's and the destination's) ---


@hookspec
def kuaiji_change(ctx: Context, changes: Sequence[FieldChange]) -> Sequence[ChangeDecision]:
    """For each requested change of the record: allowed or refused, why, where and how.

    Merge: per field, the most specific plugin's decision wins."""


@hookspec
def kuaiji_transfer(ctx: Context, move: Move) -> Sequence[TransferStep]:
    """The steps to move the record from ``move.origin`` to ``move.destination``.

    Merge: per phase (out, in, after), the most specific plugin of the phase's side (the
    origin's chain for out, the destination's for in and after) that gives steps for it."""


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
