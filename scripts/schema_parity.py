#!/usr/bin/env python3
"""Measure how far the JSON Schema of layer files says what `check` says, on wrong files.

    .venv/bin/python scripts/schema_parity.py [--corpus DIR] [--yls COMMAND | --no-yls]

The corpus (tests/fixtures/invalid/) holds layer files that each break one rule, and folders
of files for rules across files. Each entry starts with comment lines naming the rule, whether
JSON Schema can catch it and the key `check` names:

    # rule: a colour is #rrggbb
    # schema: yes
    # key: style.color

The script prints how many entries `check` (geo.atlas.load_atlas) rejects, how many the JSON
Schema rejects through python-jsonschema and, when Node.js and yaml-language-server are
installed (npm install --prefix /tmp/yls yaml-language-server), through the language server
the way an editor runs it, then every entry where a validator disagrees with its marking.
tests/test_schema_corpus.py uses the same functions.
"""

from __future__ import annotations

import argparse
import json
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geo.atlas import load_atlas
from geo.errors import LayerFileError, Problem
from geo.schema import json_schema

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "fixtures" / "invalid"
#: folders of valid layer files, which every validator must accept
VALID = (REPO / "layers", REPO / "tests" / "fixtures" / "basic")
YLS_DEFAULT = "/tmp/yls/node_modules/.bin/yaml-language-server"
_HEADER = re.compile(r"^# (rule|schema|key): (.*)$")


@dataclass(frozen=True)
class Entry:
    """One wrong layer file, or one folder of files that are wrong together."""

    name: str
    files: tuple[Path, ...]
    rule: str
    schema_catches: bool  # `# schema: yes`: JSON Schema can say this rule
    key: str  # the key path `check` names, e.g. features[1].shape.countries[0]
    valid: bool = False  # a folder of valid files: nothing may reject them


def valid_folders(folders: Iterable[Path] = VALID) -> list[Entry]:
    """The folders of valid layer files as entries (checked as a whole: files refer to each
    other's sites)."""
    return [
        Entry(f"valid {f.relative_to(REPO)}", tuple(sorted(f.glob("*.yaml"))), "", False, "", True)
        for f in folders
    ]


def corpus(folder: Path = CORPUS) -> list[Entry]:
    """Read the corpus entries of `folder`, sorted by name."""
    entries = []
    for path in sorted(folder.iterdir()):
        if path.suffix != ".yaml" and not path.is_dir():
            continue
        files = tuple(sorted(path.glob("*.yaml"))) if path.is_dir() else (path,)
        headers = [_header(f) for f in files]
        found = [h for h in headers if h]
        if len(found) != 1:
            raise ValueError(f"{path}: expected one file starting with # rule/schema/key lines")
        head = found[0]
        if head["schema"] not in ("yes", "no"):
            raise ValueError(f"{path}: '# schema:' is yes or no, got {head['schema']!r}")
        entries.append(Entry(path.stem, files, head["rule"], head["schema"] == "yes", head["key"]))
    return entries


def _header(path: Path) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in path.read_text("utf-8").splitlines():
        match = _HEADER.match(line)
        if not match:
            break
        fields[match[1]] = match[2].strip()
    return fields if set(fields) == {"rule", "schema", "key"} else {}


# --- check ---------------------------------------------------------------------------------


def check_problems(entry: Entry) -> tuple[Problem, ...]:
    """Run `check` (load_atlas) on a folder holding only the entry's files; return what it
    reports (nothing when it accepts them)."""
    with tempfile.TemporaryDirectory() as tmp:
        for path in entry.files:
            shutil.copy(path, Path(tmp) / path.name)
        try:
            load_atlas(Path(tmp))
        except LayerFileError as exc:
            return exc.problems
    return ()


def names_key(problem: Problem, key: str) -> bool:
    """Whether a problem is about `key`: at it, or at its parent naming it (a missing key)."""
    parent, _, leaf = key.rpartition(".") if not key.endswith("]") else (key, "", "")
    if problem.path == key:
        return True
    words = f"{problem.problem}; {problem.allowed}"
    return (
        bool(leaf)
        and problem.path == parent
        and re.search(rf"\b{re.escape(leaf)}\b", words) is not None
    )


# --- JSON Schema through python-jsonschema -------------------------------------------------


class _EditorLoader(yaml.SafeLoader):
    """PyYAML as `check` reads values (dates stay text), but keeping a repeated key's last
    value instead of refusing it, as an editor's YAML-to-JSON step does."""


