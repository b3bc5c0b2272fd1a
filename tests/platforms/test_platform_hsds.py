"""The Open Referral HSDS 3.0 importer on the specification's own examples (tests/fixtures/hsds).

The examples (CC BY-SA 4.0, Open Referral; see ATTRIBUTION.md) describe a fictional "MyCity"
counselling service: it is not a support group, so the default filter skips it and these tests set
support_groups_only=False to check the mapping. They also carry deliberate bad values (latitude
100, quoted phone numbers, UNTIL with COUNT) that the importer must survive.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, load_page

from peerfind import vocab
from peerfind.errors import ParseError
from peerfind.models import Follow, Group, Page
from peerfind.platforms import platform_class
from peerfind.platforms.classify import NOT_SUPPORT
from peerfind.platforms.hsds import Hsds
from peerfind.scraping import SourceConfig

FETCHED = datetime(2024, 1, 15, 12, 0, tzinfo=UTC)
EXAMPLE = FIXTURES / "hsds/hsds-3.0-example"
BASE = "https://hsds.example.org/v3/"
SAL_ID = "e94c9f38-1e8f-4564-91d4-d53501ab1765"
SERVICE_ID = "ac148810-d857-441c-9679-408f346de14b"


def scraper(only_support: bool = False, **cfg: Any) -> Hsds:
    """Return an HSDS importer (keeping every service unless told otherwise)."""
    return Hsds(
        SourceConfig(
            name="mycity",
            platform="hsds",
            url=BASE,
            options={"support_groups_only": only_support},
            **cfg,
        )
    )


def json_page(name: str, url: str = BASE + "services") -> Page:
    """Return one of the JSON examples as a page."""
    return load_page(f"hsds/{name}", url=url, fetched_at=FETCHED)


def run_package(parser: Hsds, folder: Path = EXAMPLE) -> list[Group]:
    """Run the tabular package the way the runner would: datapackage.json, then each table."""
    start = Page(
        url=BASE + "datapackage.json",
        fetched_at=FETCHED,
        text=(folder / "datapackage.json").read_text(encoding="utf-8"),
    )
    queue = list(parser.parse(start))
    groups: list[Group] = []
    while queue:
        follow = queue.pop(0)
        assert isinstance(follow, Follow) and follow.url.startswith(BASE)
        name = follow.url.rsplit("/", 1)[-1]
        page = Page(
            url=follow.url, text=(folder / name).read_text(encoding="utf-8"), fetched_at=FETCHED
        )
        for item in getattr(parser, follow.callback)(page, **follow.meta):
            (groups if isinstance(item, Group) else queue).append(item)
    return groups


def test_registered() -> None:
    assert platform_class("hsds") is Hsds
    assert scraper().urls() == (BASE + "datapackage.json",)


def test_service_full_fields() -> None:
    parser = scraper()
    (group,) = parser.parse_groups(json_page("hsds-3.0-example/service_full.json"))
    assert group.source_key == SAL_ID
    assert group.name == "Community Counselling"
    assert group.organization == "Example Organization Inc."
    assert group.source_url == "http://example.com/counselling"
    assert group.venue == "MyCity Civic Center"
    assert group.address == ""  # the only address is a postal one: locality kept, street not
    assert (group.city, group.region, group.postal_code, group.country) == (
        "MyCity",
        "MyState",
        "ABC 1234",
        "US",
    )
    assert (group.latitude, group.longitude, group.geo_precision) == (None, None, "none")
    assert group.format == vocab.HYBRID  # physical location, "in-person or remotely via video"
    assert group.phone == "+44 1234 234567"  # quotes around the number removed
    assert group.email == ""  # email@example.com is a placeholder
    assert group.languages == ("ur",)
    assert group.topics == ("anxiety", "depression_bipolar", "eating_disorders", "mental_health")
    assert group.source_updated == "2023-03-15"
    assert group.last_verified == "2005-01-01"  # assured_date: when it was last checked
    s = group.schedule
    assert (s.kind, s.days, s.start, s.end) == ("weekly", (4, 5), "10:00", "18:00")
    assert s.until == "2005-01-01"
    assert s.text.startswith("The service is available from 10 am to 6pm weekdays.")
    assert group.problems() == []
    assert parser.report.produced == 1 and not parser.report.skipped


def test_contacts_are_never_used() -> None:
    (group,) = scraper().parse_groups(json_page("hsds-3.0-example/service_full.json"))
    dumped = json.dumps(group.to_dict())
    assert "Ann Persona" not in dumped and "A. Persona" not in dumped


def test_support_groups_only_by_default() -> None:
    parser = scraper(only_support=True)
    assert parser.parse_groups(json_page("hsds-3.0-example/service_full.json")) == []
    assert parser.report.skipped == {NOT_SUPPORT: 1}
    default = Hsds(SourceConfig(name="x", platform="hsds"))
    assert default.parse_groups(json_page("hsds-3.0-example/service_full.json")) == []


def test_support_group_keywords_and_config_zone() -> None:
    data = json.loads((EXAMPLE / "service_full.json").read_text(encoding="utf-8"))
    data["name"] = "Community Counselling peer support group"
    data["schedules"][0]["description"] = "Thursdays and Fridays 10:00, America/Chicago"
    data["service_at_locations"] = []
    parser = scraper(only_support=True, timezone="America/New_York")
    (group,) = parser.parse_groups(
        Page(url=BASE + "services/x", text=json.dumps(data), fetched_at=FETCHED)
    )
    assert group.source_key == SERVICE_ID
    assert group.schedule.timezone == "America/Chicago"  # the zone named in the description


def test_paged_service_list_follows_next_page() -> None:
    parser = scraper()
    items = list(parser.parse(json_page("openreferral-service_list.json")))
    groups = [i for i in items if isinstance(i, Group)]
    follows = [i for i in items if isinstance(i, Follow)]
    assert [g.source_key for g in groups] == [SERVICE_ID]
    assert groups[0].organization == "Example Organization Inc."
    assert follows == [Follow(BASE + "services?page=2")]


def test_service_at_location_list() -> None:
    (group,) = scraper().parse_groups(
        json_page("openreferral-service_at_location_list.json", BASE + "service_at_locations")
    )
    assert group.source_key == SAL_ID
    assert (group.name, group.venue) == ("Community Counselling", "MyCity Civic Center")


def test_csv_package_through_datapackage() -> None:
    parser = scraper()
    (group,) = run_package(parser)
    assert group.source_key == SAL_ID
    assert group.name == "Community Counselling"
    assert group.organization == "Example Organization Inc."
    assert group.phone == "+44 1234 234567"
    assert group.languages == ("ur",)
    assert (group.city, group.latitude) == ("MyCity", None)
    assert group.format == vocab.HYBRID
    s = group.schedule
    assert (s.kind, s.days, s.start, s.end, s.until) == (
        "weekly",
        (4, 5),
        "10:00",
        "18:00",
        "2005-01-01",
    )
    assert parser.report.produced == 1


def test_csv_package_from_a_directory(tmp_path: Path) -> None:
    (group,) = scraper().read_directory(EXAMPLE, FETCHED)
    assert group.source_key == SAL_ID and group.phone == "+44 1234 234567"
    for name in ("services.csv", "organizations.csv"):
        shutil.copy(EXAMPLE / name, tmp_path / name)
    (bare,) = scraper().read_directory(tmp_path, FETCHED)  # no datapackage.json, no locations
    assert (bare.source_key, bare.organization) == (SERVICE_ID, "Example Organization Inc.")


def test_contact_only_phones_are_dropped(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "pkg")
    phones = tmp_path / "pkg/phones.csv"
    header, row = phones.read_text(encoding="utf-8").splitlines()
    cells = row.split(",")
    cells[2] = cells[3] = ""  # keep only the contact_id link
    phones.write_text(header + "\n" + ",".join(cells) + "\n", encoding="utf-8")
    (group,) = scraper().read_directory(tmp_path / "pkg", FETCHED)
    assert group.phone == ""


@pytest.mark.parametrize(
    "text",
    [
        "<!DOCTYPE html><html><body>Sign in</body></html>",
        (EXAMPLE / "service_full.json").read_text(encoding="utf-8")[:500],
        "",
        '{"unexpected": true}',
        "42",
    ],
)
def test_bad_json_pages_raise_parse_error(text: str) -> None:
    with pytest.raises(ParseError):
        list(scraper().parse(Page(url=BASE + "services", text=text, fetched_at=FETCHED)))


def test_datapackage_without_services_raises() -> None:
    with pytest.raises(ParseError):
        list(
            scraper().parse(
                Page(
                    url=BASE + "datapackage.json",
                    fetched_at=FETCHED,
                    text='{"resources": [{"name": "organization"}]}',
                )
            )
        )


def test_html_instead_of_a_csv_table_raises() -> None:
    parser = scraper()
    start = Page(
        url=BASE + "datapackage.json",
        fetched_at=FETCHED,
        text=(EXAMPLE / "datapackage.json").read_text(encoding="utf-8"),
    )
    (follow,) = list(parser.parse(start))
    with pytest.raises(ParseError):
        list(
            parser.parse_table(Page(url=follow.url, text="<html>error</html>", fetched_at=FETCHED))
        )


def test_wrong_types_and_empty_lists() -> None:
    parser = scraper()
    rows: list[Any] = [
        1,
        {"id": "x"},
        {"name": "No id"},
        {"id": "d", "name": "Gone", "status": "defunct"},
    ]
    assert (
        parser.parse_groups(Page(url=BASE + "services", text=json.dumps(rows), fetched_at=FETCHED))
        == []
    )
    assert parser.report.skipped == {"no id or name": 3, "defunct": 1}
    empty = scraper()
    assert empty.parse_groups(Page(url=BASE + "services", text="[]", fetched_at=FETCHED)) == []
