"""Write files atomically: an existing output is either replaced whole or left as it was.

Outputs are written into staging folders beside their targets and moved over them only when
all were written. A build stopped by Ctrl-C or SIGTERM removes its staging folders on the way
out; one killed outright (SIGKILL, power loss) leaves them, and the next build of the same
output removes them: their names say whose they are (`.map.html.defense-map-<pid>-<random>.tmp`).
Two builds that write into the same folder replace their sets of files one after the other,
under a lock, so the folder never holds a mixture of both.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any

from .errors import ExportError

try:
    import fcntl
except ImportError:  # Windows: no flock; builds of the same outputs are then not serialised
    fcntl = None  # type: ignore[assignment]

PathLike = str | os.PathLike[str]

#: In the names of staging folders and of the lock file: what marks them as this program's.
_TAG = "defense-map"
#: A staging folder older than this is abandoned even if its pid is alive (a reused pid).
_ABANDONED_AFTER_S = 3600.0
_LOCK_NAME = f".{_TAG}.lock"
#: The signals that stop a build; held while a set of targets is replaced.
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


#: The `Interrupted` raised by the handlers of `install_signal_handlers` in this process: how
#: `run_interruptible` learns of one that click has already turned into an exit code.
_raised: list[Interrupted] = []


class Interrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM stopped the program (see `install_signal_handlers`).

    A KeyboardInterrupt, so every `finally` runs and code that already handles Ctrl-C handles
    SIGTERM too. `replaced` names the targets moved into place just before the signal was
    delivered (it is held while a set of targets is replaced); empty if none were.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.replaced: tuple[Path, ...] = ()


@contextlib.contextmanager
def atomic_target(path: PathLike) -> Iterator[Path]:
    """Yield a temporary path beside `path`; move it over `path` only if the block succeeds.

    A temporary *folder* (not just a file) holds the work so that drivers which add sidecar
    files (SQLite journals for GeoPackage) are cleaned up with it, and so the file inside keeps
    the target's name and extension, which GDAL uses to pick a driver.
    """
    target = Path(path)
    with staged_targets([target]) as temps:
        yield temps[target]


@contextlib.contextmanager
def staged_targets(paths: Iterable[PathLike]) -> Iterator[dict[Path, Path]]:
    """Yield a temporary path for each target; replace the targets only if all were written.

    A run that writes a map and several exports either replaces all of them or none, so a
    failing export never leaves a new map beside old exports. Staging folders left by killed
    builds of the same targets are removed first.
    """
    targets = [Path(path) for path in paths]
    for target in targets:
        _check_target(target)
    for target in targets:
        _remove_abandoned(target)
    with contextlib.ExitStack() as cleanup:
        # held: a signal between making a folder and registering its removal would leak it
        with _signals_held():
            temps = {target: _stage(target, cleanup) / target.name for target in targets}
        try:
            yield temps
        except OSError as exc:
            names = ", ".join(str(target) for target in targets)
            raise ExportError(f"cannot write {names}: {exc.strerror or exc}") from exc
        except Interrupted as stop:
            stop.replaced = ()  # stopped while writing: none of these targets was touched
            raise
        for target, temp in temps.items():
            if not temp.exists():
                raise ExportError(f"cannot write {target}: nothing was written")
        _replace_all(temps)


def fsync_file(path: Path) -> None:
    """Flush `path` to disk so the rename never exposes a file whose bytes are not yet written."""
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def folder_problem(target: Path) -> str | None:
    """Say why `target`'s folder cannot take a new file (missing, read-only), or None.

    Checked before any work; the real error of making the staging folder is reported too.
    """
    folder = target.parent
    if not folder.is_dir():
        return f"cannot write {target}: folder {folder} does not exist; create it first"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"cannot write {target}: folder {folder} is read-only"
    return None


def install_signal_handlers() -> None:
    """Make SIGTERM stop the program as Ctrl-C does: with an `Interrupted` (a KeyboardInterrupt).

    Staging folders are then removed on the way out and every existing output is left as it
    was. Ctrl-C raises `Interrupted` too, so the exit code can tell the two apart (see
    `run_interruptible`). Call it from the main thread (elsewhere it does nothing); a signal
    that is ignored (`nohup`, background jobs of a script) stays ignored.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    defaults: dict[int, Any] = {
        signal.SIGINT: signal.default_int_handler,
        signal.SIGTERM: signal.SIG_DFL,
    }
    for signum, default in defaults.items():
        if signal.getsignal(signum) == default:
            signal.signal(signum, _raise_interrupted)


