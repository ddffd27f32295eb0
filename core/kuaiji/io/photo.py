"""Reading a candidate's photo file safely, once per version of the file.

Only files inside the candidate's folder are read (a path or symlink leading out of it is
refused unless explicitly allowed), and only regular files (never a device or a FIFO). Only
JPEG and PNG are opened (Pillow's other formats, among them DDS, TIFF and EPS, which would
run Ghostscript, are never tried), and what decoding would cost is bounded from the header
before any pixel is decoded: the file's size, the pixels, a PNG's decompressed size and a
JPEG's scans. An unreadable, refused or non-image file is bad input (:class:`InputError` on
``photo.path``: whatever Pillow raises, the candidate's own error, never a crash); a readable
image that misses the specification is a finding of rule ``photo.spec``.

What was read is remembered by the file's identity (device, inode, size, modification
time), so a photo corrected at the same path is read again; at most :data:`SEEN` versions
are kept in a process.
"""

from __future__ import annotations

import functools
import io
import os
import stat
import warnings
from pathlib import Path

from kuaiji.errors import InputError
from kuaiji.model.context import PhotoInfo

MAX_BYTES = 20 * 1024 * 1024  # far above any platform's limit; larger files are not read
MAX_PIXELS = 24_000_000  # a 1-inch photo is ~0.15 Mpx, a camera's 12–24: larger is refused
MAX_PNG_BYTES = 12 * 1024 * 1024  # a PNG decompressed (2000×2000 RGB); a 1-inch photo: 0.4 MB
MAX_JPEG_SCANS = 64  # a progressive JPEG has about 10; each scan passes over every block
MAX_JPEG_SCAN_PIXELS = 100_000_000  # scans × pixels: 10 scans of 10 Mpx
SEEN = 1024  # versions of photos remembered in a process
_OPENED = ("JPEG", "PNG")  # the only formats Pillow may try
_FORMATS = {"JPEG": "jpeg", "PNG": "png"}
_FIX = "把照片另存为 JPG（或 PNG）文件，再写它的路径"
_SMALLER = "把照片缩小到 2000×2000 像素以内（证件照一般几百像素），另存为 JPG 再试"


