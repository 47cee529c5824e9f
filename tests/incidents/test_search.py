"""Search (issue 17.5): it finds the employee, the perpetrator and a quoted word, through the
access policy, on the list page and in the API; PostgreSQL answers from its indexes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Unit, User
from demo.accounts import demo_seed
from demo.incidents import demo_incidents_seed
from incidents import search, services
from incidents.models import Incident

pytestmark = pytest.mark.django_db

QUOTE = "Hun bor på Søndergade 14 i Demoby, og hun skal ikke føle sig tryg."


@pytest.fixture
def demo(db):
    """The demo municipality with 80 made-up incidents and one about "Bjarne"."""
    org = demo_seed()
    # Signing in with a second factor is not what this tests.
    type(org).objects.filter(pk=org.pk).update(require_mfa_for_managers=False, mfa_relaxed_reason="Test")
    demo_incidents_seed(organisation=org, count=80, seed=1)
    family = Unit.objects.get(organisation=org, name="Børn og Familie")
    leder, sara = User.objects.get(username="leder"), User.objects.get(username="sara")
    bjarne = services.incident_register(
        actor=leder,
        unit=family,
        channel=Incident.Channel.MANAGER,
        fields={
            "title": "Opslag med adresse",
            "perpetrator_name": "Bjarne Kristensen",
            "perpetrator_profile_url": "https://www.facebook.com/bjarne.kristensen.77",
            "discovered_at": timezone.now() - timedelta(hours=5),
        },
        targets=[sara],
        publications=[{"platform": "facebook", "url": "https://www.facebook.com/groups/9/posts/1", "quote": QUOTE}],
    )
    return {"org": org, "bjarne": bjarne, "sara": sara}


def _found(username: str, q: str) -> tuple[int, list[str]]:
    """(how many the list page says, references on its first page) for the user searching q."""
    from django.test import Client

    client = Client()
    client.force_login(User.objects.get(username=username))
    response = client.get(reverse("incidents:list"), {"q": q})
    assert response.status_code == 200
    return response.context["page"].paginator.count, [i.reference for i in response.context["incidents"]]


def _api_found(username: str, q: str) -> list[str]:
    client = APIClient()
    client.force_login(User.objects.get(username=username))
    response = client.get(reverse("api:incident-list"), {"q": q})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(body["results"])  # one page (50) is enough for these searches
    return [row["reference"] for row in body["results"]]


def _sara_incidents(sara) -> set[str]:
    return set(Incident.objects.filter(targets=sara).values_list("reference", flat=True))


@pytest.mark.postgres
def test_recall_on_the_demo_data(demo):
    sara, bjarne = demo["sara"], demo["bjarne"]
    expected = _sara_incidents(sara)
    assert len(expected) > 5  # the demo gives Sara many cases

    # The employee's full name (and with a typo) finds exactly her incidents.
    for q in ("Sara Nielsen", "sara nielsen", "Sara Nilsen"):
        count, _ = _found("leder", q)
        assert count == len(expected), q
    matched = search.incident_search(Incident.objects.all(), "Sara Nielsen")
    assert set(matched.values_list("reference", flat=True)) == expected

    # The perpetrator by name, part of the name, or the profile link.
    for q in ("Bjarne", "Bjarne Kristensen", "kristensen", "bjarne.kristensen.77"):
        assert _found("leder", q) == (1, [bjarne.reference]), q
    # A word from the address in the quote, and a quoted phrase from it.
    for q in ("Søndergade", '"Søndergade 14"', "tryg"):
        assert bjarne.reference in _found("leder", q)[1], q
    # A quoted phrase from the demo descriptions: every incident whose description holds it.
    phrase = "skal passe på, når hun går hjem"
    with_phrase = set(Incident.objects.filter(description__contains=phrase).values_list("reference", flat=True))
    assert with_phrase
    assert (
        set(search.incident_search(Incident.objects.all(), f'"{phrase}"').values_list("reference", flat=True))
        == with_phrase
    )
    # Danish stemming: the plural finds the singular in "trusler" / "trussel" texts.
    assert search.incident_search(Incident.objects.all(), "passer").exists()
    # The reference, whole and in part.
    assert _found("leder", bjarne.reference) == (1, [bjarne.reference])
    assert bjarne.reference in _found("leder", bjarne.reference.split("-")[-1])[1]
    # Nothing for words nobody wrote.
    assert _found("leder", "xylofonkoncert") == (0, [])

    # The API searches the same way.
    assert _api_found("leder", "Bjarne") == [bjarne.reference]
    assert set(_api_found("leder", "Sara Nielsen")) == expected


@pytest.mark.postgres
def test_search_respects_the_access_policy(demo):
    """A manager of another unit, another caseworker and the union rep (nothing shared) find nothing."""
    for username in ("jobleder", "karin", "tr"):
        for q in ("Sara Nielsen", "Bjarne", "Søndergade", demo["bjarne"].reference):
            assert _api_found(username, q) == [], (username, q)
    for q in ("Sara Nielsen", "Bjarne", "Søndergade"):
        assert _found("jobleder", q) == (0, []), q
    # Sara herself finds her own case through the API.
    assert demo["bjarne"].reference in _api_found("sara", "Bjarne")


@pytest.mark.postgres
def test_fallback_finds_what_postgres_finds(demo):
    """The SQLite fallback (icontains) over the same fields gives the same answer for plain input."""
    everything = Incident.objects.all()
    for q in ("Sara Nielsen", "Bjarne", "Søndergade", "bjarne.kristensen.77", demo["bjarne"].reference):
        postgres = set(search.incident_search(everything, q).values_list("pk", flat=True))
        fallback = set(everything.filter(search._fallback_q(q)).values_list("pk", flat=True))
        assert postgres == fallback, q


def test_search_on_any_database_finds_name_perpetrator_and_quote(personas):
    """Runs on SQLite too (the fallback there): the same fields are searched."""
    incident = services.incident_register(
        actor=personas.manager,
        unit=personas.family,
        channel=Incident.Channel.MANAGER,
        fields={
            "title": "Opslag",
            "perpetrator_name": "Bjarne Borger",
            "discovered_at": timezone.now() - timedelta(hours=2),
        },
        targets=[personas.caseworker],
        publications=[{"platform": "facebook", "quote": "Mødes på Torvegade 3 kl. 8"}],
    )
    other = services.incident_register(
        actor=personas.manager,
        unit=personas.jobcenter,
        channel=Incident.Channel.MANAGER,
        fields={"title": "Andet", "discovered_at": timezone.now() - timedelta(hours=2)},
        targets=[personas.other_caseworker],
        publications=[],
    )
    everything = Incident.objects.all()
    for q in ("Sara Sagsbehandler", "Bjarne", "Torvegade", '"Torvegade"'):
        assert list(search.incident_search(everything, q)) == [incident], q
    assert set(search.incident_search(everything, "   ")) == {incident, other}
    assert list(search.incident_search(everything, "100% _")) == []
    from incidents import policy

    assert list(search.incident_search(policy.visible_incidents(personas.other_manager), "Bjarne")) == []


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.postgres
def test_every_part_of_the_search_can_use_its_index(personas):
    """With sequential scans priced out, each branch is answered by its index: the indexes
    match the expressions the search writes (a mismatch would leave a Seq Scan)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        # the union the probe reads (a rare word's search then filters by the ids it found)
        plan = _plan(Incident.objects.filter(pk__in=search.matching_incident_ids("Bjarne Kristensen")))
        people_plan = _plan(search.matching_user_ids("Sara Nielsen"))
    assert "accounts_user_full_name_trgm_idx" in people_plan
    for index in (
        "incident_search_vector_idx",
        "publication_search_vector_idx",
        "incident_reference_trgm_idx",
        "incident_title_trgm_idx",
        "incident_perpetrator_name_trgm_idx",
        "incident_perpetrator_url_trgm_idx",
        "incident_target_names_trgm_idx",
    ):
        assert index in plan, index


