"""The data dictionary: each table's model YAML (templates/<layer>/<table>.yml, dbt's
format) checked against the table definition the templates render, then written as
docs/data-dictionary.md by `rva sql docs`.

The YAML holds what only a person can say (what a row is, what a column means); the
types and NOT NULL come from the rendered CREATE TABLE, so the dictionary cannot drift
from the tables: a column the YAML misses, or one the table no longer has, is an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rva.config import REPO_ROOT, StackConfig
from rva.errors import ConfigError
from rva.sql.render import LAYERS, TEMPLATES, render_context, render_layer

DICTIONARY = REPO_ROOT / "docs" / "data-dictionary.md"
SOURCES = ("events_topic",)  # the topic read, not a table written: docs/events.md is its contract
_CREATE = re.compile(r"CREATE (?:TEMPORARY )?TABLE (?:IF NOT EXISTS )?(?:[\w`]+\.)*(\w+) \(\n(.*?)\n\)",
                     re.DOTALL)


class ColumnDoc(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str
    description: str


class ModelDoc(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str
    description: str
    grain: str = Field(description="What one row is.")
    columns: list[ColumnDoc]


class ModelFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    version: int
    models: list[ModelDoc]


@dataclass(frozen=True)
class Column:
    """A column as the rendered CREATE TABLE declares it."""

    name: str
    type: str
    not_null: bool


@dataclass(frozen=True)
class Table:
    layer: str
    doc: ModelDoc
    columns: tuple[Column, ...]


def load_model_docs(folder: Path = TEMPLATES) -> dict[str, tuple[Path, ModelDoc]]:
    """Every model documented in ``folder``'s */*.yml, by table name."""
    docs: dict[str, tuple[Path, ModelDoc]] = {}
    for path in sorted(folder.glob("*/*.yml")):
        try:
            models = ModelFile.model_validate(yaml.safe_load(path.read_text())).models
        except yaml.YAMLError as e:
            raise ConfigError(f"{path.relative_to(folder.parent)}: not YAML: {' '.join(str(e).split())}") from None
        except ValidationError as e:
            first = e.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise ConfigError(f"{path.relative_to(folder.parent)}: {where}: {first['msg']}") from None
        for model in models:
            if model.name in docs:
                raise ConfigError(f"{path.relative_to(folder.parent)}: {model.name} is documented twice")
            docs[model.name] = (path, model)
    return docs


def _split_columns(body: str) -> list[str]:
    """The column definitions of a CREATE TABLE body, split on commas outside <...>."""
    parts, depth, current = [], 0, ""
    for line in body.splitlines():
        code = line.split("--", 1)[0].strip()
        for char in code:
            if char in "<(":
                depth += 1
            elif char in ">)":
                depth -= 1
            if char == "," and depth == 0:
                parts.append(current.strip())
                current = ""
            else:
                current += char
        current += " "
    if current.strip():
        parts.append(current.strip())
    return parts


def declared_tables(sql: str) -> dict[str, tuple[Column, ...]]:
    """The columns of every CREATE TABLE in ``sql``, by table name."""
    tables = {}
    for name, body in _CREATE.findall(sql):
        columns = []
        for definition in _split_columns(body):
            column, type_ = definition.split(None, 1)
            not_null = type_.upper().endswith("NOT NULL")
            columns.append(Column(column, type_[: -len("NOT NULL")].strip() if not_null else type_, not_null))
        tables[name] = tuple(columns)
    return tables


def tables(cfg: StackConfig, folder: Path = TEMPLATES) -> list[Table]:
    """Every table the layers create, with its documentation; ConfigError naming the
    first table or column that is documented and not declared, or the other way round."""
    docs = load_model_docs(folder)
    context = render_context(cfg, "local")
    found: list[Table] = []
    for layer in LAYERS:
        for name, columns in declared_tables(render_layer(layer, context)).items():
            if name in SOURCES:
                continue
            if name not in docs:
                raise ConfigError(f"{layer}: table {name} has no model YAML (templates/{layer}/{name}.yml)")
            path, doc = docs.pop(name)
            where = path.relative_to(folder.parent)
            documented = [c.name for c in doc.columns]
            declared = [c.name for c in columns]
            if missing := [c for c in declared if c not in documented]:
                raise ConfigError(f"{where}: {name}.{missing[0]} is not documented")
            if extra := [c for c in documented if c not in declared]:
                raise ConfigError(f"{where}: {name}.{extra[0]} is documented but the table has no such column")
            if documented != declared:
                raise ConfigError(f"{where}: {name}'s columns are documented in another order than declared")
            found.append(Table(layer, doc, columns))
    if docs:
        name, (path, _) = next(iter(docs.items()))
        raise ConfigError(f"{path.relative_to(folder.parent)}: {name} is documented but no layer creates it")
    return found


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def data_dictionary(cfg: StackConfig, folder: Path = TEMPLATES) -> str:
    """docs/data-dictionary.md's text."""
    out = ["# Data dictionary", "",
           "Generated by `rva sql docs` from each table's model YAML (templates/<layer>/<table>.yml)",
           "and the table definitions the templates render: do not edit.", ""]
    documented = tables(cfg, folder)
    for layer in LAYERS:  # in the order a reader meets them
        layer_tables = [t for t in documented if t.layer == layer]
        if not layer_tables:
            continue
        out += [f"## {layer.capitalize()}", ""]
        for table in layer_tables:
            out += [f"### {table.doc.name}", "", _cell(table.doc.description), "",
                    f"Grain: {_cell(table.doc.grain)}.", "",
                    "| column | type | null | description |", "| --- | --- | --- | --- |"]
            described = {c.name: c.description for c in table.doc.columns}
            for column in table.columns:
                null = "not null" if column.not_null else "nullable"
                out.append(f"| `{column.name}` | `{column.type}` | {null} | {_cell(described[column.name])} |")
            out.append("")
    return "\n".join(out)


def write_data_dictionary(cfg: StackConfig, path: Path = DICTIONARY) -> Path:
    path.write_text(data_dictionary(cfg))
    return path
