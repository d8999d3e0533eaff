"""The store's interfaces are real: SqlStore has every method of each, with the same parameters, and
each is what its users take."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from forewarn.ingest.batch import BatchBuilder
from forewarn.ingest.pipeline import Ingestor
from forewarn.nlp.runner import extract_documents
from forewarn.store import SqlStore
from forewarn.store.interfaces import ExtractionStore, IngestStore


def members(protocol: type) -> list[str]:
    return [name for name, value in vars(protocol).items() if inspect.isfunction(value) and not name.startswith("_")]


@pytest.mark.parametrize("protocol", [IngestStore, ExtractionStore])
def test_sqlstore_conforms(protocol: type) -> None:
    assert members(protocol)
    for name in members(protocol):
        wanted = list(inspect.signature(getattr(protocol, name)).parameters)
        assert list(inspect.signature(getattr(SqlStore, name)).parameters) == wanted, name


@pytest.mark.parametrize(("user", "protocol"), [(Ingestor.__init__, IngestStore), (BatchBuilder.__init__, IngestStore),
                                                (extract_documents, ExtractionStore)])
def test_users_take_the_narrow_interface(user: Any, protocol: type) -> None:
    assert inspect.get_annotations(user, eval_str=True)["store"] is protocol
