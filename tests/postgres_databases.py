"""Throw-away PostgreSQL databases for tests, reused when a test leaves the schema as it was.

Creating a database (`CREATE DATABASE ... TEMPLATE`) and dropping it afterwards costs the
server about a third of a second of CPU (PostgreSQL 15 copies the template through its WAL and
fsyncs it); about three hundred tests ask for one. Emptying a database's tables costs a
twentieth of that. So each test process keeps the databases its tests gave back, and hands one
out again only when it is, for the test, the same as a new one:

- its catalog (schemas, tables, columns, defaults, constraints, indexes, triggers, functions,
  sequences' definitions, privileges, settings, extensions, the `alembic_version` row) has the
  same fingerprint as a new database of the kind asked for: a template copy ("migrated") or an
  empty database;
- no connection is left on it (any left are terminated when it is given back);
- every table is emptied (`alembic_version` apart) and every sequence restarted at its start
  value, as `TRUNCATE ... RESTART IDENTITY` would, just before it is handed out again. A new
  template copy holds no rows, or pooling is off for that kind.

A database whose catalog a test changed (a downgrade, a dropped trigger, a revoked grant) is
dropped instead. Each process drops what it holds when it ends (`close`).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

# Everything in a database's catalog that a test could change and a later test could notice.
# `concat_ws` and `coalesce` keep a NULL from hiding an entry (string_agg skips NULLs).
_USER_NAMESPACE = "nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'"
_FINGERPRINT = f"""
SELECT md5(coalesce(string_agg(entry, E'\\n' ORDER BY entry), '')) FROM (
  SELECT concat_ws(' ', 'namespace', nspname, pg_get_userbyid(nspowner), nspacl::text)
    FROM pg_namespace WHERE {_USER_NAMESPACE}
  UNION ALL
  SELECT concat_ws(' ', 'relation', n.nspname, c.relname, c.relkind, c.relpersistence,
                   pg_get_userbyid(c.relowner), c.relacl::text, c.reloptions::text,
                   c.relrowsecurity, c.relforcerowsecurity, c.relreplident)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {_USER_NAMESPACE}
  UNION ALL
  SELECT concat_ws(' ', 'column', c.oid::regclass::text, a.attname,
                   format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity,
                   a.attgenerated, pg_get_expr(d.adbin, d.adrelid), a.attcollation, a.attacl::text)
    FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE a.attnum > 0 AND NOT a.attisdropped AND {_USER_NAMESPACE}
  UNION ALL
  SELECT concat_ws(' ', 'constraint', co.conrelid::regclass::text, co.conname,
                   pg_get_constraintdef(co.oid), co.convalidated, co.condeferrable)
    FROM pg_constraint co JOIN pg_namespace n ON n.oid = co.connamespace WHERE {_USER_NAMESPACE}
  UNION ALL
  SELECT concat_ws(' ', 'index', pg_get_indexdef(i.indexrelid), i.indisvalid)
    FROM pg_index i
    JOIN pg_class c ON c.oid = i.indrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {_USER_NAMESPACE}
  UNION ALL
  SELECT concat_ws(' ', 'trigger', pg_get_triggerdef(t.oid), t.tgenabled)
    FROM pg_trigger t WHERE NOT t.tgisinternal
  UNION ALL
  -- a foreign key's triggers: named by their oids, which differ between equal databases
  SELECT concat_ws(' ', 'constraint trigger', t.tgrelid::regclass::text, co.conname,
                   t.tgfoid::regproc::text, t.tgtype, t.tgenabled)
    FROM pg_trigger t JOIN pg_constraint co ON co.oid = t.tgconstraint WHERE t.tgisinternal
  UNION ALL
  SELECT concat_ws(' ', 'event trigger', evtname, evtevent, evtenabled, evtfoid::regproc::text)
    FROM pg_event_trigger
  UNION ALL
  SELECT concat_ws(' ', 'rule', schemaname, tablename, rulename, definition)
    FROM pg_rules WHERE schemaname NOT LIKE 'pg\\_%' AND schemaname <> 'information_schema'
  UNION ALL
  SELECT concat_ws(' ', 'policy', pol.polrelid::regclass::text, pol.polname, pol.polcmd,
                   pol.polpermissive, pg_get_expr(pol.polqual, pol.polrelid),
                   pg_get_expr(pol.polwithcheck, pol.polrelid))
    FROM pg_policy pol
  UNION ALL
  SELECT concat_ws(' ', 'routine', p.oid::regprocedure::text, p.prokind, md5(p.prosrc),
                   pg_get_userbyid(p.proowner), p.proacl::text, p.proconfig::text)
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE {_USER_NAMESPACE}
  UNION ALL
  SELECT concat_ws(' ', 'type', t.oid::regtype::text, t.typtype,
                   (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
                      FROM pg_enum e WHERE e.enumtypid = t.oid))
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE {_USER_NAMESPACE} AND t.typtype IN ('e', 'd', 'r', 'm', 'b')
  UNION ALL
  SELECT concat_ws(' ', 'text search', cfgname) FROM pg_ts_config cfg
    JOIN pg_namespace n ON n.oid = cfg.cfgnamespace WHERE {_USER_NAMESPACE}
  UNION ALL
  SELECT concat_ws(' ', 'extension', extname, extversion) FROM pg_extension
  UNION ALL
  SELECT concat_ws(' ', 'sequence', schemaname, sequencename, data_type, start_value,
                   increment_by, min_value, max_value, cycle, cache_size)
    FROM pg_sequences
  UNION ALL
  SELECT concat_ws(' ', 'default privileges', defaclrole, defaclnamespace, defaclobjtype,
                   defaclacl::text)
    FROM pg_default_acl
  UNION ALL
  SELECT concat_ws(' ', 'database', datallowconn, datconnlimit, datacl::text,
                   pg_get_userbyid(datdba))
    FROM pg_database WHERE datname = current_database()
  UNION ALL
  SELECT concat_ws(' ', 'setting', setrole, setconfig::text) FROM pg_db_role_setting
    WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
  UNION ALL
  SELECT concat_ws(' ', 'large objects', count(*)) FROM pg_largeobject_metadata
) AS catalog(entry)
"""
_TABLES = f"""
SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND {_USER_NAMESPACE}
"""
_SEQUENCES = "SELECT format('%I.%I', schemaname, sequencename), start_value FROM pg_sequences"
_VERSION_TABLE = "public.alembic_version"


class Shape:
    """What a kind of new database looks like: its catalog's fingerprint, its tables (the
    version table apart) and sequences, and whether a new one holds no rows."""

    def __init__(self, engine: Engine) -> None:
        with engine.connect() as conn:
            self.fingerprint = fingerprint_of(engine)
            self.tables = sorted(
                name for name in conn.execute(text(_TABLES)).scalars() if name != _VERSION_TABLE
            )
            self.sequences = [
                (str(name), int(start)) for name, start in conn.execute(text(_SEQUENCES))
            ]
            self.empty = not any(
                conn.execute(text(f"SELECT EXISTS (SELECT FROM {table})")).scalar()
                for table in self.tables
            )


def fingerprint_of(engine: Engine) -> str:
    """The md5 of everything in the catalog a test could change (and the schema version)."""
    with engine.connect() as conn:
        catalog = str(conn.execute(text(_FINGERPRINT)).scalar())
        has_versions = conn.execute(
            text("SELECT to_regclass(:t) IS NOT NULL"), {"t": _VERSION_TABLE}
        )
        versions = (
            sorted(conn.execute(text(f"SELECT version_num FROM {_VERSION_TABLE}")).scalars())
            if has_versions.scalar()
            else []
        )
    return f"{catalog} {','.join(versions)}"


class PostgresDatabases:
    """This process's databases on the server at `admin_url`: new ones, or given-back ones made
    the same as new (see the module's docstring). A kind ("migrated", "empty") names how its
    new databases are made: the `create` that `take` is given."""

    def __init__(self, admin_url: str, connect_seconds: int) -> None:
        self.admin_url = admin_url
        self.connect_args = {"connect_timeout": connect_seconds}
        self.shapes: dict[str, Shape] = {}  # kind: what a new database of that kind is
        self.spare: dict[str, list[str]] = {}  # kind: databases given back, ready to clean
        self.out: set[str] = set()  # databases handed out and not given back yet
        self.created = 0  # how many databases were created (the tests count them)
        self.reused = 0
        self._admin: Engine | None = None  # one autocommit engine for every create and drop

    def url(self, name: str) -> str:
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def _engine(self, name: str) -> Engine:
        return create_engine(self.url(name), connect_args=self.connect_args)

    @property
    def admin(self) -> Engine:
        """The server's admin database, in autocommit (CREATE and DROP DATABASE need it)."""
        if self._admin is None:
            self._admin = create_engine(
                self.admin_url, isolation_level="AUTOCOMMIT", connect_args=self.connect_args
            )
        return self._admin

    def take(self, kind: str, create: Callable[[Engine, str], None]) -> str:
        """A database of `kind`, as new: a spare one emptied, or one `create` makes."""
        spare = self.spare.get(kind, [])
        while spare:
            name = spare.pop()
            if self._clean(name, self.shapes[kind]):
                self.reused += 1
                self.out.add(name)
                return name
            self.drop(name)
        name = f"agg_test_{secrets.token_hex(6)}"
        create(self.admin, name)
        self.created += 1
        self.out.add(name)
        if kind not in self.shapes:
            engine = self._engine(name)
            try:
                self.shapes[kind] = Shape(engine)
            finally:
                engine.dispose()
        return name

    def give_back(self, name: str) -> None:
        """Keep `name` for reuse when its catalog is as new for some kind; else drop it."""
        self.out.discard(name)
        with self.admin.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
        kind = self._kind_of(name)
        if kind is None:
            self.drop(name)
        else:
            self.spare.setdefault(kind, []).append(name)

    def _kind_of(self, name: str) -> str | None:
        """The kind whose new databases `name`'s catalog matches, if any may be reused."""
        engine = self._engine(name)
        try:
            fingerprint = fingerprint_of(engine)
        except Exception:  # noqa: BLE001 (dropped by the test, or unreadable: not reused)
            return None
        finally:
            engine.dispose()
        for kind, shape in self.shapes.items():
            if shape.empty and shape.fingerprint == fingerprint:
                return kind
        return None

    def _clean(self, name: str, shape: Shape) -> bool:
        """Empty `name`'s tables and restart its sequences; False when it could not be."""
        statements = [f"DELETE FROM {table}" for table in shape.tables]
        statements += [f"SELECT setval('{seq}', {start}, false)" for seq, start in shape.sequences]
        engine = self._engine(name)
        try:
            with engine.begin() as conn:
                # Foreign keys and triggers do not fire while replicating: any order empties all.
                conn.execute(text("SET LOCAL session_replication_role = replica"))
                for statement in statements:
                    conn.execute(text(statement))
            return True
        except Exception:  # noqa: BLE001 (a database that cannot be emptied is dropped)
            return False
        finally:
            engine.dispose()

    def drop(self, name: str) -> None:
        """Drop `name` now, ending any connection left on it."""
        self.out.discard(name)
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def close(self) -> None:
        """Drop every database of this pool, spare or still handed out, and close the admin
        connection."""
        for names in self.spare.values():
            while names:
                self.drop(names.pop())
        while self.out:
            self.drop(self.out.pop())
        if self._admin is not None:
            self._admin.dispose()
            self._admin = None