def run_interruptible(main: Callable[[], object]) -> None:
    """Run a command line `main` (a click command) so that Ctrl-C and SIGTERM exit cleanly.

    Exit code 130 for Ctrl-C, 143 for SIGTERM (128 + the signal's number, as shells do), after
    one `Error: interrupted by …` line on stderr that says whether the outputs were replaced.
    click reports a KeyboardInterrupt as "Aborted!" with exit code 1; this turns that exit
    into the signal's code.
    """
    install_signal_handlers()
    try:
        main()
    except KeyboardInterrupt as stop:
        sys.exit(_report_interruption(stop))
    except SystemExit as done:
        if not _raised or done.code in (0, None):
            raise
        sys.exit(_report_interruption(_raised[-1]))


def _raise_interrupted(signum: int, frame: FrameType | None) -> None:
    stop = Interrupted(signum)
    _raised.append(stop)
    raise stop


def _report_interruption(stop: KeyboardInterrupt) -> int:
    signum = stop.signum if isinstance(stop, Interrupted) else signal.SIGINT
    name = signal.Signals(signum).name + (" (Ctrl-C)" if signum == signal.SIGINT else "")
    replaced = stop.replaced if isinstance(stop, Interrupted) else ()
    if replaced:
        done = f"after {', '.join(str(path) for path in replaced)} had been replaced whole"
        message = f"Error: interrupted by {name} {done}"
    else:
        message = f"Error: interrupted by {name}; the outputs were left as they were"
    with contextlib.suppress(OSError):  # stderr closed: the exit code still says it
        print(message, file=sys.stderr, flush=True)
    return 128 + int(signum)


def _check_target(target: Path) -> None:
    problem = folder_problem(target)
    if problem:
        raise ExportError(problem)
    if target.is_dir():
        raise ExportError(f"cannot write {target}: it is a folder; give a file name")


def _stage(target: Path, cleanup: contextlib.ExitStack) -> Path:
    """Make the staging folder of `target` and have `cleanup` remove it."""
    prefix = f".{target.name}.{_TAG}-{os.getpid()}-"
    try:
        work = Path(tempfile.mkdtemp(prefix=prefix, suffix=".tmp", dir=target.parent))
    except OSError as exc:
        raise ExportError(f"cannot write {target}: {exc.strerror or exc}") from exc
    cleanup.callback(shutil.rmtree, work, ignore_errors=True)
    return work


def _remove_abandoned(target: Path) -> None:
    """Remove the staging folders of `target` left by builds that were killed.

    Only folders named as `_stage` names them, for this very target, whose process is gone
    or which are older than an hour; anything else beside the target is never touched.
    """
    pattern = re.compile(re.escape(f".{target.name}.{_TAG}-") + r"(\d+)-[a-z0-9_]+\.tmp")
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match and entry.is_dir(follow_symlinks=False):
            try:
                age_s = time.time() - entry.stat(follow_symlinks=False).st_mtime
            except OSError:
                continue  # another build removed it first
            if age_s > _ABANDONED_AFTER_S or not _process_alive(int(match[1])):
                shutil.rmtree(entry.path, ignore_errors=True)


def _process_alive(pid: int) -> bool:
    """Whether a process `pid` exists (a zombie counts); unsure means yes."""
    if pid == os.getpid() or os.name == "nt":  # on Windows os.kill would end the process
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):  # PermissionError: alive, another user's
        return True
    return True


