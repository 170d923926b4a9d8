"""docs/data-dictionary.md is each table's model YAML checked against its definition."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from rva.config import load_stack_config
from rva.errors import ConfigError
from rva.sql.docs import DICTIONARY, data_dictionary, declared_tables, tables
from rva.sql.render import TEMPLATES

CFG = load_stack_config(env={})


@pytest.fixture
def model_docs(tmp_path: Path) -> Path:
    """A copy of templates/' model YAML files, to break."""
    for path in TEMPLATES.glob("*/*.yml"):
        target = tmp_path / path.relative_to(TEMPLATES)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    return tmp_path


def edit(path: Path, change) -> None:  # noqa: ANN001 (a function of the parsed file)
    doc = yaml.safe_load(path.read_text())
    change(doc["models"][0])
    path.write_text(yaml.safe_dump(doc))


def test_the_dictionary_is_current() -> None:
    assert DICTIONARY.read_text() == data_dictionary(CFG), "docs/data-dictionary.md is stale: run `rva sql docs`"


def test_every_table_written_is_documented() -> None:
    names = {t.doc.name for t in tables(CFG)}
    assert {"bronze_raw", "bronze_rejects", "silver_detection", "gold_zone_dwell", "live_occupancy"} <= names
    assert "events_topic" not in names


def test_types_come_from_the_definition() -> None:
    sql = ("CREATE TABLE IF NOT EXISTS c.n.t (\n    a STRING NOT NULL,\n    -- why\n"
           "    b ARRAY <ROW <x STRING, y INT>>,\n    c DOUBLE\n) WITH ('k' = 'v');")
    [(name, columns)] = declared_tables(sql).items()
    assert name == "t"
    assert [(c.name, c.type, c.not_null) for c in columns] == [
        ("a", "STRING", True), ("b", "ARRAY <ROW <x STRING, y INT>>", False), ("c", "DOUBLE", False)]


def test_an_undocumented_column_is_named(model_docs: Path) -> None:
    edit(model_docs / "gold" / "gold_zone_dwell.yml", lambda m: m["columns"].pop())
    with pytest.raises(ConfigError, match=r"gold_zone_dwell\.dwell_s is not documented"):
        tables(CFG, model_docs)


def test_a_column_the_table_lacks_is_named(model_docs: Path) -> None:
    edit(model_docs / "gold" / "gold_zone_dwell.yml",
         lambda m: m["columns"].append({"name": "zone_name", "description": "gone"}))
    with pytest.raises(ConfigError, match=r"gold_zone_dwell\.zone_name is documented but the table has no such"):
        tables(CFG, model_docs)


def test_a_table_without_yaml_is_named(model_docs: Path) -> None:
    (model_docs / "silver" / "silver_late_events.yml").unlink()
    with pytest.raises(ConfigError, match="silver_late_events has no model YAML"):
        tables(CFG, model_docs)


def test_a_bad_key_is_one_line(model_docs: Path) -> None:
    edit(model_docs / "bronze" / "bronze_raw.yml", lambda m: m.update(colums=[]))
    with pytest.raises(ConfigError, match=r"bronze/bronze_raw\.yml: ") as error:
        tables(CFG, model_docs)
    assert "\n" not in str(error.value)
