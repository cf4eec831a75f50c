"""The JSON Schema says what `check` says: a corpus of wrong layer files, one rule each.

Every entry of tests/fixtures/invalid/ is refused by `check`, which names the broken key;
python-jsonschema refuses exactly the entries marked `# schema: yes` and accepts the others,
which break rules only `check` can see. scripts/schema_parity.py prints the counts (and runs
yaml-language-server too, when it is installed).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from geo.errors import Problem

REPO = Path(__file__).resolve().parents[1]


def _load_script():
    spec = importlib.util.spec_from_file_location(
        "schema_parity", REPO / "scripts" / "schema_parity.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


parity = _load_script()
ENTRIES = parity.corpus()
VALID = parity.valid_folders()


@pytest.fixture(scope="module")
def validator():
    return parity.validator()


def test_the_corpus_has_thirty_entries_each_naming_one_rule():
    assert len(ENTRIES) >= 30
    assert len({e.rule for e in ENTRIES}) == len(ENTRIES)
    assert {e.schema_catches for e in ENTRIES} == {True, False}
    for path in sorted(parity.CORPUS.glob("*.yaml")):
        lines = path.read_text("utf-8").splitlines()
        assert lines[0].startswith("# rule: "), path.name
        assert lines[1] in ("# schema: yes", "# schema: no"), path.name


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_check_rejects_the_entry_and_names_the_broken_key(entry):
    problems = parity.check_problems(entry)
    assert problems, f"check accepts {entry.name}"
    # one rule broken, so every problem is about the one key
    assert all(parity.names_key(p, entry.key) for p in problems), [str(p) for p in problems]


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_jsonschema_rejects_exactly_the_entries_marked_yes(entry, validator):
    errors = parity.schema_errors(validator, entry)
    if not entry.schema_catches:
        assert errors == [], [e.message for e in errors]
        return
    assert errors, f"the schema accepts {entry.name}"
    key = parity.key_path(entry.key)
    assert {key, key[:-1]} & set(parity.error_paths(errors)), [e.message for e in errors]


@pytest.mark.parametrize("folder", VALID, ids=lambda e: e.name)
def test_valid_layer_files_pass_check_and_the_schema(folder, validator):
    assert folder.files
    assert parity.check_problems(folder) == ()
    assert parity.schema_errors(validator, folder) == []


def test_names_key_accepts_the_key_or_its_parent_naming_it():
    at = Problem("a.yaml", 3, "features[0].lat", "95 is out of range")
    missing = Problem("a.yaml", 3, "features[0]", "missing required key 'precision'")
    assert parity.names_key(at, "features[0].lat")
    assert parity.names_key(missing, "features[0].precision")
    assert not parity.names_key(missing, "features[0].lat")
    assert parity.key_path("features[1].shape.countries[0]") == (
        "features",
        1,
        "shape",
        "countries",
        0,
    )


def test_the_table_counts_and_lists_disagreements():
    entries = [
        parity.Entry("a", (Path("a.yaml"),), "rule a", True, "id"),
        parity.Entry("b", (Path("b.yaml"),), "rule b", False, "id"),
        parity.Entry("valid x", (Path("x/1.yaml"), Path("x/2.yaml")), "", False, "", True),
    ]
    rejected = {"check": {"a", "b"}, "jsonschema": {"b", "valid x"}}
    assert parity.table(entries, rejected, "--no-yls").splitlines() == [
        "corpus: 2 entries (1 marked 'schema: yes', 1 'no')",
        "",
        "rejected by                                all  of yes   of no",
        "check                                    2/2     1/1     1/1",
        "jsonschema                               1/2     0/1     1/1",
        "yaml-language-server                   not run: --no-yls",
        "",
        "valid: 2 files in x",
        "check                                    0/2",
        "jsonschema                               2/2",
        "",
        "disagreements:",
        "  jsonschema: a (rule a) is accepted",
        "  jsonschema: b (rule b) is rejected",
        "  jsonschema: valid x (valid) is rejected",
    ]
