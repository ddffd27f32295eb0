"""``kuaiji plugins new NAME --region CODE``: a complete, installable plugin skeleton.

It installs with ``pip install -e`` and loads at once (``kuaiji plugins``), and it starts
from the national baseline's record of the region (platforms and their sources included), so
nothing the baseline knew is lost. What only the author can give is left as a placeholder
that ``kuaiji plugins check`` refuses until it is filled: the source of the plugin's own
claim on the region.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

from kuaiji.authoring.conformance import AT
from kuaiji.authoring.exercise import minimal_candidate
from kuaiji.authoring.validate import real_parent
from kuaiji.errors import InputError
from kuaiji.io.convert import unstructure
from kuaiji.model import clock
from kuaiji.registry.manager import Registry
from kuaiji.registry.regions import division_name

PLACEHOLDER = "TODO：写出说明本插件服务该地区的资料文件（seed:…）或 https 网址"
_NAME = re.compile(r"^[a-z][a-z0-9_]{1,30}$")


def create(
    name: str,
    region: str,
    folder: Path,
    *,
    parent: str | None = None,
    child: str | None = None,
) -> Path:
    """Write ``folder/kuaiji-NAME/`` for a plugin serving ``region`` and return its path.

    ``parent`` is the region ``region`` belongs to; it may be left out (GB/T 2260 gives it:
    ``1301`` → ``13``, a province → ``CN``) and, when given, must be that one. ``child``, a
    region right under ``region``, is served as a jurisdiction of its own too."""
    if not _NAME.match(name):
        raise InputError.single(
            "NAME",
            f"{name!r} 不能作插件名",
            "用小写字母、数字和 _（如 zhejiang）",
        )
    for option, code in (("--region", region), ("child", child)):
        if code is not None and (
            not (code.isdigit() and len(code) in (2, 4)) or division_name(code) is None
        ):
            raise InputError.single(
                option,
                f"{code!r} 不是 GB/T 2260 的省级或地级代码",
                "写 2 或 4 位代码，如 33 或 3302",
            )
    real = real_parent(region)
    if parent is not None and parent.strip().upper() != real:
        raise InputError.single(
            "--parent",
            f"GB/T 2260 中 {region} 的上级是 {real}，不是 {parent}",
            f"不写 --parent（自动填 {real}），或写 --parent {real}",
        )
    if child is not None and real_parent(child) != region:
        raise InputError.single(
            "child",
            f"{child} 不是 {region} 的下一级",
            "给出该地区下的城市，如 33 下的 3302",
        )
    root = folder / f"kuaiji-{name}"
    if root.exists():
        raise InputError.single("NAME", f"{root} 已存在", "换一个插件名或文件夹")
    package = root / f"kuaiji_{name}"
    (package / "data").mkdir(parents=True)
    (package / "cases").mkdir()
    (root / "tests").mkdir()

    registry = Registry(entry_points=False)
    codes = [region] + ([child] if child else [])
    jurisdictions = [_jurisdiction(registry, region, parent=real)]
    if child is not None:
        jurisdictions.append(_jurisdiction(registry, child, parent=region))
    data = {
        "format": 1,
        "plugin": name,
        "updated": clock.now().date().isoformat(),
        "jurisdictions": jurisdictions,
        "schedules": [],
    }
    _write(package / "data" / f"{name}.json", json.dumps(data, ensure_ascii=False, indent=2))
    _write(
        root / "pyproject.toml",
        PYPROJECT.format(name=name, region=region, title=division_name(region)),
    )
    _write(
        package / "__init__.py", INIT.format(name=name, region=region, title=division_name(region))
    )
    _write(package / "quirks.py", QUIRKS.format(name=name))
    _photo(package / "cases" / "photo.jpg")
    _write(
        package / "cases" / f"{name}-example.json",
        json.dumps(_case(registry, region), ensure_ascii=False, indent=2),
    )
    _write(root / "tests" / f"test_{name}_conformance.py", TEST.format(name=name))
    _write(
        root / "README.md",
        README.format(
            name=name, region=region, title=division_name(region), codes=", ".join(codes)
        ),
    )
    return root


def _jurisdiction(registry: Registry, code: str, *, parent: str) -> dict[str, Any]:
    known = registry.jurisdictions.get(code)
    if known is not None:
        raw: dict[str, Any] = unstructure(known)
        raw.pop("plugin", None)
        raw["source"] = PLACEHOLDER
        raw["parent"] = parent
        return raw
    title = division_name(code) or code
    return {
        "code": code,
        "name": title,
        "aliases": [],
        "parent": parent,
        "source": PLACEHOLDER,
        "exam_area": True,
        "note": None,
        "platforms": [],
    }


def _case(registry: Registry, region: str) -> dict[str, Any]:
    """A ready candidate of the region for 2026 中级, as the baseline sees it today."""
    candidate = minimal_candidate(region) | {
        "photo": {"path": "photo.jpg"},
        "national_account": {"registered": True, "real_name_verified": True},
        "education": [{"mode": "full_time", "level": "bachelor", "graduated": "2012-07-01"}],
        "work": {"status": "accounting", "accounting_since": "2012-08-01"},
        "collection": {"status": "approved", "region": region},
    }
    return {
        "description": f"{division_name(region)}：信息齐全的考生，2026 年中级报名期间（示例，按本插件的规则修改）",
        "command": "precheck",
        "exam": "intermediate",
        "year": 2026,
        "at": AT.strftime("%Y-%m-%dT%H:%M"),
        "candidate": candidate,
        "expect": {"verdict": "ready"},
    }


def _photo(path: Path) -> None:
    """A 295×413 JPEG above 10 KB, like a real ID photo (noise keeps it from compressing)."""
    from PIL import Image

    rng = random.Random(7)
    image = Image.new("RGB", (295, 413), (255, 255, 255))
    image.putdata([(rng.randrange(200, 256),) * 3 for _ in range(295 * 413)])
    image.save(path, "JPEG", quality=90)


def _write(path: Path, text: str) -> None:
    path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")


PYPROJECT = """[build-system]
requires = ["hatchling>=1.20"]
build-backend = "hatchling.build"

