"""deploy/: the systemd unit is one systemd accepts (`systemd-analyze verify`, the real tool)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
UNIT = REPO / "deploy" / "mailgate.service"


def _verify(text: str, folder: Path) -> subprocess.CompletedProcess[str]:
    """The unit with its /opt/mailgate paths pointed at this venv (verify checks that the
    programs exist), checked by systemd-analyze."""
    tool = shutil.which("systemd-analyze")
    assert tool, "systemd-analyze is missing: .ci/run installs Debian's systemd package"
    mailgate = Path(sys.executable).with_name("mailgate")
    unit = folder / "mailgate.service"
    unit.write_text(text.replace("/opt/mailgate/bin/mailgate", str(mailgate)))
    return subprocess.run([tool, "verify", "--man=no", str(unit)], capture_output=True,
                          text=True, timeout=60, check=False)


def test_the_unit_passes_systemd_analyze_verify_without_a_word(tmp_path: Path) -> None:
    checked = _verify(UNIT.read_text(), tmp_path)
    assert (checked.returncode, checked.stdout, checked.stderr) == (0, "", "")


def test_a_mistake_in_the_unit_is_caught(tmp_path: Path) -> None:
    broken = UNIT.read_text().replace("RestartSec=5", "RestartSeconds=5")
    checked = _verify(broken, tmp_path)
    assert "Unknown key 'RestartSeconds'" in checked.stderr


def test_the_unit_runs_what_the_readme_says(tmp_path: Path) -> None:
    text = UNIT.read_text()
    readme = (REPO / "README.md").read_text()
    for line in ("ExecStartPre=/opt/mailgate/bin/mailgate --config /etc/mailgate/config.toml "
                 "db upgrade",
                 "ExecStart=/opt/mailgate/bin/mailgate --config /etc/mailgate/config.toml serve",
                 "EnvironmentFile=/etc/mailgate/mailgate.env"):
        assert line in text.splitlines()
    assert "deploy/mailgate.service" in readme
    assert "RestartPreventExitStatus=78" in text  # a wrong config is not restarted for ever
