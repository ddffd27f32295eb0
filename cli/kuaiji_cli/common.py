"""What every command shares: turning kuaiji's errors into a Chinese message and an exit
code (never a traceback), and printing JSON."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int) -> None:
    from kuaiji.io.masking import printable  # data and bundle files can reach a message

    click.echo(f"kuaiji: {printable(message)}", err=True)
    sys.exit(code)


def handled(fn: F) -> F:
    """Turn kuaiji's errors into a message and an exit code, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from kuaiji.errors import BundleError, InputError, KuaijiError

        debug = bool(click.get_current_context().find_root().params.get("debug"))
        try:
            return fn(*args, **kwargs)
        except InputError as exc:
            fail(f"错误 (bad input): {exc.describe()}", 2)
        except BundleError as exc:
            fail(f"规则更新未完成，缓存未改动 (rules update refused): {exc}", 2 if exc.usage else 1)
        except KuaijiError as exc:
            fail(f"错误 (plugin or data): {exc}", 3)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except BrokenPipeError:
            # The reader went away (`kuaiji … | head`): stop quietly, as other tools do.
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(141)
        except Exception as exc:
            if debug:  # the traceback, with anything like an ID number or a phone masked
                import traceback

                from kuaiji.io.masking import scrub_text

                click.echo(scrub_text(traceback.format_exc()), err=True)
            fail(f"内部错误 (internal error): {type(exc).__name__}; 用 --debug 查看详情", 3)

    return wrapper  # type: ignore[return-value]


def warn_rules(produced_by: dict[str, Any] | None) -> None:
    """On stderr, once per command: installed rules data that could not be used (bundled
    data answered instead), or a signed feed past its expiry (its data still answered)."""
    from kuaiji.io.masking import printable

    rules = (produced_by or {}).get("rules") or {}
    if rules.get("problem"):
        click.echo(
            "kuaiji: 注意：已安装的规则数据未能使用，本次用随插件发布的数据作答。"
            f"原因：{printable(rules['problem'])}。"
            "kuaiji rules status 查看；kuaiji rules reset 清除后可重新 kuaiji rules update",
            err=True,
        )
    if rules.get("expired"):
        click.echo(
            f"kuaiji: 注意：规则源 {printable(str(rules.get('feed')))} 已于 {rules.get('expires')} 过期，"
            "日期可能已变；运行 kuaiji rules update 获取新版本",
            err=True,
        )


def dump(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))
