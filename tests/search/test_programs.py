"""National programs and warmlines: the data is sound and cited, and searches never dead-end."""

from __future__ import annotations

import copy
import json
import re
import tomllib

import pytest
from typer.testing import CliRunner

from peerfind import vocab
from peerfind.cli import render_programs
from peerfind.cli.app import app
from peerfind.search import programs

runner = CliRunner()
NOW = "2026-11-24T18:30:00-05:00"
BILLINGS = "Billings, MT"


def run(*args: str):  # type: ignore[no-untyped-def]
    """Invoke peerfind; stdout and stderr are kept apart."""
    return runner.invoke(app, list(args), env={"PEERFIND_NOW": NOW, "TZ": "America/Denver"})


def bundled() -> dict:  # type: ignore[type-arg]
    """Return the bundled programs.toml, parsed."""
    return tomllib.loads(programs.default_path().read_text(encoding="utf-8"))


# --- the data ---------------------------------------------------------------------------


def test_bundled_data_has_no_problem() -> None:
    assert programs.problems(bundled()) == []
    directory = programs.load()
    assert len(directory.programs) >= 10 and directory.warmlines


def test_every_fact_of_every_entry_is_cited_with_https() -> None:
    for kind in ("program", "warmline"):
        for entry in bundled()[kind]:
            facts = set(entry) - {"id", "read", "cite", "general"}
            assert facts <= set(entry["cite"]), (entry["id"], facts - set(entry["cite"]))
            for urls in entry["cite"].values():
                for url in [urls] if isinstance(urls, str) else urls:
                    assert url.startswith("https://"), (entry["id"], url)
            assert entry["read"] == "2026-12-05"


def _sample() -> dict:  # type: ignore[type-arg]
    """Return a small valid programs.toml structure to break in tests."""
    return {
        "program": [
            {
                "id": "sample",
                "name": "Sample groups",
                "organization": "Sample org",
                "about": "Groups.",
                "topics": ["grief_loss"],
                "finder": "https://example.org/find/",
                "read": "2026-12-05",
                "cite": {
                    "name": "https://example.org/about",
                    "organization": "https://example.org/about",
                    "about": "https://example.org/about",
                    "topics": "https://example.org/about",
                    "finder": ["https://example.org/about", "https://example.org/find/"],
                },
            }
        ],
        "warmline": [
            {
                "id": "sample-line",
                "state": "MT",
                "name": "Sample Warmline",
                "phone": "877-555-0100",
                "hours": "24/7",
                "who": "anyone",
                "read": "2026-12-05",
                "cite": dict.fromkeys(
                    ("state", "name", "phone", "hours", "who"), "https://example.org/line"
                ),
            }
        ],
    }


def test_sample_is_valid() -> None:
    assert programs.problems(_sample()) == []


def _drop_cite(d: dict) -> None:  # type: ignore[type-arg]
    del d["program"][0]["cite"]["finder"]


def _http_finder(d: dict) -> None:  # type: ignore[type-arg]
    d["program"][0]["finder"] = "http://example.org/find/"


def _http_cite(d: dict) -> None:  # type: ignore[type-arg]
    d["program"][0]["cite"]["about"] = "http://example.org/about"


def _uncited_helpline(d: dict) -> None:  # type: ignore[type-arg]
    d["program"][0]["helpline"] = "call 800-555-0100"


def _warmline_uncited(d: dict) -> None:  # type: ignore[type-arg]
    del d["warmline"][0]["cite"]["phone"]


def _bad_tag(d: dict) -> None:  # type: ignore[type-arg]
    d["program"][0]["topics"] = ["grief"]


def _bad_phone(d: dict) -> None:  # type: ignore[type-arg]
    d["warmline"][0]["phone"] = "call us"


def _bad_state(d: dict) -> None:  # type: ignore[type-arg]
    d["warmline"][0]["state"] = "Montana"


def _no_read(d: dict) -> None:  # type: ignore[type-arg]
    del d["program"][0]["read"]


def _no_link(d: dict) -> None:  # type: ignore[type-arg]
    del d["program"][0]["finder"]
    del d["program"][0]["cite"]["finder"]


