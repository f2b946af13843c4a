"""The package as it is shipped: a wheel built from a clean copy of the sources, installed in a venv of its own.

Used by tests/test_package.py (the wheel alone, on SQLite) and tests/prod/test_production_path.py (two
servers from the wheel behind nginx). The venv lives outside the repository and every command runs with
its working directory outside it too, so nothing is imported from the checkout: the wheel has to carry
its templates, static files, compiled translations and migrations.
"""
import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# What the build does not need, or must make itself (compiled catalogues are not in git).
_NOT_SOURCES = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "*.pyc", "*.mo",
                                      "instance", "node_modules", "tests", "bench", ".pytest_cache")

WHEELHOUSE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "gatherings-tests", "wheelhouse")


def _run(command: list, timeout: float, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run([str(part) for part in command], capture_output=True, text=True, timeout=timeout, **kwargs)
    assert done.returncode == 0, f"{command} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def clean_environment(**extra) -> dict:
    """The environment without anything that points back into the checkout or its venv."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONPATH", "VIRTUAL_ENV", "FLASK_APP", "PYTHONHOME", "PYTHONSTARTUP")}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if not p.startswith(str(ROOT)))
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env.update(extra)
    return env


@dataclass
class InstalledWheel:
    wheel: Path
    venv: Path
    workdir: Path  # outside the repository: the cwd for every command

    def bin(self, name: str) -> Path:
        return self.venv / "bin" / name

    def run(self, *args, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
        return _run(list(args), timeout, cwd=self.workdir, env=clean_environment(**(env or {})))


def build_and_install(base: Path) -> InstalledWheel:
    """Copy the sources (without .mo files) to ``base``, build the wheel there, install it into a new venv."""
    assert not base.resolve().is_relative_to(ROOT), "the venv must live outside the repository"
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=_NOT_SOURCES)
    assert not list(source.rglob("*.mo"))
    dist = base / "dist"
    # Build isolation, as any `pip wheel`/`pip install` does: setuptools and Babel from [build-system] requires.
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", dist, source], 300,
         cwd=base, env=clean_environment())
    (wheel,) = dist.glob("gatherings-*.whl")
    venv = base / "venv"
    # Without pip of its own (ensurepip is slow); this interpreter's pip installs into it (--python).
    _run([sys.executable, "-m", "venv", "--without-pip", venv], 120, cwd=base, env=clean_environment())
    workdir = base / "work"
    workdir.mkdir()
    installed = InstalledWheel(wheel, venv, workdir)
    pip = [sys.executable, "-m", "pip", "--python", installed.bin("python"), "install", "--quiet", "--no-compile"]
    # The dependencies as pip resolves them from the wheel's metadata, from a wheelhouse outside the
    # repository that is filled from the package index when something is missing (the first run).
    offline = [*pip, "--no-index", "--find-links", WHEELHOUSE, wheel]
    if subprocess.run([str(part) for part in offline], capture_output=True, cwd=workdir, env=clean_environment(),
                      timeout=600).returncode != 0:
        WHEELHOUSE.mkdir(parents=True, exist_ok=True)
        _forget_own_wheels()  # pip download would read the dependencies of a stale copy of it
        _run([sys.executable, "-m", "pip", "download", "--quiet", "-d", WHEELHOUSE, wheel], 600,
             cwd=workdir, env=clean_environment())
        _forget_own_wheels()  # only the dependencies are kept
        installed.run(*offline, timeout=600)
    return installed


def _forget_own_wheels() -> None:
    for stale in WHEELHOUSE.glob("gatherings-*.whl"):
        stale.unlink()


def wheel_names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())
