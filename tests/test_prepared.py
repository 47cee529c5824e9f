"""Queries compiled once per list length (common.prepared): the same rows as the ORM, every time."""

import pytest
from django.db import connection
from django.db.models import Value
from django.test.utils import CaptureQueriesContext

from common.prepared import IdsQuery, KeptSQL
from incidents.models import Publication
from tests.factories import IncidentFactory, PublicationFactory

pytestmark = pytest.mark.django_db


def _platforms(ids):
    return (
        Publication.objects.filter(incident_id__in=ids)
        .order_by("incident_id", "platform")
        .values_list("incident_id", "platform")
    )


def _twice(ids):
    """The ids in both halves of a union, as the manager's list uses them."""
    half = Publication.objects.filter(incident_id__in=ids).order_by()
    first = half.annotate(kind=Value("a")).values_list("incident_id", "kind")
    second = half.annotate(kind=Value("b")).values_list("incident_id", "kind")
    return first.union(second, all=True).order_by("kind", "incident_id")


@pytest.fixture
def incidents():
    made = []
    for platforms in (("facebook", "youtube"), ("blog",), (), ("website", "facebook")):
        incident = IncidentFactory()
        for platform in platforms:
            PublicationFactory(incident=incident, platform=platform)
        made.append(incident)
    return made


def test_the_rows_are_the_orms_for_other_ids_of_the_same_length(incidents):
    built = []
    query = IdsQuery(lambda ids: built.append(list(ids)) or _platforms(ids))
    a, b, c, d = (incident.pk for incident in incidents)

    for ids in ([a, b], [c, d], [d, a], [b, c]):
        assert query.rows(ids) == list(_platforms(ids))
    assert len(built) == 1  # compiled for two ids once, with stand-ins, not the real ids
    assert not set(built[0]) & {a, b, c, d}

    assert query.rows([a, b, c]) == list(_platforms([a, b, c]))
    assert len(built) == 2  # a new length is compiled once more
    assert query.rows([d]) == [(d, "facebook"), (d, "website")]


def test_ids_used_twice_are_put_in_both_places(incidents):
    query = IdsQuery(_twice)
    ids = [incident.pk for incident in incidents[:2]]
    rows = query.rows(ids)
    assert rows == list(_twice(ids))
    assert [kind for _, kind in rows] == ["a"] * 3 + ["b"] * 3
    assert {incident_id for incident_id, _ in rows} == set(ids)


def test_one_query_each_time_and_none_without_ids(incidents):
    query = IdsQuery(_platforms)
    ids = [incident.pk for incident in incidents]
    with CaptureQueriesContext(connection) as captured:
        query.rows(ids)
        query.rows(list(reversed(ids)))
        assert query.rows([]) == []
    assert len(captured.captured_queries) == 2


def test_an_id_unknown_or_hidden_from_the_query_gives_no_row(incidents):
    query = IdsQuery(lambda ids: _platforms(ids).exclude(platform="blog"))
    blog_only = incidents[1].pk
    assert query.rows([blog_only, 10**9]) == []


def test_kept_sql_gives_the_orms_rows_and_builds_each_key_once(incidents):
    built = []
    kept = KeptSQL(size=2)

    def platforms_of(incident):
        def build():
            built.append(incident.pk)
            return Publication.objects.filter(incident=incident).order_by("platform").values("incident_id", "platform")

        return build

    first, second, third = incidents[0], incidents[1], incidents[3]
    assert kept.rows(first.pk, platforms_of(first)) == [
        {"incident_id": first.pk, "platform": "facebook"},
        {"incident_id": first.pk, "platform": "youtube"},
    ]
    PublicationFactory(incident=first, platform="blog")  # the kept SQL reads the rows as they are now
    assert [row["platform"] for row in kept.rows(first.pk, platforms_of(first))] == ["blog", "facebook", "youtube"]
    assert built == [first.pk]

    kept.rows(second.pk, platforms_of(second))
    kept.rows(third.pk, platforms_of(third))  # a third key: the least recently asked (first) goes
    assert kept.rows(third.pk, platforms_of(third)) == list(platforms_of(third)())
    kept.rows(first.pk, platforms_of(first))
    assert built == [first.pk, second.pk, third.pk, third.pk, first.pk]


def test_rows_that_need_converting_are_read_by_the_orm_every_time(incidents):
    """A date column needs converting from SQLite's text (PostgreSQL gives a datetime as it is);
    model instances always come from the ORM."""
    kept = KeptSQL()
    built = []

    def dates():
        built.append(1)
        return Publication.objects.order_by("pk").values_list("pk", "created_at")

    expected = list(dates())
    built.clear()
    assert kept.rows("dates", dates) == expected == kept.rows("dates", dates)
    assert all(hasattr(created, "tzinfo") for _pk, created in expected)
    assert len(built) == (1 if connection.vendor == "postgresql" else 2)

    models = kept.rows("models", lambda: Publication.objects.order_by("pk"))
    assert [publication.pk for publication in models] == [pk for pk, _created in expected]


def test_a_query_that_can_give_no_row_is_left_to_the_orm(incidents):
    kept = KeptSQL()
    with CaptureQueriesContext(connection) as captured:
        assert kept.rows("none", lambda: Publication.objects.none().values("pk")) == []
        assert kept.rows("empty", lambda: Publication.objects.filter(pk__in=[]).values("pk")) == []
    assert not captured.captured_queries
