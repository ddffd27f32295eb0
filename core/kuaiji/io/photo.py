"""Reading a candidate's photo file safely, once per path.

Only files inside the candidate's folder are read (a path or symlink leading out of it is
refused unless explicitly allowed); size is checked before decoding; Pillow's
decompression-bomb guard stays on. An unreadable or non-image file is bad input
(:class:`InputError` on ``photo.path``); a readable image that misses the specification
is a finding of rule ``photo.spec``.
"""

from __future__ import annotations

import functools
from pathlib import Path

from kuaiji.errors import InputError
from kuaiji.model.context import PhotoInfo

MAX_BYTES = 20 * 1024 * 1024  # far above any platform's limit; larger files are not decoded
MAX_PIXELS = 40_000_000  # a 1-inch photo is ~0.12 Mpx; larger images are refused undecoded
_FORMATS = {"JPEG": "jpeg", "PNG": "png"}


def inspect(relative: str, base_dir: Path, *, allow_outside: bool = False) -> PhotoInfo:
    """Inspect the photo at ``relative`` (to ``base_dir``); read once per path in a process
    (a batch of candidates often shares one folder of photos)."""
    return _inspect(relative, base_dir, allow_outside)


@functools.lru_cache(maxsize=4096)
def _inspect(relative: str, base_dir: Path, allow_outside: bool) -> PhotoInfo:
    fix = "写 JPG 或 PNG 照片的路径（相对于考生文件所在的文件夹）"
    candidate_path = base_dir / relative
    try:
        resolved = candidate_path.resolve(strict=True)
    except (OSError, RuntimeError):
        raise InputError.single("photo.path", "找不到照片文件", fix) from None
    if not allow_outside and not resolved.is_relative_to(base_dir.resolve()):
        raise InputError.single(
            "photo.path",
            "照片路径指向考生文件所在文件夹之外",
            "把照片复制到考生文件旁边，再写它的文件名",
        )
    return _inspect_resolved(resolved, relative)


@functools.lru_cache(maxsize=4096)
def _inspect_resolved(path: Path, relative: str) -> PhotoInfo:
    fix = "把照片另存为 JPG（或 PNG）文件，再写它的路径"
    if not path.is_file():
        raise InputError.single("photo.path", "照片路径不是一个文件", fix)
    key = _photo_key(path)
    found = _remembered().get(key) if key is not None else None
    if found is not None:
        return PhotoInfo(path, *found)
    info = _decode(path, relative, fix)
    if key is not None:
        _remember(key, info)
    return info


# A single command reads the same photo run after run: the first few photos a process decodes
# are remembered in the user cache (each batch worker's too; last writer wins), so the next run
# needs neither Pillow nor the decoding. An entry is keyed by a hash of the file's path and
# stat (size, times, inode), never the path itself (it often holds the candidate's name), and
# by the code that judged it (this module, Pillow).
REMEMBERED = 256  # photos kept in the cache file
_REMEMBER_PER_PROCESS = 8
_Remembered = tuple[str, int, str | None, int, int, str]  # PhotoInfo without its path


def _photo_key(path: Path) -> str | None:
    import hashlib

    from kuaiji.io import cache

    st = cache.stamp(path)
    if st[1] is None:
        return None
    return hashlib.sha256(repr(st).encode("utf-8", "surrogateescape")).hexdigest()


@functools.cache
def _remembered() -> dict[str, _Remembered]:
    from kuaiji.io import cache

    found = cache.load("photos", _code_key())
    return found if isinstance(found, dict) else {}


def _code_key() -> tuple[object, ...]:
    import importlib.util

    from kuaiji.io import cache

    pillow = importlib.util.find_spec("PIL")  # found without importing Pillow
    return (cache.code(), cache.stamp(pillow.origin) if pillow and pillow.origin else None)


_stored = [0]


def _remember(key: str, info: PhotoInfo) -> None:
    if _stored[0] >= _REMEMBER_PER_PROCESS:
        return
    from kuaiji.io import cache

    _stored[0] += 1
    remembered = _remembered()
    remembered[key] = (
        info.suffix,
        info.size_bytes,
        info.format,
        info.width,
        info.height,
        info.mode,
    )
    while len(remembered) > REMEMBERED:
        del remembered[next(iter(remembered))]  # the oldest first
    cache.store("photos", _code_key(), remembered)


def _decode(path: Path, relative: str, fix: str) -> PhotoInfo:
    """Check the size, then decode the whole image (Pillow)."""
    from PIL import Image, UnidentifiedImageError

    size = path.stat().st_size
    if size > MAX_BYTES:
        raise InputError.single(
            "photo.path",
            f"照片文件有 {size // (1024 * 1024)} MB，太大，不像证件照",
            fix,
        )
    try:
        with Image.open(path) as image:  # Pillow's decompression-bomb guard is on
            width, height = image.size
            fmt = image.format or ""
            mode = image.mode
            if width * height > MAX_PIXELS:
                raise InputError.single(
                    "photo.path",
                    f"照片有 {width}×{height} 像素，太大，不像证件照",
                    fix,
                )
            # Decode it all (JPEG at 1/8 scale: little memory), so a truncated file shows.
            image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
            image.load()
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        OSError,
        SyntaxError,
        ValueError,
    ) as exc:
        raise InputError.single(
            "photo.path", f"照片文件无法读取，不是完整的图片（{type(exc).__name__}）", fix
        ) from None
    return PhotoInfo(
        path=path,
        suffix=path.suffix.lower().lstrip("."),
        size_bytes=size,
        format=_FORMATS.get(fmt, fmt.lower() or None),
        width=width,
        height=height,
        mode=mode,
    )
