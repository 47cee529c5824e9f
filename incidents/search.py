"""Free-text search over incidents: one function for the list page and the API.

What a search matches: the reference, the title and description, the names of the
employees concerned (users who are targets, and the free-text names of others), the
perpetrator's name and profile link, and the title and quote of each publication.

On PostgreSQL (migration `0012_i17_search`):
- words: full-text search with the Danish configuration (`websearch_to_tsquery`, so
  "quoted phrases", `or` and `-word` work) over a generated `search_vector` column on
  incidents and on publications, each with a GIN index;
- names and references: `ILIKE '%…%'` and trigram word similarity (`%>`, pg_trgm), which
  finds a name with a typo; GIN trigram indexes on those columns and on the users' full
  names.
Each part picks incident ids through its own index; the parts are joined with UNION, so
no part forces a sequential scan of the incidents. That suits a rare word; a frequent one
(«trussel» is in 5 % of a million incidents) makes the union tens of thousands of ids that
the list then joins with the whole table before its top-25 sort (3.8 s at 1 M). So a probe
first reads at most `PROBE` ids of the union (UNION ALL, which stops at its LIMIT): fewer,
and the list filters by those ids; more, and the same conditions are asked per row instead
(`matching_q`), so the list's ordered scan stops at its 25 (20 ms at 1 M). Both give the
same incidents (tests/incidents/test_search.py compares them).

Elsewhere (SQLite, `make run`): `icontains` over the same columns.

The search only narrows: callers pass a queryset already limited by the access policy
(`incidents.policy.visible_incidents` or `managed_incidents`), so it never widens what a
reader may see.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.db import connection
from django.db.models import BooleanField, CharField, Exists, Expression, F, Func, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Concat

from accounts.models import User

from .models import Incident, Publication

MAX_QUERY_LENGTH = 200
# More matches than this (across the whole table) and the search is asked per row (see above).
PROBE = 2000
# Matched as substrings (ILIKE, so part of a word still finds the title), each served by a
# GIN trigram index.
SUBSTRING_COLUMNS = ("reference", "title", "perpetrator_profile_url")
# Names: substrings and trigram word similarity (a typo still finds the name). References and
# links get no similarity: "0002" is "similar" to every reference of the year.
NAME_COLUMNS = ("perpetrator_name", "target_names")


class _ILike(Func):
    """`column ILIKE pattern` (case-insensitive, and served by a gin_trgm_ops index)."""

    arg_joiner = " ILIKE "
    template = "%(expressions)s"
    output_field = BooleanField()


class _WordSimilar(Func):
    """`column %> text`: the text is similar to a part of the column (pg_trgm word similarity)."""

    arg_joiner = " %%> "
    template = "%(expressions)s"
    output_field = BooleanField()


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _plain(text: str) -> str:
    """The input without the quotes and operators of a web search, for substring matches."""
    return " ".join(text.replace('"', " ").replace("«", " ").replace("»", " ").split())


class _FullName(Func):
    """`first_name || ' ' || last_name`, exactly the expression of the trigram index on users."""

    arg_joiner = " || ' ' || "
    template = "(%(expressions)s)"
    output_field = CharField()


class _SearchVectorColumn(Expression):
    """The generated `search_vector` column of the query's own table (not a model field)."""

    output_field = SearchVectorField()

    def as_sql(self, compiler, connection):
        return f"{compiler.quote_name_unless_alias(compiler.query.base_table)}.search_vector", []


def matching_user_ids(text: str) -> QuerySet:
    """Ids of the users whose full name the text matches or resembles (PostgreSQL)."""
    plain = _plain(text)
    return (
        User.objects.alias(full_name=_FullName(F("first_name"), F("last_name")))
        .filter(Q(_ILike(F("full_name"), Value(_like_pattern(plain)))) | Q(_WordSimilar(F("full_name"), Value(plain))))
        .order_by()
        .values("pk")
    )