[project]
name = "kuaiji-{name}"
version = "0.1.0"
description = "kuaiji province plugin: {title} ({region})"
readme = "README.md"
requires-python = ">=3.11"
dependencies = ["kuaiji>=0.2.0,<0.3"]

[project.optional-dependencies]
test = ["pytest>=8"]

[project.entry-points.kuaiji]
{name} = "kuaiji_{name}"

[tool.hatch.build.targets.wheel]
packages = ["kuaiji_{name}"]
"""

INIT = '''"""kuaiji-{name}: {title} ({region}).

What this plugin adds to the national baseline, with its sources. Facts that change every year
live in data/{name}.json; quirks (rules in code) in quirks.py; example cases in cases/.
"""

from __future__ import annotations

from collections.abc import Sequence

from kuaiji.plugin import Context, Finding, Override, PluginData, RuleDoc, declared, hookimpl
from kuaiji_{name} import quirks

KUAIJI_API = "1"  # the plugin API majors this plugin supports (kuaiji.plugin.API_VERSION)

DATA = PluginData("{name}", __name__)
kuaiji_jurisdictions, kuaiji_schedules, kuaiji_contacts = DATA.hooks()

# Every rule id this plugin may report, documented (services key on rule ids), e.g.
# RuleDoc("{name}.something", "标题", "collection", "What it checks."):
RULES: tuple[RuleDoc, ...] = ()
OVERRIDES: tuple[Override, ...] = ()  # broader rules replaced or waived in this region

kuaiji_rules, kuaiji_rule_overrides = declared(RULES, OVERRIDES)


@hookimpl
def kuaiji_collection(ctx: Context) -> Sequence[Finding]:
    return quirks.collection(ctx)
'''

QUIRKS = '''"""The region's rules that are not data: each returns findings with a rule id documented in
RULES (in __init__.py) and a source. See docs/writing-a-plugin.md in the kuaiji repository."""

from __future__ import annotations

from kuaiji.plugin import Context, Finding


def collection(ctx: Context) -> list[Finding]:
    return []
'''

TEST = """from kuaiji.testing import conformance

test_conformance = conformance("{name}")
"""

README = """# kuaiji-{name} — {title} ({region})

A kuaiji province plugin (entry point `{name} = "kuaiji_{name}"`), serving {codes}.

- **Data** (`kuaiji_{name}/data/{name}.json`): starts from the national baseline's record of the
  region. Fill in the source of the plugin's claim (`TODO` left in `source`), then add this
  region's schedules and platforms, each with its source: a seed document (`seed:…`) or an
  https URL (see `docs/data-format.md`). Bump `updated` whenever a fact changes.
- **Quirks** (`kuaiji_{name}/quirks.py`): rules in code, each with a documented rule id.
- **Cases** (`kuaiji_{name}/cases/`): example candidates with their expected verdicts, run by
  `kuaiji plugins check` and by the conformance suite.
- **Plugin API**: `KUAIJI_API = "1"` in `kuaiji_{name}/__init__.py` declares the major versions
  of kuaiji's plugin API (`kuaiji.plugin.API_VERSION`) this plugin supports (several as
  `"1,2"`); kuaiji does not load a plugin whose `KUAIJI_API` leaves out its own major, and says
  so. The requirement `kuaiji>=0.2.0,<0.3` keeps it to the releases it was tested with: raise
  both together when you move to a new API.

```sh
pip install -e ".[test]"       # the plugin, and pytest for its tests
kuaiji plugins                 # it is loaded
kuaiji plugins check .         # the validator: fails until the placeholders are filled
python -m pytest tests         # the conformance suite (kuaiji.testing)
```
"""
