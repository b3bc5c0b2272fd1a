"""Tests for the geopy-facing geocoders; the online one runs against fake HTTP adapters only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest
from geopy.adapters import BaseSyncAdapter
from geopy.exc import GeocoderServiceError, GeocoderTimedOut
from geopy.exc import GeocoderUnavailable as GeopyUnavailable
from geopy.location import Location

from peerfind import USER_AGENT
from peerfind.errors import GeocoderUnavailable, UnknownPlace
from peerfind.places import geocode
from peerfind.places import index as gazetteer_index
from peerfind.places.geocode import OSM_CREDIT, OfflineGeocoder, online_geocode


@pytest.fixture(scope="module")
def module_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Make one user folder for this module, and start and end it without cached connections."""
    gazetteer_index.reset()
    yield tmp_path_factory.mktemp("geocode-home")
    gazetteer_index.reset()


@pytest.fixture(autouse=True)
def home(module_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point PEERFIND_HOME at the module's temporary user folder; never sleep for real."""
    monkeypatch.setenv("PEERFIND_HOME", str(module_home))
    monkeypatch.setattr(geocode, "_sleep", lambda seconds: None)
    return module_home


PORTLAND = [
    {
        "place_id": 1,
        "lat": "45.5202471",
        "lon": "-122.674194",
        "display_name": "Portland, Multnomah County, Oregon, United States",
        "address": {
            "city": "Portland",
            "county": "Multnomah County",
            "state": "Oregon",
            "ISO3166-2-lvl4": "US-OR",
            "country": "United States",
            "country_code": "us",
        },
    }
]


class FakeNominatim(BaseSyncAdapter):
    """A geopy adapter that records requests and answers with `reply` (or raises it)."""

    is_available = True
    calls: ClassVar[list[tuple[str, dict[str, str]]]] = []
    reply: ClassVar[Any] = PORTLAND

    def get_json(self, url: str, *, timeout: float, headers: dict[str, str]) -> Any:
        """Record the request and return (or raise) the canned reply."""
        type(self).calls.append((url, headers))
        if isinstance(self.reply, Exception):
            raise self.reply
        return self.reply

    def get_text(self, url: str, *, timeout: float, headers: dict[str, str]) -> str:
        """Answer text requests like JSON ones."""
        return json.dumps(self.get_json(url, timeout=timeout, headers=headers))


@pytest.fixture
def fake() -> type[FakeNominatim]:
    """Return the fake adapter class with a clean request log and the Portland reply."""
    FakeNominatim.calls = []
    FakeNominatim.reply = PORTLAND
    return FakeNominatim


# --- offline ------------------------------------------------------------------------------------


def test_offline_geocode_returns_location_with_raw() -> None:
    location = OfflineGeocoder().geocode("Portland, OR")
    assert isinstance(location, Location)
    assert location.address == "Portland, OR"
    assert location.latitude == pytest.approx(45.523, abs=0.01)
    assert location.longitude == pytest.approx(-122.676, abs=0.01)
    assert location.raw == {
        "name": "Portland",
        "state": "OR",
        "population": 652_503,
        "precision": "city",
        "match": "exact",
        "timezone": "America/Los_Angeles",
        "kind": "city",
        "label": "Portland, OR",
        "postal_code": None,
        "note": None,
    }


def test_offline_geocode_zip() -> None:
    location = OfflineGeocoder().geocode("02139")
    assert location is not None
    assert location.raw["precision"] == "postal"
    assert location.raw["postal_code"] == "02139"


def test_offline_geocode_lists_candidates() -> None:
    found = OfflineGeocoder().geocode("Springfield", exactly_one=False)
    assert isinstance(found, list) and len(found) > 20
    assert [loc.raw["state"] for loc in found[:3]] == ["MO", "MA", "IL"]


def test_offline_geocode_miss_is_none() -> None:
    assert OfflineGeocoder().geocode("Xyzzyville, OR") is None


def test_offline_reverse() -> None:
    location = OfflineGeocoder().reverse((39.7392, -104.9903))
    assert location is not None and location.address == "Denver, CO"
    assert OfflineGeocoder().reverse("0, -30") is None


def test_offline_adapter_refuses_network() -> None:
    geocoder = OfflineGeocoder()
    with pytest.raises(GeocoderServiceError, match="never uses the network"):
        geocoder._call_geocoder("https://nominatim.openstreetmap.org/search?q=x", lambda r: r)


# --- online -------------------------------------------------------------------------------------


def test_online_geocode_request_and_result(home: Path, fake: type[FakeNominatim]) -> None:
    place = online_geocode(
        "1120 SW 5th Ave, Portland, OR", domain="nominatim.example.org", adapter_factory=fake
    )
    assert (place.kind, place.state, place.note) == ("address", "OR", OSM_CREDIT)
    assert place.name == "Portland, Multnomah County, Oregon, United States"
    assert place.label == place.name
    assert (place.lat, place.lon) == (45.5202471, -122.674194)
    assert place.timezone == "America/Los_Angeles"
    [(url, headers)] = fake.calls
    parts = urlsplit(url)
    assert parts.netloc == "nominatim.example.org"
    query = parse_qs(parts.query)
    assert query["q"] == ["1120 SW 5th Ave, Portland, OR"]
    assert query["limit"] == ["1"]
    assert "us" in query["countrycodes"][0].split(",")
    assert headers["User-Agent"] == USER_AGENT
    assert (home / geocode.CACHE_FILE).is_file()


def test_online_geocode_uses_cache(tmp_path: Path, fake: type[FakeNominatim]) -> None:
    cache = tmp_path / "cache.json"
    first = online_geocode("Portland, OR", cache_path=cache, adapter_factory=fake)
    fake.reply = GeopyUnavailable("should not be asked")
    second = online_geocode("  portland,   or ", cache_path=cache, adapter_factory=fake)
    assert second == first
    assert len(fake.calls) == 1


def test_online_geocode_not_found_is_cached(tmp_path: Path, fake: type[FakeNominatim]) -> None:
    cache = tmp_path / "cache.json"
    fake.reply = []
    for _ in range(2):
        with pytest.raises(UnknownPlace, match='found no US place for "Nowhere Special"'):
            online_geocode("Nowhere Special", cache_path=cache, adapter_factory=fake)
    assert len(fake.calls) == 1


@pytest.mark.parametrize(
    "error", [GeopyUnavailable("connection refused"), GeocoderTimedOut("timed out")]
)
def test_online_geocode_unreachable(
    tmp_path: Path, fake: type[FakeNominatim], error: Exception
) -> None:
    fake.reply = error
    with pytest.raises(GeocoderUnavailable) as info:
        online_geocode("Portland, OR", cache_path=tmp_path / "c.json", adapter_factory=fake)
    assert str(info.value).startswith(
        "the online geocoder at nominatim.openstreetmap.org did not respond ("
    )
    assert info.value.exit_code == 3
    assert len(fake.calls) == 1  # max_retries 0: one attempt only


def test_online_geocode_waits_one_second_between_requests(
    tmp_path: Path, fake: type[FakeNominatim], monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache.json"
    clock = [1000.0]
    slept: list[float] = []
    monkeypatch.setattr(geocode, "_now", lambda: clock[0])
    monkeypatch.setattr(geocode, "_sleep", slept.append)
    online_geocode("Portland, OR", cache_path=cache, adapter_factory=fake)
    assert slept == []
    clock[0] += 0.25
    online_geocode("Salem, OR", cache_path=cache, adapter_factory=fake)
    assert slept == [pytest.approx(0.75)]
    assert json.loads(cache.read_text())["last_request"] == 1000.25


def test_geocode_cache_can_be_turned_off(
    tmp_path: Path, fake: type[FakeNominatim], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(geocode, "_sleep", lambda seconds: None)
    cache = tmp_path / "cache.json"
    online_geocode("Portland, OR", domain="n.example.org", cache_path=cache, adapter_factory=fake)
    assert "portland" in cache.read_text()
    monkeypatch.setenv(geocode.CACHE_SETTING, "off")
    online_geocode("Portland, OR", domain="n.example.org", cache_path=cache, adapter_factory=fake)
    assert len(fake.calls) == 2  # not answered from the cache
    assert "portland" not in cache.read_text().lower()  # and what was kept is gone
    assert "last_request" in cache.read_text()  # only the rate limit's clock remains


def test_geopy_debug_lines_with_the_query_stay_out_of_logs(
    tmp_path: Path, fake: type[FakeNominatim], caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    logging.getLogger("geopy").setLevel(logging.NOTSET)
    with caplog.at_level(logging.DEBUG):
        online_geocode(
            "Secret Street 1, Portland, OR",
            domain="n.example.org",
            cache_path=tmp_path / "c.json",
            adapter_factory=fake,
        )
    assert fake.calls and "Secret" not in caplog.text
