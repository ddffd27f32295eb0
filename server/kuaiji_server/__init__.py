"""kuaiji-server: ``kuaiji serve``, the HTTP API of kuaiji (Starlette on uvicorn).

    kuaiji serve                      # http://127.0.0.1:8000/docs
    kuaiji serve --workers 4 --host 0.0.0.0

Stateless: any worker answers any request; rules updates reach every worker without a
restart. See the README ("The HTTP API").
"""

from __future__ import annotations

import os

__all__ = ["serve"]


def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    """Run the API with ``workers`` processes until SIGINT/SIGTERM (graceful: requests in
    flight are answered first)."""
    import uvicorn

    os.environ.setdefault("KUAIJI_SERVE", "1")
    uvicorn.run(
        "kuaiji_server.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,  # ours (kuaiji.access) logs no query string and no personal data
        server_header=False,
        timeout_graceful_shutdown=10,
        log_level="warning",
    )
