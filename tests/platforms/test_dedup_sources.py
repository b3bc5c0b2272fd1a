"""The same meeting published by a Meeting Guide feed and by a BMLT server is listed once."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from conftest import load_page
from typer.testing import CliRunner

from peerfind.catalog import db as catalog
from peerfind.cli.app import app
from peerfind.models import Follow, Group
from peerfind.platforms.bmlt import Bmlt
from peerfind.platforms.meeting_guide import MeetingGuide
from peerfind.scraping import SourceConfig
from peerfind.search.engine import Query, search

SYDNEY = "Australia/Sydney"


def build(tmp_path):  # type: ignore[no-untyped-def]
    """Store the BMLT record and its Meeting Guide twin as two sources; return the db path."""
    bmlt = Bmlt(SourceConfig(name="na-sydney-bmlt", timezone=SYDNEY, program="na"))
    root = "http://127.0.0.1/main_server/client_interface/json/"
    formats_page = load_page(
        "bmlt/bmlt-GetFormats-reconstructed.json", url=f"{root}?switcher=GetFormats"
    )
    (follow,) = list(bmlt.parse(formats_page))  # the formats page asks for the meetings next
    assert isinstance(follow, Follow) and "GetSearchResults" in follow.url
    page = load_page("bmlt/bmlt-workflow-GetSearchResults-one-meeting.json", url=follow.url)
    bmlt_groups = [g for g in bmlt.parse(page, **follow.meta) if isinstance(g, Group)]
    mg = MeetingGuide(SourceConfig(name="na-sydney-feed", timezone=SYDNEY, program="na"))
    mg_groups = mg.parse_groups(load_page("meeting_guide/bmlt-tsml-maroubra-derived.json"))
    assert len(bmlt_groups) == 1 and len(mg_groups) == 1
    path = tmp_path / "c.db"
    conn = catalog.connect(path, create=True)
    catalog.refresh_source(conn, "na-sydney-bmlt", bmlt_groups)
    catalog.refresh_source(conn, "na-sydney-feed", mg_groups)
    return path, bmlt_groups[0], mg_groups[0]


def test_same_meeting_two_sources_once(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path, from_bmlt, from_feed = build(tmp_path)
    assert from_bmlt.id != from_feed.id  # two listings in the catalog ...
    assert (from_bmlt.schedule.days, from_bmlt.schedule.start) == ((2,), "19:00")
    now = datetime(2026, 11, 24, 9, 0, tzinfo=ZoneInfo(SYDNEY))
    conn = catalog.connect(path)
    results = search(conn, Query(formats=["online"], now=now, user_tz=SYDNEY, limit=50)).results
    maroubra = [r for r in results if "Maroubra" in r.group.name]
    assert len(maroubra) == 1  # ... one result
    assert len(maroubra[0].also_from) == 1
    assert {maroubra[0].group.source, *maroubra[0].also_from} == {
        "na-sydney-bmlt",
        "na-sydney-feed",
    }
    assert maroubra[0].next_meeting == datetime(2026, 11, 24, 19, 0, tzinfo=ZoneInfo(SYDNEY))


def test_show_lists_every_source(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path, from_bmlt, from_feed = build(tmp_path)
    result = CliRunner().invoke(app, ["--db", str(path), "show", from_feed.id])
    assert result.exit_code == 0, result.output
    assert "Also listed by: na-sydney-bmlt" in result.stdout
