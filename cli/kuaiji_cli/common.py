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


def dump(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))
