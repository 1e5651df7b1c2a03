"""Make the audit table append-only in the database itself.

The model and queryset already refuse updates and deletions; these triggers also refuse
them from raw SQL, another program or a database console. PostgreSQL additionally refuses
TRUNCATE. The test-suite's ``flush`` (see huying/audit/management/commands/flush.py) lifts
them for the length of one flush.

A later migration that rebuilds this table on SQLite (SQLite's "remake table" for some
AlterField operations) drops these triggers with the old table and must install them again.
"""

from django.db import migrations

TABLE = "audit_auditentry"

POSTGRESQL_INSTALL = [
    """
    CREATE OR REPLACE FUNCTION audit_auditentry_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'The audit log is append-only: % refused on audit_auditentry', TG_OP
            USING ERRCODE = 'restrict_violation';
    END;
    $$
    """,
    f"""
    CREATE TRIGGER audit_auditentry_append_only
        BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION audit_auditentry_refuse_change()
    """,
    f"""
    CREATE TRIGGER audit_auditentry_no_truncate
        BEFORE TRUNCATE ON {TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION audit_auditentry_refuse_change()
    """,
]
POSTGRESQL_REMOVE = [
    f"DROP TRIGGER IF EXISTS audit_auditentry_no_truncate ON {TABLE}",
    f"DROP TRIGGER IF EXISTS audit_auditentry_append_only ON {TABLE}",
    "DROP FUNCTION IF EXISTS audit_auditentry_refuse_change()",
]

SQLITE_INSTALL = [
    f"""
    CREATE TRIGGER audit_auditentry_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, 'The audit log is append-only: UPDATE refused on audit_auditentry'); END
    """,
    f"""
    CREATE TRIGGER audit_auditentry_no_delete BEFORE DELETE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, 'The audit log is append-only: DELETE refused on audit_auditentry'); END
    """,
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_auditentry_no_update",
    "DROP TRIGGER IF EXISTS audit_auditentry_no_delete",
]


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": POSTGRESQL_INSTALL, "sqlite": SQLITE_INSTALL}.get(vendor, [])
    for sql in statements:
        schema_editor.execute(sql, None)


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": POSTGRESQL_REMOVE, "sqlite": SQLITE_REMOVE}.get(vendor, [])
    for sql in statements:
        schema_editor.execute(sql, None)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_actor_do_nothing"),
    ]

    operations = [
        migrations.RunPython(install, remove, elidable=False),
    ]