_EditorLoader.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def schema_data(path: Path) -> Any:
    """Read a layer file as the JSON data a schema validator sees (keys become text)."""
    return json.loads(json.dumps(yaml.load(path.read_text("utf-8"), Loader=_EditorLoader)))


def validator() -> jsonschema.protocols.Validator:
    """A validator for the layer schema, of the draft the schema declares."""
    schema = json_schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def schema_errors(check: jsonschema.protocols.Validator, entry: Entry) -> list[Any]:
    """The jsonschema errors of every file of an entry."""
    return [e for path in entry.files for e in check.iter_errors(schema_data(path))]


def error_paths(errors: Iterable[Any]) -> Iterator[tuple[str | int, ...]]:
    """Where each error and each of its sub-errors (anyOf, oneOf branches) is."""
    for error in errors:
        yield tuple(error.absolute_path)
        yield from error_paths(error.context or [])


def key_path(key: str) -> tuple[str | int, ...]:
    """Turn `features[1].shape.countries[0]` into ('features', 1, 'shape', 'countries', 0)."""
    return tuple(
        int(index) if index else name for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", key)
    )


# --- yaml-language-server --------------------------------------------------------------


class LanguageServer:
    """A minimal LSP client: start the server on stdio, open documents, collect diagnostics.

    Each document names its schema in a first-line modeline, as the README tells users to do;
    a schema given in the settings instead applies only once the server has read them, which
    races with the documents being opened."""

    def __init__(self, command: list[str], schema_uri: str):
        self.modeline = f"# yaml-language-server: $schema={schema_uri}\n"
        self.settings = {"yaml": {"validate": True, "schemaStore": {"enable": False}}}
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        self.diagnostics: dict[str, list[dict[str, Any]]] = {}
        try:
            self._request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
            self._notify("initialized", {})
            self._notify("workspace/didChangeConfiguration", {"settings": self.settings})
        except BaseException:
            self.close()
            raise

    def _send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def _notify(self, method: str, params: dict[str, Any]) -> None:
        self._send({"method": method, "params": params})

    def _request(self, method: str, params: dict[str, Any]) -> None:
        self._send({"id": 0, "method": method, "params": params})
        deadline = time.monotonic() + 30
        while self._receive(timeout=1.0).get("id") != 0:
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"yaml-language-server did not answer {method!r}")

    def _receive(self, timeout: float) -> dict[str, Any]:
        """Read one message ({} if none came in time), answering the server's requests."""
        stdout = self.process.stdout
        assert stdout is not None
        if not select.select([stdout], [], [], timeout)[0]:
            return {}
        length = 0
        while (line := stdout.readline().strip()) != b"":
            name, _, value = line.decode().partition(":")
            length = int(value) if name.lower() == "content-length" else length
        message: dict[str, Any] = json.loads(stdout.read(length))
        if message.get("method") == "workspace/configuration":
            items = message["params"]["items"]
            answer = [self.settings["yaml"] if i.get("section") == "yaml" else None for i in items]
            self._send({"id": message["id"], "result": answer})
        elif "method" in message and "id" in message:
            self._send({"id": message["id"], "result": None})
        elif message.get("method") == "textDocument/publishDiagnostics":
            self.diagnostics[message["params"]["uri"]] = message["params"]["diagnostics"]
        return message

    def check(self, paths: list[Path], *, quiet_s: float = 2.0) -> dict[Path, list[Any]]:
        """Open the files; return each one's diagnostics once the server has gone quiet."""
        for path in paths:
            text = self.modeline + path.read_text("utf-8")
            document = {"uri": path.as_uri(), "languageId": "yaml", "version": 1, "text": text}
            self._notify("textDocument/didOpen", {"textDocument": document})
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if not self._receive(timeout=quiet_s) and all(
                p.as_uri() in self.diagnostics for p in paths
            ):
                break
        return {p: self.diagnostics.get(p.as_uri(), []) for p in paths}

    def close(self) -> None:
        self.process.kill()
        self.process.wait()


def yls_command(option: str | None) -> list[str] | None:
    """The command that starts yaml-language-server, or None when it or Node.js is absent."""
    found = shutil.which(option or "yaml-language-server") or (
        YLS_DEFAULT if option is None and Path(YLS_DEFAULT).exists() else None
    )
    if found is None or shutil.which("node") is None:
        return None
    return [found, "--stdio"]


