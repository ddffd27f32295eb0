"""``kuaiji serve``: the HTTP API (the kuaiji-server distribution), on this machine."""

from __future__ import annotations

import click

from kuaiji_cli.common import fail


@click.command()
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="监听的地址 / address to listen on."
)
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="端口 / port."
)
@click.option(
    "--workers", default=1, show_default=True, type=click.IntRange(1, 64),
    help="工作进程数（每个 CPU 一个为宜）/ worker processes.",
)  # fmt: skip
def serve(host: str, port: int, workers: int) -> None:
    """启动 HTTP 接口（及网页），直到 Ctrl-C / start the HTTP API.

    \b
    网页：http://HOST:PORT/（个人预检）与 /batch（表格）；接口说明：/docs 与 /openapi.json。
    无需数据库，不保存考生信息。
    """
    try:
        from kuaiji_server import serve as run
    except ImportError:
        fail(
            "没有安装 kuaiji-server：pip install kuaiji-server（在代码仓库中：pip install -e ./server）",
            2,
        )
        return
    shown = f"[{host}]" if ":" in host else host
    import socket

    try:  # said before "started" is printed: a busy port is the usual first trouble
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        import errno

        why = {
            errno.EADDRINUSE: "端口已被占用",
            errno.EADDRNOTAVAIL: "这台机器没有这个地址",
            errno.EACCES: "没有权限使用这个端口（1024 以下的端口需要管理员权限）",
        }.get(exc.errno or 0, "地址或端口不可用")
        fail(f"无法在 {shown}:{port} 上启动：{why}；换一个 --port 或 --host 再试", 2)
        return
    click.echo(
        f"kuaiji 已启动：网页 http://{shown}:{port}/ ，接口说明 http://{shown}:{port}/docs"
        f"（{workers} 个工作进程；Ctrl-C 停止）"
    )
    run(host=host, port=port, workers=workers)