def inspect(relative: str, base_dir: Path, *, allow_outside: bool = False) -> PhotoInfo:
    """Inspect the photo at ``relative`` (to ``base_dir``): read once per version of the
    file in a process (a batch of candidates often shares one folder of photos)."""
    path = _inspect(relative, base_dir, allow_outside)
    st = _regular(path)
    if st is None:  # changed since it was resolved (now a folder, a symlink): resolve again
        path = _inspect.__wrapped__(relative, base_dir, allow_outside)
        st = _regular(path)
        if st is None:
            raise InputError.single("photo.path", "照片路径不是一个文件", _FIX)
    found = _inspect_resolved(path, st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
    if isinstance(found, InputError):
        raise InputError(found.problems)  # a new one each time: no traceback piles up
    return found


@functools.lru_cache(maxsize=4096)
def _inspect(relative: str, base_dir: Path, allow_outside: bool) -> Path:
    """Where ``relative`` leads: resolved (no symlink left in it), inside ``base_dir``."""
    fix = "写 JPG 或 PNG 照片的路径（相对于考生文件所在的文件夹）"
    candidate_path = base_dir / relative
    try:
        resolved = candidate_path.resolve(strict=True)
    except (OSError, RuntimeError, ValueError):  # ValueError: a NUL in the path
        raise InputError.single("photo.path", "找不到照片文件", fix) from None
    if not allow_outside and not resolved.is_relative_to(base_dir.resolve()):
        raise InputError.single(
            "photo.path",
            "照片路径指向考生文件所在文件夹之外",
            "把照片复制到考生文件旁边，再写它的文件名",
        )
    return resolved


def _regular(path: Path) -> os.stat_result | None:
    """The stat of ``path`` if it is a regular file itself (not a symlink to one)."""
    try:
        st = os.lstat(path)
    except (OSError, ValueError):
        return None
    return st if stat.S_ISREG(st.st_mode) else None


@functools.lru_cache(maxsize=SEEN)
def _inspect_resolved(
    path: Path, device: int, inode: int, size: int, mtime_ns: int
) -> PhotoInfo | InputError:
    """What the file at ``path`` is, keyed by its identity: its PhotoInfo, or the error
    that refuses it (kept too, so that a batch sharing one bad photo reads it once)."""
    key = _photo_key(path)
    found = _remembered().get(key) if key is not None else None
    if found is not None:
        return PhotoInfo(path, *found)
    try:
        info = _decode(path, size, _FIX)
    except InputError as exc:
        return exc
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


def _refused(message: str, fix: str = _FIX) -> InputError:
    return InputError.single("photo.path", message, fix)


def _decode(path: Path, size: int, fix: str) -> PhotoInfo:
    """Read the file (a regular file of at most :data:`MAX_BYTES`), check what decoding it
    would cost, then decode it all (Pillow), so that a truncated or damaged file shows."""
    from kuaiji.io.convert import FileTooLarge, NotRegularFile, read_bounded

    try:
        data = read_bounded(path, MAX_BYTES)
    except FileTooLarge as exc:
        raise _refused(
            f"照片文件有 {exc.size // (1024 * 1024)} MB，太大，不像证件照", fix
        ) from None
    except (NotRegularFile, IsADirectoryError):
        raise _refused("照片路径不是一个文件", fix) from None
    except (OSError, ValueError) as exc:
        raise _refused(f"照片文件无法读取（{type(exc).__name__}）", fix) from None
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():  # Pillow's bomb warning (English, on stderr): refused
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=_OPENED)
        with image:
            width, height = image.size
            fmt = image.format or ""
            mode = image.mode
            _check_cost(fmt, width, height, len(image.getbands()), data)
            # Decode it all (JPEG at 1/8 scale: little memory), so a truncated file shows.
            image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
            image.load()
    except InputError:
        raise
    except UnidentifiedImageError:
        raise _refused(
            "照片文件不是 JPG 或 PNG 图片（别的格式只改了扩展名也不行），没有打开它", fix
        ) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):  # from the header
        raise _refused(
            "照片的像素多得不像证件照（DecompressionBombError），没有解码", _SMALLER
        ) from None
    except Exception as exc:  # anything else a damaged or crafted file makes Pillow raise
        raise _refused(f"照片文件无法读取，不是完整的图片（{type(exc).__name__}）", fix) from None
    return PhotoInfo(
        path=path,
        suffix=path.suffix.lower().lstrip("."),
        size_bytes=len(data),
        format=_FORMATS.get(fmt, fmt.lower() or None),
        width=width,
        height=height,
        mode=mode,
    )


def _check_cost(fmt: str, width: int, height: int, channels: int, data: bytes) -> None:
    """Refuse, from the header alone, an image that would cost far more to decode than an
    ID photo: too many pixels; a PNG too large once decompressed (a small file can hold
    a huge, uniform image); a JPEG with too many scans (each passes over every block)."""
    pixels = width * height
    if pixels > MAX_PIXELS:
        raise _refused(f"照片有 {width}×{height} 像素，太大，不像证件照", _SMALLER)
    if fmt == "PNG":
        decoded = pixels * channels
        if decoded > MAX_PNG_BYTES:
            raise _refused(
                f"PNG 照片有 {width}×{height} 像素，解压后约 {decoded // (1024 * 1024)} MB，"
                "太大，不像证件照",
                _SMALLER,
            )
        return
    scans = data.count(b"\xff\xda")  # start-of-scan markers (0xFF in coded data is escaped)
    if scans > MAX_JPEG_SCANS or scans * pixels > MAX_JPEG_SCAN_PIXELS:
        raise _refused(
            f"JPG 照片分 {scans} 遍扫描存储（{width}×{height} 像素），解码代价太大，不像证件照",
            "用修图软件把照片另存为普通（非“渐进式”）JPG，并缩小到 2000×2000 像素以内",
        )