def yls_errors(entries: list[Entry], command: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Run yaml-language-server over every entry; return its error diagnostics per entry."""
    with tempfile.TemporaryDirectory() as tmp:
        schema_file = Path(tmp) / "layer.schema.json"
        schema_file.write_text(json.dumps(json_schema(), indent=2), encoding="utf-8")
        copies: dict[Path, str] = {}
        for number, entry in enumerate(entries):
            folder = Path(tmp) / f"{number:03d}"
            folder.mkdir()
            for path in entry.files:
                shutil.copy(path, folder / path.name)
                copies[folder / path.name] = entry.name
        server = LanguageServer(command, schema_file.as_uri())
        try:
            found = server.check(list(copies))
        finally:
            server.close()
    errors: dict[str, list[dict[str, Any]]] = {entry.name: [] for entry in entries}
    for path, diagnostics in found.items():
        errors[copies[path]] += [d for d in diagnostics if d.get("severity", 1) == 1]
    return errors


# --- the table -----------------------------------------------------------------------------


def measure(entries: list[Entry], yls: list[str] | None) -> dict[str, set[str]]:
    """Return, per validator, the names of the entries it rejects."""
    check = validator()
    rejected = {
        "check": {e.name for e in entries if check_problems(e)},
        "jsonschema": {e.name for e in entries if schema_errors(check, e)},
    }
    if yls is not None:
        try:
            found = yls_errors(entries, yls)
        except (OSError, RuntimeError, ValueError) as exc:
            print(f"yaml-language-server failed ({exc}); leaving it out", file=sys.stderr)
            return rejected
        rejected["yaml-language-server"] = {n for n, d in found.items() if _from_schema(d)}
        # a YAML error (a repeated key, say) is the parser's, not the schema's
        rejected["yaml-language-server, YAML errors only"] = {
            n for n, d in found.items() if d and not _from_schema(d)
        }
    return rejected


def _from_schema(diagnostics: list[dict[str, Any]]) -> bool:
    return any(str(d.get("source", "")).startswith("yaml-schema") for d in diagnostics)


def table(entries: list[Entry], rejected: dict[str, set[str]], yls_note: str) -> str:
    """Write the counts as a plain-text table, then the entries that disagree."""
    valid = [e for e in entries if e.valid]
    entries = [e for e in entries if not e.valid]
    yes = {e.name for e in entries if e.schema_catches}
    no = {e.name for e in entries} - yes
    lines = [
        f"corpus: {len(entries)} entries ({len(yes)} marked 'schema: yes', {len(no)} 'no')",
        "",
        f"{'rejected by':<38} {'all':>7} {'of yes':>7} {'of no':>7}",
    ]
    for name, names in rejected.items():
        counts = [(names & (yes | no), entries), (names & yes, yes), (names & no, no)]
        lines.append(f"{name:<38}" + "".join(f" {len(a):>3}/{len(b):<3}" for a, b in counts))
    if "yaml-language-server" not in rejected:
        lines.append(f"{'yaml-language-server':<38} not run: {yls_note}")
    files = sum(len(e.files) for e in valid)
    lines += ["", f"valid: {files} files in " + ", ".join(e.name[6:] for e in valid)]
    for name, names in rejected.items():
        bad = sum(len(e.files) for e in valid if e.name in names)
        lines.append(f"{name:<38} {bad:>3}/{files:<3}")
    wrong = [
        f"  {name}: {e.name} ({e.rule or 'valid'}) is "
        + ("rejected" if e.name in names else "accepted")
        for name, names in rejected.items()
        if "YAML errors" not in name
        for e in [*entries, *valid]
        if (e.name in names) != (not e.valid and (name == "check" or e.schema_catches))
    ]
    return "\n".join(
        line.rstrip() for line in [*lines, "", "disagreements:", *(wrong or ["  none"])]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="folder of wrong files")
    parser.add_argument(
        "--yls", help=f"yaml-language-server command (default: PATH or {YLS_DEFAULT})"
    )
    parser.add_argument("--no-yls", action="store_true", help="skip yaml-language-server")
    args = parser.parse_args(argv)
    entries = corpus(args.corpus) + valid_folders()
    yls = None if args.no_yls else yls_command(args.yls)
    note = "--no-yls" if args.no_yls else "Node.js or yaml-language-server not found or failed"
    print(table(entries, measure(entries, yls), note))
    return 0


if __name__ == "__main__":
    sys.exit(main())
