"""Xinjiang: the account commands (reset procedure, password check) and the review rules
beyond the example cases."""

from __future__ import annotations

import json

import pytest

from helpers import kuaiji
from kuaiji.commands.accounts import PasswordCheck, account_recovery, check_password
from kuaiji.errors import InputError
from kuaiji.registry.manager import Registry

XJ = {"KUAIJI_NATIONAL_ONLY": "0", "KUAIJI_PLUGINS": "xinjiang"}
DEFAULT = "Asc*6500"


@pytest.fixture(scope="module")
def xj_registry() -> Registry:
    return Registry(plugins=(), entry_points=True, strict=True)


def test_reset_lists_every_platform_of_the_chain_in_order() -> None:
    result = kuaiji("account", "reset", "--region", "650102", "--json", env=XJ)
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    assert [p["plugin"] for p in plan["procedures"]] == ["national", "xinjiang"]
    national, xinjiang = plan["procedures"]
    assert national["reset_default"] is None
    assert any("邮箱" in step for step in national["steps"])
    assert any("删除个人信息" in step for step in national["steps"])  # the lost-email path
    assert xinjiang["reset_default"] == DEFAULT
    assert xinjiang["url"] == "https://kjgl.xjcz.gov.cn/accNet/"
    assert "seed:004" in xinjiang["source"]


def test_reset_human_output_names_the_default_and_the_source() -> None:
    result = kuaiji("account", "reset", "--region", "新疆", env=XJ)
    assert result.returncode == 0, result.stderr
    assert "新疆会计人员服务平台" in result.stdout
    assert f"重置后的密码为 {DEFAULT}" in result.stdout
    assert "全国会计人员统一服务管理平台" in result.stdout
    assert "来源：" in result.stdout


def test_reset_elsewhere_has_no_xinjiang_procedure() -> None:
    result = kuaiji("account", "reset", "--region", "44", "--json", env=XJ)
    plan = json.loads(result.stdout)
    assert [p["plugin"] for p in plan["procedures"]] == ["national"]


def test_unknown_region_is_bad_input() -> None:
    result = kuaiji("account", "reset", "--region", "火星", env=XJ)
    assert result.returncode == 2
    assert "--region" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("password", [DEFAULT, "asc*6500", "ASC*6500"])
def test_check_password_refuses_the_reset_default_and_never_prints_it(password: str) -> None:
    for extra in ((), ("--json",)):
        result = kuaiji(
            "account", "check-password", "--region", "650102", *extra, stdin=password + "\n", env=XJ
        )
        assert result.returncode == 1, result.stderr
        assert "account.password_default" in result.stdout
        assert password.lower() not in (result.stdout + result.stderr).lower()


def test_check_password_accepts_another_password_without_echoing_it() -> None:
    secret = "Tianshan#2024xj"
    result = kuaiji("account", "check-password", "--region", "650102", stdin=secret + "\n", env=XJ)
    assert result.returncode == 0, result.stderr
    assert "新疆会计人员服务平台" in result.stdout  # what it was compared with
    assert secret not in result.stdout + result.stderr


def test_the_xinjiang_default_is_not_refused_where_it_does_not_apply() -> None:
    result = kuaiji("account", "check-password", "--region", "4403", stdin=DEFAULT, env=XJ)
    assert result.returncode == 0
    assert DEFAULT not in result.stdout + result.stderr


def test_an_empty_password_is_bad_input() -> None:
    result = kuaiji("account", "check-password", "--region", "65", stdin="", env=XJ)
    assert result.returncode == 2
    assert "password" in result.stderr
    assert "Traceback" not in result.stderr


def test_api_check_keeps_no_trace_of_the_password(xj_registry: Registry) -> None:
    result = check_password(DEFAULT, "65", registry=xj_registry)
    assert isinstance(result, PasswordCheck)
    assert not result.ok
    assert [f.rule for f in result.findings] == ["account.password_default"]
    assert [f.plugin for f in result.findings] == ["xinjiang"]
    shown = repr(result.findings) + json.dumps(result.to_dict(), ensure_ascii=False)
    assert DEFAULT.lower() not in shown.lower()
    assert check_password("another-one", "65", registry=xj_registry).ok


def test_api_recovery_and_empty_password(xj_registry: Registry) -> None:
    plan = account_recovery("650102", registry=xj_registry)
    assert [p.platform_id for p in plan.procedures] == ["ausm", "xj-kjgl"]
    with pytest.raises(InputError) as caught:
        check_password("", "65", registry=xj_registry)
    assert caught.value.problems[0].path == "password"


def test_the_password_stays_out_of_a_debug_traceback() -> None:
    """A command that fails (here: an unknown region, with --debug) never shows it."""
    result = kuaiji(
        "--debug", "account", "check-password", "--region", "no-such", stdin="S3cret-pw\n", env=XJ
    )
    assert result.returncode == 2
    assert "S3cret-pw" not in result.stdout + result.stderr
