from pathlib import Path

import pytest
from django.test import Client

from catalog.io import ImportReport, catalog_import
from catalog.models import Case, Component, Fee, Field, Procedure, ProcedureVersion, Step

SAMPLE = Path(__file__).parent / "data" / "sample_catalog.json"


@pytest.fixture
def client() -> Client:
    # Admin pages are asserted in their English source text.
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


@pytest.fixture
def imported(db: None) -> ImportReport:
    return catalog_import(path=SAMPLE)


def catalog_rows() -> dict[str, int]:
    """How many rows each catalog table holds, to prove an import touched nothing."""
    models = [Field, Procedure, ProcedureVersion, Case, Component, Fee, Step]
    return {model.__name__: model.objects.count() for model in models}


def changed(text: str, line: int, old: str, new: str) -> str:
    """``text`` with ``old`` replaced by ``new`` on line ``line`` (1-based) only.

    Naming the line keeps each broken-file test honest about where it breaks.
    """
    lines = text.split("\n")
    assert old in lines[line - 1], f"{old!r} is not on line {line}: {lines[line - 1]!r}"
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    return "\n".join(lines)
