"""Writing the demo incidents: in bulk (COPY on PostgreSQL from a second thread, bulk_create
elsewhere), or one object at a time through the shared factories (the `make run` sample).

Used by demo.incidents (the seed); rows are the dicts it draws.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date, datetime

from django.db import connection

from incidents.models import Incident, IncidentDeadline, Publication, TimelineEntry

# --- Writing rows -----------------------------------------------------------------------
# Rows are dicts keyed by column (attname). On PostgreSQL they go in with COPY, from a
# second thread on the same connection and transaction, so the database stores one batch
# while Python draws the next; that is what brings 100,000 incidents under two minutes
# (bulk_create spends about 2 ms per incident with its children in Django's SQL compiler).
# Elsewhere (SQLite in the tests and `make run`) they go in with bulk_create.


def _copy_text(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    kind = type(value)
    if kind is str:
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
        return value
    if value is None:
        return "\\N"
    if kind is bool:
        return "t" if value else "f"
    if kind is int:
        return str(value)
    if kind is datetime or kind is date:
        return value.isoformat()
    if kind is dict or kind is list:
        return _copy_text(json.dumps(value, ensure_ascii=False))
    return _copy_text(str(value))


class _Table:
    """Dict rows of one model; every column a row leaves out gets the field's default."""

    def __init__(self, model) -> None:
        self.model = model
        self.defaults = {f.attname: f.get_default() for f in model._meta.concrete_fields if not f.primary_key}

    def bulk_create(self, rows: list[dict], batch_size: int) -> list:
        return self.model.objects.bulk_create([self.model(**row) for row in rows], batch_size=batch_size)

    def copy_statement(self, rows: list[dict], ids: Sequence[int] | None = None) -> tuple[str, str]:
        """The COPY statement and its data, for PostgreSQL."""
        columns = list(self.defaults) if ids is None else ["id", *self.defaults]
        defaults = list(self.defaults.items())
        lines = []
        for i, row in enumerate(rows):
            get = row.get
            values = [get(column, default) for column, default in defaults]
            if ids is not None:
                values.insert(0, ids[i])
            lines.append("\t".join([_copy_text(value) for value in values]))
        quote = connection.ops.quote_name
        sql = f"COPY {quote(self.model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
        return sql, "\n".join(lines) + "\n" if lines else ""


def _copy(raw_connection, statements: list[tuple[str, str]]) -> None:
    """Run COPY statements on a DB-API connection (psycopg2 or psycopg 3)."""
    with raw_connection.cursor() as cursor:
        for sql, data in statements:
            if not data:
                continue
            if hasattr(cursor, "copy_expert"):  # psycopg2; one read, so the GIL is not asked for per 8 kB
                cursor.copy_expert(sql, io.StringIO(data), size=len(data) + 1)
            else:  # psycopg 3
                with cursor.copy(sql) as copy:
                    copy.write(data)


class _Writer:
    """Stores batches of drafts: COPY from a second thread on PostgreSQL, bulk_create elsewhere.

    On PostgreSQL the incident ids are taken from the sequence up front, the COPY data is
    built in the calling thread, and only the COPY itself runs in the worker thread, on
    the same connection and in the same transaction; the caller does not touch the
    connection until `finish`.
    """

    def __init__(self, count: int, batch_size: int) -> None:
        self.batch_size = batch_size
        self.incidents, self.publications = _Table(Incident), _Table(Publication)
        self.targets, self.timeline = _Table(Incident.targets.through), _Table(TimelineEntry)
        self.deadlines = _Table(IncidentDeadline)
        self.raw = connection.connection if connection.vendor == "postgresql" else None
        self.ids: list[int] = []
        if self.raw is not None:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [Incident._meta.db_table, count],
                )
                self.ids = [row[0] for row in cursor.fetchall()]
                # The stored assessments are ~5 kB each; lz4 compresses them in half the time of
                # the default pglz. For this transaction only; readers handle both transparently.
                cursor.execute("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")
                if cursor.fetchone()[0]:
                    cursor.execute("SET LOCAL default_toast_compression = 'lz4'")
        self.pool = ThreadPoolExecutor(max_workers=1) if self.raw is not None else None
        self.pending = None

    def write(self, drafts: list) -> None:
        if self.raw is None:
            created = self.incidents.bulk_create([d.incident for d in drafts], self.batch_size)
            ids = [obj.pk for obj in created]
        else:
            ids, self.ids = self.ids[: len(drafts)], self.ids[len(drafts) :]
        pairs = list(zip(drafts, ids, strict=True))
        children = [
            (self.publications, [{**pub, "incident_id": pk} for d, pk in pairs for pub in d.publications]),
            (self.targets, [{"incident_id": pk, "user_id": user} for d, pk in pairs for user in d.target_ids]),
            (self.timeline, [{**item, "incident_id": pk} for d, pk in pairs for item in d.timeline]),
            (self.deadlines, [{**item, "incident_id": pk} for d, pk in pairs for item in d.deadlines]),
        ]
        if self.raw is None:
            for table, rows in children:
                table.bulk_create(rows, self.batch_size)
            return
        statements = [self.incidents.copy_statement([d.incident for d in drafts], ids)]
        statements += [table.copy_statement(rows) for table, rows in children]
        self._wait()
        self.pending = self.pool.submit(_copy, self.raw, statements)

    def _wait(self) -> None:
        if self.pending is not None:
            pending, self.pending = self.pending, None
            pending.result()  # raises the worker's error, if any

    def finish(self) -> None:
        try:
            self._wait()
        finally:
            if self.pool is not None:
                self.pool.shutdown(wait=True)


class _FactoryWriter:
    """Creates each drafted incident and its rows through demo.factories, with the drawn values
    passed in: for the few hundred incidents of the `make run` sample, where speed does not matter."""

    def __init__(self, units) -> None:
        self.units = {unit.pk: unit for unit in units}

    def write(self, drafts: list) -> None:
        from .factories import IncidentDeadlineFactory, IncidentFactory, PublicationFactory, TimelineEntryFactory

        for draft in drafts:
            fields = dict(draft.incident)
            incident = IncidentFactory(unit=self.units[fields.pop("unit_id")], targets=draft.target_ids, **fields)
            for row in draft.publications:
                PublicationFactory(incident=incident, **row)
            for row in draft.timeline:
                TimelineEntryFactory(incident=incident, **row)
            for row in draft.deadlines:
                IncidentDeadlineFactory(incident=incident, **row)

    def finish(self) -> None:
        pass


@contextmanager
def _historical_timestamps() -> Iterator[None]:
    """Let bulk_create store the drawn times in the auto_now / auto_now_add columns.

    Flips the fields' flags for the duration of the seed only (a management command, one
    thread); without it every demo row would look created today. COPY needs no such help.
    """
    fields = [
        Incident._meta.get_field("updated_at"),
        Publication._meta.get_field("created_at"),
        TimelineEntry._meta.get_field("created_at"),
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    try:
        for f in fields:
            f.auto_now = f.auto_now_add = False
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add