@pytest.mark.postgres
def test_a_frequent_word_is_asked_per_row_and_finds_the_same(demo, monkeypatch):
    """Past the probe's limit the search asks each row (an ordered scan can stop at a page);
    it finds exactly what the union of the indexes finds, within the same access policy."""
    everything = Incident.objects.all()
    queries = (
        "Sara Nielsen",
        "Sara Nilsen",
        "Bjarne",
        "Søndergade",
        '"Søndergade 14"',
        "tryg",
        "passer",
        "bjarne.kristensen.77",
        demo["bjarne"].reference,
        "xylofonkoncert",
    )
    by_union = {q: set(search.incident_search(everything, q).values_list("pk", flat=True)) for q in queries}
    by_union_page = {q: _found("leder", q) for q in queries}
    by_union_rep = {q: _api_found("jobleder", q) for q in queries}
    monkeypatch.setattr(search, "PROBE", 0)
    for q in queries:
        assert set(search.incident_search(everything, q).values_list("pk", flat=True)) == by_union[q], q
        assert _found("leder", q) == by_union_page[q], q
        assert _api_found("jobleder", q) == by_union_rep[q], q
    assert by_union["Sara Nielsen"] and by_union["passer"]


def _counted(username: str, q: str) -> tuple[int, bool, list[str]]:
    """(the count the list page shows, whether it is exact, the first page) for the user searching q."""
    from django.test import Client

    client = Client()
    client.force_login(User.objects.get(username=username))
    response = client.get(reverse("incidents:list"), {"q": q})
    assert response.status_code == 200
    paginator = response.context["page"].paginator
    return paginator.count, paginator.exact, [i.reference for i in response.context["incidents"]]


