"""The wheel carries what the app reads at run time: journeys, blueprints, its stylesheet, py.typed.

Built from a copy of the sources (the work tree gets no build/ or egg-info), with pip: without
build isolation when setuptools can build wheels here, else with it (setuptools and wheel from
the package index). Then the unpacked wheel, first on the path, must find its shipped journeys
and blueprints: a source checkout's fixtures/ is nowhere near an installed package.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.timeout(30)

EXPECTED = {
    "tui/delivery/bundled_journeys/first-purchase.toml",
    "tui/delivery/bundled_journeys/returning-login.toml",
    "tui/mapping/blueprints/default.toml",
    "tui/mapping/blueprints/shop-custom.toml",
    "tui/ui/app.tcss",
    "tui/py.typed",
}

FIND_THEM = """
import json, tui
from tui.delivery.journeys import bundled_journeys_dir, load_journeys
from tui.ui.screens.blueprint_picker import blueprint_files, bundled_blueprints_dir
journeys, errors = load_journeys([bundled_journeys_dir()])
print(json.dumps({
    "package": tui.__file__,
    "journeys": [j.name for j in journeys],
    "errors": [str(e) for e in errors],
    "blueprints": [p.name for p in blueprint_files([bundled_blueprints_dir()])],
}))
"""


def _build_wheel(tmp: Path) -> Path:
    source = tmp / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "tui", source / "tui", ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp / "wheels"
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), "."]
    if importlib.util.find_spec("wheel") is not None:  # setuptools can build here: stay offline
        command.append("--no-build-isolation")
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    done = subprocess.run(command, cwd=source, capture_output=True, text=True, env=env, timeout=28)
    assert done.returncode == 0, done.stdout + done.stderr
    [wheel] = out.glob("webengage_debugger-*.whl")
    return wheel


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build_wheel(tmp_path_factory.mktemp("wheel"))


def test_the_wheel_contains_the_data_files(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert names >= EXPECTED, sorted(EXPECTED - names)
    assert not any(name.startswith("fixtures/") for name in names)


def test_an_installed_wheel_finds_its_journeys_and_blueprints(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = {**os.environ, "PYTHONPATH": str(site)}
    done = subprocess.run(
        [sys.executable, "-c", FIND_THEM],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=20,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert Path(found["package"]).is_relative_to(site)
    assert {"first-purchase", "returning-login"} <= set(found["journeys"])
    assert found["errors"] == []
    assert {"default.toml", "shop-custom.toml"} <= set(found["blueprints"])
