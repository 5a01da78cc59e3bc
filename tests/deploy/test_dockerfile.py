"""The Dockerfile runs the Makefile's commands (`make -n` prints them), so the image and a
checkout cannot drift apart; and it is built the way production needs it."""

from __future__ import annotations

import re
import subprocess

from tests.support.servers import PROJECT

DOCKERFILE = (PROJECT / "Dockerfile").read_text()


def _make(target: str) -> list[str]:
    """The commands ``make`` would run for ``target``, variables expanded, split on ``&&``."""
    printed = subprocess.run(
        ["make", "--no-print-directory", "-n", "-B", target],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [
        " ".join(part.split()) for line in printed.splitlines() for part in line.split("&&") if part.strip()
    ]


def _run_commands() -> list[str]:
    """Every command of every RUN instruction, continuation lines joined, split on ``&&``."""
    joined = DOCKERFILE.replace("\\\n", " ")
    commands = []
    for line in joined.splitlines():
        if line.startswith("RUN "):
            commands += [" ".join(part.split()) for part in line.removeprefix("RUN ").split("&&")]
    return commands


def test_assets_stage_runs_the_makefile_assets_commands() -> None:
    makefile = [c for c in _make("assets") if not c.startswith("touch ")]

    assert [c for c in _run_commands() if c in makefile] == makefile


def test_python_stage_installs_as_the_makefile_does() -> None:
    # the image installs the same pinned project, without the dev extra and not editable
    venv = ".venv/bin/python "
    makefile = [c.replace(venv, "python ") for c in _make("install") if c.startswith(venv) and " pip " in c]
    expected = [c.replace(" -e '.[dev]'", " .") for c in makefile]

    assert expected == ["python -m pip install -q --upgrade pip", "python -m pip install -q ."]
    assert [c for c in _run_commands() if " pip " in c] == expected


def test_image_serves_and_migrates_with_the_makefile_commands() -> None:
    run = [c.replace(".venv/bin/python ", "python ") for c in _make("run") if "main.py" in c]

    assert run == ["python main.py migrate", "python main.py serve"]
    assert 'CMD ["python", "main.py", "serve"]' in DOCKERFILE


def test_image_runs_as_a_user_with_a_healthcheck() -> None:
    stages = re.findall(r"^FROM (\S+)", DOCKERFILE, re.MULTILINE)

    assert stages[0].startswith("node:") and stages[-1].startswith("python:3.11-slim")
    assert re.search(r"^USER eroom$", DOCKERFILE, re.MULTILINE)
    assert re.search(r"^HEALTHCHECK .*\n.*/health", DOCKERFILE, re.MULTILINE)
    assert "COPY --from=assets /src/static/vendor static/vendor" in DOCKERFILE