def _dangling_cite(d: dict) -> None:  # type: ignore[type-arg]
    d["program"][0]["cite"]["helpline"] = "https://example.org/help"


def _schedule_not_online(d: dict) -> None:  # type: ignore[type-arg]
    d["program"][0]["online_schedule"] = "Mondays 7 pm ET"
    d["program"][0]["cite"]["online_schedule"] = "https://example.org/online"


@pytest.mark.parametrize(
    ("breaks", "says"),
    [
        (_drop_cite, "finder has no citation"),
        (_http_finder, "finder is not an https URL"),
        (_http_cite, "cite.about is not an https URL"),
        (_uncited_helpline, "helpline has no citation"),
        (_warmline_uncited, "phone has no citation"),
        (_bad_tag, "not a vocabulary term"),
        (_bad_phone, "phone must look like"),
        (_bad_state, "not a US state code"),
        (_no_read, "missing read"),
        (_no_link, "needs a finder, a website or a helpline"),
        (_dangling_cite, "cites a fact the entry does not have"),
        (_schedule_not_online, "online schedule needs online = true"),
    ],
)
def test_a_broken_entry_is_reported(breaks, says) -> None:  # type: ignore[no-untyped-def]
    data = copy.deepcopy(_sample())
    breaks(data)
    found = programs.problems(data)
    assert any(says in p for p in found), found


def test_parse_refuses_an_uncited_fact() -> None:
    text = programs.default_path().read_text(encoding="utf-8")
    broken = text.replace(
        'helpline = "Vet Center program contact: 877-927-8387"\n',
        'helpline = "Vet Center program contact: 877-927-8387"\nlanguages = ["en"]\n',
    )
    assert broken != text
    with pytest.raises(programs.CatalogError, match="languages has no citation"):
        programs.parse(broken)


def test_every_vocabulary_term_is_covered_or_listed_as_uncovered() -> None:
    directory = programs.load()
    for kind, terms in (("populations", vocab.POPULATIONS), ("topics", vocab.TOPICS)):
        for term in terms:
            asked = {kind: [term]}
            covered = [
                p
                for p in programs.choose(directory.programs, **asked)
                if term in getattr(p, kind) or programs.BROADER.get(term) in p.topics
            ]
            listed = term in directory.uncovered[kind]
            assert bool(covered) != listed, (kind, term, [p.id for p in covered], listed)


# --- choosing ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("populations", "topics", "first", "also"),
    [
        ([], ["depression_bipolar"], "dbsa", {"nami-connection"}),
        ([], ["grief_loss"], "compassionate-friends", {"griefshare"}),
        ([], ["suicide_loss"], "afsp-loss-groups", {"compassionate-friends"}),
        (["veterans"], [], "dbsa", {"vet-centers"}),
        (["lgbtq"], [], "pflag", {"centerlink"}),
        ([], ["postpartum"], "psi", set()),
        ([], ["alcohol"], "smart-recovery", {"recovery-dharma"}),
        (["veterans"], ["depression_bipolar"], "dbsa", {"vet-centers", "nami-connection"}),
        ([], ["alcohol"], "smart-recovery", {"aa-meeting-guide", "aa-online-intergroup"}),
        ([], ["substance_use"], "smart-recovery", {"na-virtual-meetings"}),
        (["men"], [], "mankind-project", set()),
        (["bipoc"], [], "dbsa", set()),
        (["indigenous"], [], "white-bison-wellbriety", set()),
        (["newcomers"], [], "na-virtual-meetings", set()),
        (["deaf_hoh"], [], "hlaa-chapters", set()),
    ],
)
def test_choose(populations, topics, first, also) -> None:  # type: ignore[no-untyped-def]
    chosen = [p.id for p in programs.choose(programs.load().programs, populations, topics)]
    assert chosen[0] == first
    assert also <= set(chosen)


