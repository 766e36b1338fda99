"""A wheel installed anywhere works: built from this checkout, installed into a fresh venv,
run from another folder (templates and the embedded default config travel in the package)."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.mail import mail

REPO = Path(__file__).resolve().parent.parent


def _run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None,
         expect: int = 0) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=300, check=False)
    assert done.returncode == expect, (command, done.returncode, done.stdout, done.stderr)
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `mailgate` script of a fresh venv holding only the wheel; its dependencies come from
    the test venv (a .pth line), so that the test needs no network."""
    folder = tmp_path_factory.mktemp("wheel")
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", folder / "dist", REPO, cwd=folder)
    [wheel] = (folder / "dist").glob("mailgate-*.whl")
    venv = folder / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=folder)
    _run(sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "-q",
         "--no-deps", "--no-index", wheel, cwd=folder)
    [site] = (venv / "lib").glob("python3*/site-packages")
    (site / "test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv / "bin" / "mailgate"


def test_the_installed_package_carries_its_templates_and_default_config(installed: Path) -> None:
    venv = installed.parent.parent
    [package] = (venv / "lib").glob("python3*/site-packages/mailgate")
    assert (package / "_shipped" / "config.toml").is_file()
    assert sorted(p.name for p in (package / "_shipped" / "templates").iterdir()) == sorted(
        p.name for p in (REPO / "templates").iterdir())


def test_the_wheel_metadata_names_its_licence_and_runtime_dependencies_only(
    installed: Path,
) -> None:
    venv = installed.parent.parent
    [metadata] = (venv / "lib").glob("python3*/site-packages/mailgate-*.dist-info/METADATA")
    text = metadata.read_text()
    assert "License-Expression: LicenseRef-Proprietary" in text
    assert "Classifier: Environment :: No Input/Output (Daemon)" in text
    runtime = [line for line in text.splitlines()
               if line.startswith("Requires-Dist:") and "extra ==" not in line]
    assert any("prometheus-client" in line for line in runtime)
    assert not any("mail-parser=" in line for line in runtime)  # the bench's baseline: an extra


def test_init_check_config_upgrade_and_ingest_from_another_folder(
    installed: Path, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("MAILGATE_CONFIG", "PYTHONPATH")}
    assert _run(installed, "--version", cwd=tmp_path).stdout.strip() == "mailgate 0.1.0"
    _run(installed, "init", "desk", cwd=tmp_path, env=env)
    secret = (tmp_path / "desk" / "mailgate.env").read_text().strip().split("=", 1)
    assert secret[0] == "MAILGATE_SECRET" and len(secret[1]) >= 32
    env["MAILGATE_SECRET"] = secret[1]
    config = tmp_path / "desk" / "config.toml"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    checked = _run(installed, "--config", config, "check-config", cwd=elsewhere, env=env)
    assert checked.stdout.startswith(f"{config}: OK")
    _run(installed, "--config", config, "db", "upgrade", cwd=elsewhere, env=env)
    (elsewhere / "request.eml").write_bytes(mail(message_id="<wheel@school.example>"))
    done = _run(installed, "--config", config, "ingest", "--no-send", "request.eml",
                cwd=elsewhere, env=env)
    assert "message 1: held" in done.stderr.splitlines()
    # the database is where the config says, relative to the config file, not to here
    assert (tmp_path / "desk" / "var" / "mailgate.db").is_file()
    assert not (elsewhere / "var").exists()
    listed = _run(installed, "--config", config, "pending", "list", cwd=elsewhere, env=env)
    assert "Printer in room 12 is jammed" in listed.stdout


def test_with_no_config_the_embedded_default_keeps_its_files_here(
    installed: Path, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("MAILGATE_CONFIG", "PYTHONPATH")}
    _run(installed, "db", "upgrade", cwd=tmp_path, env=env)
    assert (tmp_path / "var" / "mailgate.db").is_file()  # not inside site-packages
