"""Answers a browser saves as a file (the calendar, the candidate file, batch results): never
cached, named for the user's folder."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from starlette.responses import Response, StreamingResponse


def _headers(filename: str) -> dict[str, str]:
    return {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    }


def download(body: bytes, media_type: str, filename: str) -> Response:
    return Response(body, media_type=media_type, headers=_headers(filename))


def streamed(lines: Iterable[str], media_type: str, filename: str) -> StreamingResponse:
    return StreamingResponse(lines, media_type=media_type, headers=_headers(filename))


def calendar(report: Any) -> Response:
    """The candidate's steps as an iCalendar file (kuaiji.commands.calendar)."""
    from kuaiji.commands.calendar import timeline_calendar

    return download(timeline_calendar(report), "text/calendar; charset=utf-8", "kuaiji.ics")