def test_aa_and_na_send_people_to_their_own_cited_finders() -> None:
    by_id = {p.id: p for p in programs.load().programs}
    for ident, start in (
        ("aa-meeting-guide", "https://www.aa.org/"),
        ("aa-online-intergroup", "https://aa-intergroup.org/"),
        ("na-virtual-meetings", "https://na.org/meetingsearch/"),
    ):
        program = by_id[ident]
        assert program.finder.startswith(start), ident
        assert all(url.startswith("https://github.com/") for url in program.cite["finder"])


def test_every_population_has_a_program_now() -> None:
    directory = programs.load()
    assert directory.uncovered["populations"] == ()
    for term in vocab.POPULATIONS:
        assert any(term in p.populations for p in directory.programs), term


def test_choose_without_filters_is_the_short_general_list() -> None:
    directory = programs.load()
    chosen = programs.choose(directory.programs)
    assert chosen and all(p.general for p in chosen)
    assert len(chosen) < len(directory.programs)


def test_warmlines_by_state() -> None:
    lines = programs.warmlines_for(programs.load().warmlines, "mt")
    assert [w.id for w in lines] == ["montana-warmline"]
    assert programs.warmlines_for(programs.load().warmlines, None) == []


def test_need_in_words() -> None:
    assert render_programs.need(["veterans"], ["grief_loss"]) == "grief support groups for veterans"
    assert render_programs.headline(1, [], ["grief_loss"], "here") == (
        "peerfind has only one grief support group here."
    )


# --- peerfind programs ------------------------------------------------------------------


def test_programs_table() -> None:
    result = run("programs")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "DBSA support groups" in out and "PFLAG chapters" in out
    assert "Find a group: https://pflag.org/findachapter/" in out
    assert "Montana Warmline" in out and "877-688-3377" in out
    assert "988" in out.splitlines()[-1]


def test_programs_depression_json_has_citations() -> None:
    result = run("programs", "-t", "depression", "-o", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    ids = [p["id"] for p in data["programs"]]
    assert ids[0] == "dbsa" and "nami-connection" in ids
    for program in data["programs"]:
        facts = {k for k, v in program.items() if v not in (None, [], "")}
        facts -= {"id", "citations", "read"}
        assert facts <= set(program["citations"]), program["id"]
        assert program["read"] == "2026-12-05"
    dbsa = data["programs"][0]
    assert dbsa["finder"].startswith("https://www.dbsalliance.org/")
    assert dbsa["citations"]["finder"][0].startswith("https://github.com/")


def test_programs_near_lists_that_states_warmline() -> None:
    result = run("programs", "-p", "veterans", "--near", BILLINGS, "-o", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [w["state"] for w in data["warmlines"]] == ["MT"]
    assert "vet-centers" in [p["id"] for p in data["programs"]]
    table = run("programs", "--near", "Denver, CO")
    assert "No peer-run warmline in CO is listed yet." in table.stdout
    boston = run("programs", "--near", "Boston, MA", "-o", "json")
    assert [w["phone"] for w in json.loads(boston.stdout)["warmlines"]] == ["1-877-733-7563"]


@pytest.mark.parametrize(
    ("place", "phone"),
    [
        ("Charlotte, NC", "855-733-7762"),
        ("Portland, ME", "866-771-9276"),
        ("Detroit, MI", "888-733-7753"),
        ("Portland, OR", "800-698-2392"),
    ],
)
def test_state_warmlines_found_near_a_place(place, phone) -> None:  # type: ignore[no-untyped-def]
    result = run("programs", "--near", place, "-o", "json")
    assert result.exit_code == 0, result.output
    lines = json.loads(result.stdout)["warmlines"]
    assert [w["phone"] for w in lines] == [phone]
    assert lines[0]["citations"]["phone"] and lines[0]["citations"]["who"]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["programs", "-t", "sadness"], "unknown topic"),
        (["programs", "-o", "csv"], "use table or json"),
        (["programs", "--near", "Nowhereville, ZZ"], "peerfind: "),
    ],
)
def test_programs_bad_input(args, says) -> None:  # type: ignore[no-untyped-def]
    result = run(*args)
    assert result.exit_code == 2
    assert says in result.stderr and "Traceback" not in result.output