def _replace_all(temps: dict[Path, Path]) -> None:
    """Move every staged file over its target, as one step that others and signals cannot cut.

    Another build's replacements wait for the lock, so the set of each lands whole; Ctrl-C and
    SIGTERM are delivered after the step; if a rename fails, those done are undone.
    """
    for target, temp in temps.items():
        try:
            fsync_file(temp)
        except OSError as exc:
            raise ExportError(f"cannot write {target}: {exc.strerror or exc}") from exc
    folders = sorted({target.parent.resolve() for target in temps}, key=str)
    with contextlib.ExitStack() as locks:
        for folder in folders:  # always in the same order: two builds cannot deadlock
            locks.enter_context(_folder_lock(folder))
        replaced = False
        try:
            with _signals_held():
                _replace_or_undo(temps)
                replaced = True
                for folder in folders:
                    _fsync_folder(folder)
        except Interrupted as stop:
            stop.replaced = tuple(temps) if replaced else ()
            raise


def _replace_or_undo(temps: dict[Path, Path]) -> None:
    undo: list[Callable[[], None]] = []
    for target, temp in temps.items():
        try:
            keep = _keeper_of(target, temp.parent)
            os.replace(temp, target)
        except OSError as exc:
            for step in reversed(undo):
                with contextlib.suppress(OSError):
                    step()
            raise ExportError(f"cannot write {target}: {exc.strerror or exc}") from exc
        undo.append(keep)


def _keeper_of(target: Path, work: Path) -> Callable[[], None]:
    """Keep the current `target` (a hard link in its staging folder) and return what puts it
    back if a later rename of the same set fails."""
    if not os.path.lexists(target):
        return lambda: os.unlink(target)
    backup = work / f"previous-{target.name}"
    try:
        os.link(target, backup, follow_symlinks=False)
    except (OSError, NotImplementedError):  # no hard links here: it cannot be put back
        return lambda: None
    return lambda: os.replace(backup, target)


def _fsync_folder(folder: Path) -> None:
    """Flush the renames in `folder` to disk (POSIX; elsewhere, and where refused, skipped)."""
    if os.name == "nt":
        return
    with contextlib.suppress(OSError):
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


@contextlib.contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on `folder` (its `.defense-map.lock`), waiting for other builds.

    The lock file is removed while still locked; a build that was waiting on the removed file
    sees that the name now points elsewhere (or nowhere) and locks again.
    """
    if fcntl is None:
        yield
        return
    path = folder / _LOCK_NAME
    while True:
        handle = _open_lock(path)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
        except OSError as exc:
            os.close(handle)
            if exc.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.EINVAL):
                raise ExportError(f"cannot lock {path}: {exc.strerror or exc}") from exc
            handle = -1  # a file system without locks (some network ones): as on Windows
            break
        except BaseException:
            os.close(handle)
            raise
        if _same_file(handle, path):
            break
        os.close(handle)
    try:
        yield
    finally:
        if handle >= 0:
            with contextlib.suppress(OSError):
                os.unlink(path)
            os.close(handle)


def _open_lock(path: Path) -> int:
    try:
        return os.open(path, os.O_RDONLY | os.O_CREAT, 0o666)
    except OSError as exc:
        raise ExportError(f"cannot lock {path}: {exc.strerror or exc}") from exc


def _same_file(handle: int, path: Path) -> bool:
    try:
        now = os.stat(path, follow_symlinks=False)
    except OSError:
        return False
    held = os.fstat(handle)
    return (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM during a short step that must not be cut in half; deliver them
    after it to the handlers they would have reached. Only the main thread gets signals."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []
    previous: dict[int, Any] = {}

    def hold(signum: int, frame: FrameType | None) -> None:
        pending.append(signum)

    try:
        for stop_signal in _STOP_SIGNALS:
            handler = signal.getsignal(stop_signal)
            if handler is not None:  # None: set outside Python, could not be put back
                previous[stop_signal] = handler
                signal.signal(stop_signal, hold)
        yield
    finally:
        for held, handler in previous.items():
            signal.signal(held, handler)
        if pending:
            _deliver(pending[0], previous[pending[0]])


def _deliver(signum: int, handler: Any) -> None:
    if callable(handler):
        handler(signum, None)
    elif handler == signal.SIG_DFL:
        signal.raise_signal(signum)  # the default action: end the process as it would have
