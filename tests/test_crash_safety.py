"""A real build stopped, killed, run twice at once or pointed at a bad folder: the outputs stay
whole (old or new, never half-written, never a mixture) and no temporary file stays behind.

Builds run as subprocesses on the shipped layers, and are stopped with real signals.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from geo.atlas_types import Atlas
from geo.cli import cli
from geo.errors import ExportError
from geo.fileio import staged_targets
from geo.outputs import write_outputs

fcntl = pytest.importorskip("fcntl", reason="signals, locks and pids as on Linux and macOS")

REPO = Path(__file__).resolve().parents[1]
#: the CLI's main() as it runs once it calls run_interruptible (the CLI helper wires it in)
INTERRUPTIBLE = (
    "from geo.cli import cli; from geo.fileio import run_interruptible; run_interruptible(cli)"
)
#: html and a small png: staging lasts the seconds the page and the image take to draw
MAP_AND_IMAGE = ("--output", "OUT/map.html", "--png", "OUT/map.png", "--width-px", "400")
#: html and GeoJSON: the quickest complete build
MAP_AND_FEATURES = ("--output", "OUT/map.html", "--geojson", "OUT/map.geojson")
OLD = {"map.html": b"old map", "map.png": b"old image"}
TIMEOUT_S = 120  # generous: a loaded machine; a build takes about 4 s


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A working folder with the shipped layers and an empty output folder OUT/."""
    (tmp_path / "layers").symlink_to(REPO / "layers", target_is_directory=True)
    (tmp_path / "OUT").mkdir()
    return tmp_path


def start(project: Path, *args: str, main: str = INTERRUPTIBLE) -> subprocess.Popen[str]:
    """Start a build; `main` is Python code, or a script path such as build_map.py."""
    program = [str(REPO / main)] if main.endswith(".py") else ["-c", main]
    return subprocess.Popen(
        [sys.executable, *program, "--layers", "layers", *args],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_staging(build: subprocess.Popen[str], out: Path, *names: str) -> list[Path]:
    """Wait until `build` has staged every output in `names`; return its staging folders
    (named after its pid: `build` must be the Python process itself)."""
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        folders = [
            folder
            for name in names
            for folder in out.glob(f".{name}.defense-map-{build.pid}-*.tmp")
        ]
        if len(folders) == len(names):
            return folders
        if build.poll() is not None:
            pytest.fail(f"the build ended before staging: {build.communicate()[1]}")
        time.sleep(0.005)
    build.kill()
    pytest.fail("the build did not start staging in time")


def contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def assert_complete_map_and_features(out: Path) -> None:
    page = (out / "map.html").read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert len(json.loads((out / "map.geojson").read_text("utf-8"))["features"]) == 40


@pytest.mark.parametrize(
    ("signum", "code", "name"),
    [(signal.SIGTERM, 143, "SIGTERM"), (signal.SIGINT, 130, "SIGINT (Ctrl-C)")],
    ids=["sigterm", "ctrl-c"],
)
def test_a_stopped_build_leaves_old_outputs_and_no_temporary_files(
    project: Path, signum: int, code: int, name: str
):
    out = project / "OUT"
    for file, data in OLD.items():
        (out / file).write_bytes(data)
    build = start(project, *MAP_AND_IMAGE)
    wait_for_staging(build, out, "map.html", "map.png")
    build.send_signal(signum)
    _, stderr = build.communicate(timeout=TIMEOUT_S)
    assert build.returncode == code, stderr
    assert stderr.endswith(f"Error: interrupted by {name}; the outputs were left as they were\n")
    assert "Traceback" not in stderr
    assert contents(out) == OLD  # no staging folder, no lock file


def test_build_map_py_handles_sigterm_like_ctrl_c(project: Path):
    out = project / "OUT"
    (out / "map.html").write_bytes(b"old map")
    build = start(project, "--output", "OUT/map.html", main="build_map.py")
    wait_for_staging(build, out, "map.html")
    build.terminate()
    _, stderr = build.communicate(timeout=TIMEOUT_S)
    assert build.returncode == 143, stderr
    assert "Error: interrupted by SIGTERM; the outputs were left as they were\n" in stderr
    assert contents(out) == {"map.html": b"old map"}


def dead_pid() -> int:
    probe = subprocess.Popen(["true"])
    probe.wait()  # reaped: the pid is free (and not reused this soon)
    return probe.pid


def test_a_killed_build_leaves_staging_that_the_next_build_removes(project: Path):
    out = project / "OUT"
    gone = dead_pid()
    # not a staging folder, one of a live process, one of another output, and a file: kept
    kept = [
        out / ".map.html.other.tmp",
        out / f".map.html.defense-map-{os.getpid()}-abcd1234.tmp",
        out / f".other.html.defense-map-{gone}-abcd1234.tmp",
    ]
    for folder in kept:
        folder.mkdir()
    (out / f".map.geojson.defense-map-{gone}-file.tmp").write_bytes(b"a file, not ours")
    kept.append(out / f".map.geojson.defense-map-{gone}-file.tmp")

    build = start(project, *MAP_AND_FEATURES, main="build_map.py")
    staged = wait_for_staging(build, out, "map.html", "map.geojson")
    build.kill()  # SIGKILL: nothing can clean up
    build.communicate(timeout=TIMEOUT_S)
    assert all(folder.is_dir() for folder in staged)

    again = subprocess.run(
        [sys.executable, str(REPO / "build_map.py"), "--layers", "layers", *MAP_AND_FEATURES],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )
    assert again.returncode == 0, again.stderr
    assert not any(folder.exists() for folder in staged)
    assert all(path.exists() for path in kept)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [*(p.name for p in kept), "map.geojson", "map.html"]
    )
    assert_complete_map_and_features(out)