def test_programs_help_has_examples() -> None:
    result = run("programs", "--help")
    assert result.exit_code == 0
    assert "peerfind programs -t depression" in result.stdout


# --- no dead ends in search -------------------------------------------------------------


@pytest.mark.parametrize(
    ("flag", "value", "says", "link"),
    [
        ("-t", "depression", "no depression or bipolar support groups", "dbsalliance.org"),
        ("-t", "grief", "no grief support groups", "compassionatefriends.org"),
        ("-p", "veterans", "no support groups for veterans", "877-927-8387"),
        ("-p", "lgbtq", "no support groups for LGBTQ+ people", "https://pflag.org/findachapter/"),
    ],
)
def test_billings_search_says_so_and_lists_programs(flag, value, says, link) -> None:  # type: ignore[no-untyped-def]
    result = run("search", "--near", BILLINGS, flag, value)
    assert result.exit_code == 0, result.output
    out = result.stdout
    text = " ".join(out.split())  # the note is wrapped to 80 columns
    assert f"peerfind has {says} within 25 mi of Billings, MT." in text
    assert link in text
    assert "Montana Warmline, call 877-688-3377" in text
    # after the (empty) results and before the crisis footer
    assert text.index(says) < text.index("National programs") < text.index("In crisis?")
    assert "988" in out.splitlines()[-1]
    for line in out.splitlines()[1:-1]:
        assert len(line) <= 80 or "https://" in line, line


def test_json_search_output_stays_a_list_and_the_note_goes_to_stderr() -> None:
    result = run("search", "--near", BILLINGS, "-t", "depression", "-o", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []
    err = " ".join(result.stderr.split())
    assert "peerfind has no depression or bipolar support groups" in err
    assert "dbsalliance.org" in err


def test_hint_never_suggests_widening_a_filter_no_listing_has() -> None:
    result = run("search", "--near", BILLINGS, "-t", "depression")
    assert "fewer -p/-t" not in result.stderr.lower()
    assert "No listing in the catalog is tagged depression_bipolar" in result.stderr


@pytest.mark.parametrize("output", ["table", "json"])
def test_hint_never_suggests_dropping_a_filter_whose_programs_were_shown(output: str) -> None:
    # Some listing is tagged lgbtq, none within 10 mi of Billings: the search points to PFLAG
    # and CenterLink, so "fewer -p/-t filters" would only show groups for someone else.
    result = run("search", "--near", BILLINGS, "-r", "10", "-p", "lgbtq", "-o", output)
    assert result.exit_code == 0, result.output
    assert "https://pflag.org/findachapter/" in result.output
    assert "No groups match." in result.stderr
    assert "fewer -p/-t" not in result.stderr.lower()
    assert "online groups match (add --format online)" in result.stderr


def test_hint_still_suggests_dropping_a_filter_no_shown_program_serves(capsys) -> None:  # type: ignore[no-untyped-def]
    from peerfind.cli.query import explain_empty
    from peerfind.search.engine import Outcome, Query

    q = Query(populations=["lgbtq"], topics=["alcohol"])
    explain_empty(Outcome(results=[]), q, "mi", served=["lgbtq"])  # alcohol's were not shown
    assert capsys.readouterr().err == "No groups match. Fewer -p/-t filters widen the search.\n"
    explain_empty(Outcome(results=[]), q, "mi", served=["lgbtq", "alcohol"])
    assert capsys.readouterr().err == "No groups match.\n"


def test_plenty_of_local_groups_means_no_note() -> None:
    result = run("search", "--near", "Boston, MA", "--limit", "5")
    assert result.exit_code == 0
    assert "National programs" not in result.stdout


def test_few_results_without_filters_get_the_general_list() -> None:
    result = run("search", "--near", BILLINGS)
    out = " ".join(result.stdout.split())
    assert "peerfind has no support groups within 25 mi of Billings, MT." in out
    general = [p.name for p in programs.load().programs if p.general]
    assert all(name in out for name in general)
    assert re.search(r"More, with sources: peerfind programs --near", out)
