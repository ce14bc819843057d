"""A few hot statements run on the driver's cursor, compiled and typed by SQLAlchemy.

Every public read looks its article up by id, and on SQLite SQLAlchemy's execution
path (execution context, events, result object) costs ten times the statement itself:
about 70 µs against 6. `Select` keeps what SQLAlchemy is good at, the SQL and the
types: the statement is compiled by the connection's dialect once, and each value
comes back through its column type's own result processor, so rows hold what
`Connection.execute` would have given. Only the plumbing in between is skipped.

`Insert` does the same for the two rows every submission adds (its comment and the
outbox event about it).

A driver error is not interpreted here: the statement runs again through
`Connection.execute`, whose error handling (the engine's outage hook, 503) then
answers for it exactly as for any other statement.
"""

from collections import namedtuple
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Select as SqlSelect
from sqlalchemy import Table, bindparam, insert
from sqlalchemy.engine import Connection

# Called with each statement and its values before it runs: SQLAlchemy's own events do
# not see these, and the bench's EXPLAIN pass (bench/large.py) must.
observers: list[Callable[[str, Any], None]] = []


class Select:
    """A SELECT run on the driver's cursor; values bound through their types' processors.

    `expanding` names the one bound list (`bindparam(..., expanding=True)`) of plain
    values (ids, strings), compiled once for each length it is given with.
    """

    def __init__(self, statement: SqlSelect, expanding: str | None = None):
        self.statement = statement
        self.expanding = expanding
        self._compiled: dict[tuple, tuple] = {}
        self._row = namedtuple("Row", statement.selected_columns.keys())

    def rows(self, conn: Connection, params: dict[str, Any]) -> list:
        """The rows as named tuples, each value as its column type gives it back."""
        size = len(params[self.expanding]) if self.expanding else None
        key = (conn.dialect.name, size)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = self._compile(conn, params)
        sql, names, positional, constants, expanded, binders, processors = compiled
        values = self._values(params, names, positional, constants, expanded, binders)
        for observe in observers:
            observe(sql, values)
        driver = conn.connection.driver_connection
        cursor = driver.cursor()
        try:
            cursor.execute(sql, values)
            raw = cursor.fetchall()
        except conn.dialect.loaded_dbapi.Error:
            # Let SQLAlchemy run it and raise its own, translated error (or succeed).
            return [self._row(*row) for row in conn.execute(self.statement, params)]
        finally:
            cursor.close()
        make = self._row._make
        if not processors or not raw:
            return list(map(make, raw))
        # Column by column: one comprehension per converted column beats a loop per row.
        columns = list(zip(*raw, strict=True))
        for i, process in processors:
            columns[i] = [None if v is None else process(v) for v in columns[i]]
        return list(map(make, zip(*columns, strict=True)))

    def first(self, conn: Connection, params: dict[str, Any]):
        rows = self.rows(conn, params)
        return rows[0] if rows else None

    def _values(self, params, names, positional, constants, expanded: Sequence[str], binders):
        flat = {**constants, **params}
        for name, bind in binders:
            flat[name] = bind(flat[name])
        if self.expanding:
            flat.update(zip(expanded, flat.pop(self.expanding), strict=True))
        return tuple(flat[name] for name in names) if positional else flat

    def _compile(self, conn: Connection, params):
        dialect = conn.dialect
        if self.expanding:
            # The list's placeholders are written out for its length, the cache key.
            compiled = self.statement.params(params).compile(
                dialect=dialect, compile_kwargs={"render_postcompile": True}
            )
        else:
            compiled = self.statement.compile(dialect=dialect)
        positional = bool(compiled.positional)
        names = list(compiled.positiontup) if positional else list(compiled.binds)
        # Values written into the statement itself (`id == 1`) are bound like the rest.
        constants = {
            name: bind.value
            for name, bind in compiled.binds.items()
            if name not in params and not bind.required
        }
        # Only the columns whose type converts what the driver hands back.
        processors = [
            (i, process)
            for i, column in enumerate(self.statement.selected_columns)
            if (process := column.type.dialect_impl(dialect).result_processor(dialect, None))
        ]
        # Values whose type converts them for the driver (a datetime for SQLite's text).
        binders = [
            (name, bind)
            for name, param in compiled.binds.items()
            if name != self.expanding
            and (bind := param.type.dialect_impl(dialect).bind_processor(dialect))
        ]
        # The names the list's values are bound under: "name_1", "name_2", ...
        size = len(params[self.expanding]) if self.expanding else 0
        expanded = [f"{self.expanding}_{i}" for i in range(1, size + 1)]
        return compiled.string, names, positional, constants, expanded, binders, processors


class Insert:
    """An INSERT of one row into `table` run on the driver's cursor; gives the row's id.

    Every column in `columns` must be given a value, and every other column of the table
    must need none from Python: a default only SQLAlchemy's execution would fill in has
    no place here (see `_compile`).
    """

    def __init__(self, table: Table, columns: Sequence[str]):
        self.table = table
        self.columns = tuple(columns)
        self._statement = insert(table).values(
            {name: bindparam(name, type_=table.c[name].type) for name in self.columns}
        )
        self._compiled: dict[str, tuple] = {}

    def run(self, conn: Connection, values: dict[str, Any]) -> int:
        compiled = self._compiled.get(conn.dialect.name)
        if compiled is None:
            compiled = self._compiled[conn.dialect.name] = self._compile(conn)
        sql, names, positional, binders, returning = compiled
        flat = dict(values)
        for name, bind in binders:
            flat[name] = bind(flat[name])
        params = tuple(flat[name] for name in names) if positional else flat
        for observe in observers:
            observe(sql, params)
        cursor = conn.connection.driver_connection.cursor()
        try:
            cursor.execute(sql, params)
            return cursor.fetchone()[0] if returning else cursor.lastrowid
        except conn.dialect.loaded_dbapi.Error:
            # A failed INSERT stored nothing: run it again through SQLAlchemy, for its
            # translated error (the engine's outage hook sees it there).
            result = conn.execute(insert(self.table), values)
            return result.inserted_primary_key[0]
        finally:
            cursor.close()

    def _compile(self, conn: Connection):
        dialect = conn.dialect
        # SQLite's cursor knows the new row's id (lastrowid); elsewhere it is asked back.
        returning = dialect.name != "sqlite"
        statement = self._statement.returning(self.table.c.id) if returning else self._statement
        compiled = statement.compile(dialect=dialect)
        unexpected = set(compiled.binds) - set(self.columns)
        if unexpected:
            raise ValueError(f"columns with Python-side defaults need values: {sorted(unexpected)}")
        positional = bool(compiled.positional)
        names = list(compiled.positiontup) if positional else list(compiled.binds)
        binders = [
            (name, bind)
            for name in self.columns
            if (bind := self.table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
        ]
        return compiled.string, names, positional, binders, returning