def test_two_builds_at_once_leave_one_complete_set(project: Path):
    out = project / "OUT"
    builds = {
        title: start(
            project,
            *("--title", title, *MAP_AND_FEATURES),
            main="build_map.py",
        )
        for title in ("Build A", "Build B")
    }
    for build in builds.values():
        _, stderr = build.communicate(timeout=TIMEOUT_S)
        assert build.returncode == 0, stderr
    title = json.loads((out / "map.geojson").read_text("utf-8"))["name"]
    other = next(t for t in builds if t != title)
    page = (out / "map.html").read_text("utf-8")
    assert f"<title>{title}</title>" in page and other not in page
    assert sorted(p.name for p in out.iterdir()) == ["map.geojson", "map.html"]


def test_a_build_replaces_its_outputs_only_once_it_holds_the_lock(project: Path):
    out = project / "OUT"
    (out / "map.html").write_bytes(b"old map")
    (out / "map.geojson").write_bytes(b"old features")
    lock = os.open(out / ".defense-map.lock", os.O_RDONLY | os.O_CREAT)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)  # as another build replacing its outputs does
        build = start(project, *MAP_AND_FEATURES, main="build_map.py")
        wait_for_staging(build, out, "map.html", "map.geojson")
        # the GeoJSON, written last, appears in its staging folder whole (a rename)
        deadline = time.monotonic() + TIMEOUT_S
        while not list(out.glob(".map.geojson.defense-map-*.tmp/map.geojson")):
            assert build.poll() is None and time.monotonic() < deadline
            time.sleep(0.01)
        time.sleep(1.0)  # time to replace both, were the lock not honoured
        assert build.poll() is None
        assert (out / "map.html").read_bytes() == b"old map"
        assert (out / "map.geojson").read_bytes() == b"old features"
    finally:
        os.close(lock)  # releases the lock
    _, stderr = build.communicate(timeout=TIMEOUT_S)
    assert build.returncode == 0, stderr
    assert_complete_map_and_features(out)
    assert sorted(p.name for p in out.iterdir()) == ["map.geojson", "map.html"]  # lock removed


# --------------------------------------------------------------------------------------------
# Folders that cannot take the outputs: refused before any work
# --------------------------------------------------------------------------------------------

_READ_ONLY_CHILD = """
import json
from click.testing import CliRunner
from geo.atlas_types import Atlas
from geo.cli import cli
from geo.errors import ExportError
from geo.outputs import write_outputs

try:
    write_outputs(Atlas("t", ()), {"html": "ro/map.html", "geojson": "ro/map.geojson"})
    library = "written"
except ExportError as error:
    library = str(error)
result = CliRunner().invoke(cli, ["--output", "ro/map.html"], prog_name="build_map.py")
print(json.dumps({"library": library, "code": result.exit_code, "stderr": result.stderr}))
"""


def _without_root_override() -> None:
    """In the child: drop CAP_DAC_OVERRIDE from the bounding set, so that root too is refused
    by folder permissions (the kernel's real check; no mock)."""
    pr_capbset_drop, cap_dac_override = 24, 1
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(pr_capbset_drop, cap_dac_override, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def test_a_read_only_folder_is_refused_before_any_work(tmp_path: Path):
    as_root = os.geteuid() == 0
    if as_root and not sys.platform.startswith("linux"):
        pytest.skip("root ignores folder permissions; dropping that needs Linux")
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        child = subprocess.run(
            [sys.executable, "-c", _READ_ONLY_CHILD],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            preexec_fn=_without_root_override if as_root else None,
        )
    finally:
        folder.chmod(0o755)
    assert child.returncode == 0, child.stderr
    result = json.loads(child.stdout)
    assert result["library"] == (
        "cannot write ro/map.html: folder ro is read-only\n"
        "cannot write ro/map.geojson: folder ro is read-only"
    )
    assert result["code"] == 1
    assert result["stderr"] == "Error: cannot write ro/map.html: folder ro is read-only\n"
    assert list(folder.iterdir()) == []


def test_a_missing_folder_or_a_folder_in_the_way_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "out" / "map.html").mkdir(parents=True)
    with pytest.raises(ExportError) as refused:
        write_outputs(Atlas("t", ()), {"html": "out/map.html", "geojson": "gone/map.geojson"})
    assert str(refused.value) == (
        "out/map.html: is a folder; give a file name\n"
        "cannot write gone/map.geojson: folder gone does not exist; create it first"
    )
    result = CliRunner().invoke(cli, ["--output", "gone/map.html"], prog_name="build_map.py")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: cannot write gone/map.html: folder gone does not exist; create it first\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_cli_output_that_is_a_folder_exits_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "out" / "map.html").mkdir(parents=True)
    result = CliRunner().invoke(cli, ["--output", "out/map.html"], prog_name="build_map.py")
    assert result.exit_code == 1, result.output
    assert result.stderr == "Error: out/map.html: is a folder; give a file name\n"


def test_a_failed_rename_puts_back_the_outputs_already_replaced(tmp_path: Path):
    (tmp_path / "map.html").write_bytes(b"old map")
    targets = [tmp_path / "new.kml", tmp_path / "map.html", tmp_path / "map.geojson"]
    with (
        pytest.raises(ExportError, match=r"^cannot write .*map\.geojson: Is a directory$"),
        staged_targets(targets) as temps,
    ):
        for temp in temps.values():
            temp.write_bytes(b"new")
        (tmp_path / "map.geojson" / "inside").mkdir(parents=True)  # a folder after the checks
    assert (tmp_path / "map.html").read_bytes() == b"old map"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.geojson", "map.html"]
