"""Post-mortem reports: the key lines in Markdown; a self-contained HTML page that escapes everything."""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

from review_helpers import EVENT_AT, EVENT_DAY, entry, observation, scenario, warning

from forewarn.model import Disposition, Origin, WarningState
from forewarn.review import PostMortem, postmortem, replay, to_html, to_markdown, window

HOSTILE = '<script>alert("x")</script> | **bold** <img src=https://evil.example/x.png>'
REPORT_AT = datetime(2024, 9, 1, tzinfo=UTC)


def dismissed(rationale: str = "Routine summer exercise.", with_series: bool = False) -> PostMortem:
    s = scenario()
    obs = [observation(1, EVENT_AT - timedelta(days=6, hours=3), evidence=f"Tanks seen near Sumy. {HOSTILE}"),
           observation(2, EVENT_AT - timedelta(days=5)), observation(3, EVENT_AT - timedelta(days=5))]
    w = warning(7, datetime(2024, 8, 1, 6, 30, tzinfo=UTC), origin=Origin.PARTNER, partner="Allied <desk>",
                title=f"Build-up {HOSTILE}", state=WarningState.DISPOSED, disposition=Disposition.DISMISSED)
    history = [entry(1, w.raised_at, "analyst", "warning-raised", 7, owner="duty-officer"),
               entry(2, w.raised_at + timedelta(hours=1), "duty-officer", "warning-acknowledged", 7, note="seen"),
               entry(3, datetime(2024, 8, 2, 9, 0, tzinfo=UTC), "desk-head", "warning-disposed", 7,
                     disposition="dismissed", rationale=rationale)]
    start, _ = window(s, EVENT_DAY)
    series = replay(s, obs, start, EVENT_AT, warnings=[w]) if with_series else None
    return postmortem(s, EVENT_DAY, obs, [w], {7: history}, 31, REPORT_AT, series=series)


def test_markdown_has_the_key_lines() -> None:
    md = to_markdown(dismissed())
    assert md.startswith("# Post-mortem: Cross-border push (border-push)\n")
    assert "Event 2024-08-06 00:00 UTC" in md
    assert "## Where the chain broke\n\n**Warned but dismissed**" in md
    assert "dismissed by desk-head on 2024-08-02 09:00 UTC. Rationale: “Routine summer exercise.”" in md
    assert "| first warning | 2024-08-01 06:30 | 4 d 17 h 30 min |" in md
    assert "| first signal | 2024-07-30 21:00 | 6 d 3 h |" in md
    assert "31 documents published and 3 coded events known in the window; 3 matched" in md
    assert "| 2024-08-01 07:30 | acknowledged | duty-officer | warning #7 acknowledged | seen |" in md
    assert "| #7 | partner (Allied &lt;desk&gt;) | elevated | 2024-08-01 06:30 | dismissed | desk-head |" in md


def test_markdown_neutralises_html_and_table_breaks() -> None:
    md = to_markdown(dismissed(rationale=HOSTILE + "\nsecond line"))
    assert "<script>" not in md and "<img" not in md
    assert "&lt;script&gt;" in md
    for line in md.splitlines():
        if line.startswith("| "):  # every table row keeps its cell count: pipes in values are escaped
            assert len(re.findall(r"(?<!\\)\|", line)) in {3, 4, 6, 12}, line


def test_html_escapes_every_value() -> None:
    page = to_html(dismissed(rationale=HOSTILE))
    assert "<script" not in page and "<img src=https" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "Allied &lt;desk&gt;" in page
    assert "evil.example" not in page.split("</head>")[0]


def test_html_is_self_contained() -> None:
    page = to_html(dismissed(with_series=True))
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    without_text = re.sub(r">[^<]*<", "><", page)  # what is left: tags and attributes
    assert not re.search(r"(src|href)=\"(https?:)?//", without_text)
    assert "<link" not in page and "<script" not in page
    uri = re.search(r'<img src="data:image/svg\+xml;base64,([^"]+)"', page)
    assert uri is not None
    assert ET.fromstring(base64.b64decode(uri.group(1))).tag.endswith("svg")
    assert "<h2>Replay</h2>" in page and "first reached" in page
    assert "<li>2024-08-01 00:00 UTC: no level → high (" in page


def test_html_structure() -> None:
    page = to_html(dismissed())
    assert page.startswith("<!DOCTYPE html>")
    assert '<p class="break dismissed">Warned but dismissed</p>' in page
    assert page.count("<section>") == page.count("</section>") == 5
    assert "<img" not in page  # no replay, no chart
