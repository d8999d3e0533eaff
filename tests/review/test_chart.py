"""Replay charts: PNG and SVG files that are valid, deterministic and mark the warnings."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path

import pytest
from review_helpers import T0, observation, scenario, warning

from forewarn.errors import InvalidArgument
from forewarn.model import Disposition, Origin
from forewarn.review import replay
from forewarn.review.chart import chart_data_uri, render, write_chart

DAY = timedelta(days=1)


def series(**kw: object):  # type: ignore[no-untyped-def]
    obs = [observation(1, T0 + timedelta(days=2, hours=10)), observation(2, T0 + timedelta(days=3, hours=8)),
           observation(3, T0 + timedelta(days=3, hours=9))]
    stored = [warning(1, T0 + 4 * DAY + timedelta(hours=2), acknowledged_at=T0 + 5 * DAY),
              warning(2, T0 + 2 * DAY, origin=Origin.PARTNER, partner="Allied desk",
                      disposition=Disposition.DISMISSED, disposed_at=T0 + 3 * DAY)]
    return replay(scenario(), obs, T0, T0 + 20 * DAY, warnings=stored, **kw)  # type: ignore[arg-type]


def test_png(tmp_path: Path) -> None:
    path = write_chart(series(), tmp_path / "replay.png", event_at=T0 + 15 * DAY)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000


def test_svg_is_xml_with_the_marks(tmp_path: Path) -> None:
    path = write_chart(series(), tmp_path / "replay.svg", event_at=T0 + 15 * DAY)
    text = path.read_text(encoding="utf-8")
    root = ET.fromstring(text)
    assert root.tag.endswith("svg")
    for label in ("probability", "would warn", "scenario warning", "partner warning", "acknowledged", "dismissed",
                  "event", "elevated 20%", "high 50%", "critical 80%"):
        assert f"<!-- {label} -->" in text, label
    assert "Date" not in text.split("<defs>")[0]  # no timestamp in the metadata


def test_same_series_same_bytes() -> None:
    assert render(series(), "svg") == render(series(), "svg")
    assert render(series(), "png") == render(series(), "png")


def test_hostile_titles_are_drawn_as_text(tmp_path: Path) -> None:
    path = write_chart(series(), tmp_path / "x.svg", title="$\\frac{<script>}$ --> <b>")
    ET.fromstring(path.read_text(encoding="utf-8"))  # still well-formed


def test_only_png_and_svg(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgument, match=r"\.png or \.svg"):
        write_chart(series(), tmp_path / "chart.pdf")
    with pytest.raises(InvalidArgument, match="cannot write"):
        write_chart(series(), tmp_path / "missing" / "chart.png")


def test_data_uri_is_an_svg_image() -> None:
    uri = chart_data_uri(series())
    prefix = "data:image/svg+xml;base64,"
    assert uri.startswith(prefix)
    assert ET.fromstring(base64.b64decode(uri[len(prefix):])).tag.endswith("svg")