class _Conditions:
    """What a text matches, once: one condition per index on incidents, and the publications
    and target links it matches. The union and the per-row search are both built from it."""

    def __init__(self, text: str):
        self.query = SearchQuery(text, config="danish", search_type="websearch")
        plain = _plain(text)
        pattern = Value(_like_pattern(plain))
        # One condition per column, so each union branch is answered by its own trigram index
        # (an OR over all columns makes the planner fall back to a sequential scan).
        self.incident = [
            Q(search_vector=self.query),
            *(Q(_ILike(F(column), pattern)) | Q(_WordSimilar(F(column), Value(plain))) for column in NAME_COLUMNS),
            *(Q(_ILike(F(column), pattern)) for column in SUBSTRING_COLUMNS),
        ]
        self.quotes = Publication.objects.alias(search_vector=_SearchVectorColumn()).filter(search_vector=self.query)
        self.people = Incident.targets.through.objects.filter(user_id__in=matching_user_ids(text))


def _incidents_with_vector() -> QuerySet:
    return Incident.objects.alias(search_vector=_SearchVectorColumn())


def matching_incident_ids(text: str, *, distinct: bool = True) -> QuerySet:
    """Ids of every incident the text matches (PostgreSQL); not yet limited by the policy.
    With distinct=False a UNION ALL (an id may come more than once), which stops at a LIMIT."""
    conditions = _Conditions(text)
    first, *others = (_incidents_with_vector().filter(c).order_by().values("pk") for c in conditions.incident)
    return first.union(
        *others,
        conditions.quotes.order_by().values("incident_id"),
        conditions.people.order_by().values("incident_id"),
        all=not distinct,
    )


def matching_q(text: str) -> Q:
    """The same conditions as `matching_incident_ids`, asked of each incident row (PostgreSQL;
    the queryset needs `.alias(search_vector=_SearchVectorColumn())`)."""
    conditions = _Conditions(text)
    condition = Q()
    for part in conditions.incident:  # the row's own columns first: cheaper than the subqueries
        condition |= part
    condition |= Q(Exists(conditions.quotes.filter(incident_id=OuterRef("pk"))))
    return condition | Q(Exists(conditions.people.filter(incident_id=OuterRef("pk"))))


def _fallback_q(text: str) -> Q:
    """The same columns with `icontains` (SQLite and other databases without the indexes)."""
    plain = _plain(text)
    condition = Q(description__icontains=plain)
    for column in (*SUBSTRING_COLUMNS, *NAME_COLUMNS):
        condition |= Q(**{f"{column}__icontains": plain})
    publications = Publication.objects.filter(incident_id=OuterRef("pk")).filter(
        Q(quote__icontains=plain) | Q(title__icontains=plain)
    )
    people = (
        Incident.targets.through.objects.filter(incident_id=OuterRef("pk"))
        .alias(full_name=Concat(F("user__first_name"), Value(" "), F("user__last_name")))
        .filter(full_name__icontains=plain)
    )
    return condition | Q(Exists(publications)) | Q(Exists(people))


def incident_search(queryset: QuerySet, text: str) -> QuerySet:
    """The incidents of `queryset` (already limited by the access policy) that `text` matches."""
    return incident_search_sampled(queryset, text)[0]


def incident_search_sampled(queryset: QuerySet, text: str) -> tuple[QuerySet, frozenset[int] | None]:
    """`incident_search`, and for a frequent text (asked per row) the ids its probe found: a
    sample of the matches, not yet limited by the policy, that a bounded count can try first
    (`common.pagination.BoundedPaginator(sample=…)`): counting the sample's visible rows reads
    at most `PROBE` rows by their primary key, while counting the per-row search reads the
    table until enough rows match (180 ms for «trussel» at 100 k incidents). None otherwise."""
    text = (text or "").strip()[:MAX_QUERY_LENGTH]
    if not _plain(text):
        return queryset, None
    if connection.vendor == "postgresql":
        probe = [next(iter(row.values())) for row in matching_incident_ids(text, distinct=False)[: PROBE + 1]]
        if len(probe) <= PROBE:  # the whole union (an id may come twice), not cut off by the LIMIT
            return queryset.filter(pk__in=set(probe)), None
        return queryset.alias(search_vector=_SearchVectorColumn()).filter(matching_q(text)), frozenset(probe)
    return queryset.filter(_fallback_q(text)), None