@pytest.mark.postgres
def test_a_frequent_word_counts_the_probes_sample_first_and_says_the_same(demo, monkeypatch):
    """The list's bounded count of a frequent word tries the probe's ids first: when the reader
    sees more than the limit among them, the table is not counted; when not (a manager of one
    unit sees few of them), the whole count runs. Either way the page says what it said without
    the sample: the same count, exact or "more than", and the same first page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from incidents import selectors

    monkeypatch.setattr(selectors, "LIST_COUNT_LIMIT", 3)
    queries = ("passer", "Sara Nielsen", "tryg", "Bjarne")
    users = ("leder", "jobleder")
    without_sample = {(u, q): _counted(u, q) for u in users for q in queries}
    monkeypatch.setattr(search, "PROBE", 4)  # these words now go past the probe: asked per row, sampled
    for key, expected in without_sample.items():
        assert _counted(*key) == expected, key

    frequent = [q for q in queries if len(search.incident_search_sampled(Incident.objects.all(), q)[1] or ()) > 3]
    assert frequent, "at least one word has a sample larger than the limit"

    def incident_counts(username: str) -> tuple[tuple[int, bool], list[str]]:
        with CaptureQueriesContext(connection) as captured:
            count, exact, _page = _counted(username, frequent[0])
        sql = [q["sql"] for q in captured.captured_queries]
        return (count, exact), [s for s in sql if s.startswith("SELECT COUNT(*)") and "incidents_incident" in s]

    result, counts = incident_counts("leder")  # sees every unit: the sample alone holds more than 3
    assert result == (3, False)
    assert len(counts) == 1 and '"incidents_incident"."id" IN (' in counts[0], "only the sample was counted"
    result, counts = incident_counts("jobleder")  # one unit: too few of the sample, so the table is counted
    assert len(counts) == 2 and '"incidents_incident"."id" IN (' not in counts[1]
    assert result == without_sample[("jobleder", frequent[0])][:2]


@pytest.mark.postgres
def test_the_search_pages_queries_do_not_grow_with_the_data(demo, monkeypatch, django_assert_max_num_queries):
    """A rare word (filtered by the probe's ids) and a frequent one (asked per row, its sample
    counted first): the list page costs the same number of queries with 80 or 200 incidents."""
    from django.test import Client

    from incidents import selectors

    monkeypatch.setattr(search, "PROBE", 6)
    monkeypatch.setattr(selectors, "LIST_COUNT_LIMIT", 4)
    client = Client()
    client.force_login(User.objects.get(username="leder"))
    url = reverse("incidents:list")
    client.get(url)
    baseline = {}
    for q in ("Bjarne", "passer"):
        with django_assert_max_num_queries(20) as captured:
            assert client.get(url, {"q": q}).status_code == 200
        baseline[q] = len(captured.captured_queries)
    demo_incidents_seed(organisation=demo["org"], count=120, seed=2)
    for q, queries in baseline.items():
        with django_assert_max_num_queries(queries):
            assert client.get(url, {"q": q}).status_code == 200
