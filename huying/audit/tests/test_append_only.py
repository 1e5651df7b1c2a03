"""The audit log cannot be changed or emptied: not through the ORM, not with raw SQL."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction

from huying.accounts.models import User
from huying.audit.actions import record
from huying.audit.models import AppendOnlyError, AuditEntry


@pytest.fixture
def entry(admin, alice):
    return record(admin, "user.update", alice, {"real_name": ["王丽", "王莉"]})


def test_saving_an_existing_entry_is_refused(entry):
    entry.action = "user.delete"
    with pytest.raises(AppendOnlyError):
        entry.save()
    assert AuditEntry.objects.get(pk=entry.pk).action == "user.update"


def test_deleting_an_entry_is_refused(entry):
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_queryset_update_and_bulk_update_are_refused(entry):
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="forged")
    entry.action = "forged"
    with pytest.raises(AppendOnlyError), transaction.atomic():
        AuditEntry.objects.bulk_update([entry], ["action"])
    assert AuditEntry.objects.get(pk=entry.pk).action == "user.update"


def _raw(sql: str, params: list | None = None) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def test_raw_sql_update_is_refused_by_the_database(entry):
    with pytest.raises(IntegrityError, match="append-only"):
        _raw("UPDATE audit_auditentry SET action = %s WHERE id = %s", ["forged", entry.pk])
    with pytest.raises(IntegrityError, match="append-only"):
        _raw("UPDATE audit_auditentry SET actor_id = NULL")
    assert AuditEntry.objects.get(pk=entry.pk).action == "user.update"


def test_raw_sql_delete_is_refused_by_the_database(entry):
    with pytest.raises(IntegrityError, match="append-only"):
        _raw("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])
    with pytest.raises(IntegrityError, match="append-only"):
        _raw("DELETE FROM audit_auditentry")
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE exists on PostgreSQL only")
def test_raw_sql_truncate_is_refused_on_postgresql(entry):
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("TRUNCATE audit_auditentry")
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_inserting_stays_possible_with_raw_sql(entry):
    before = AuditEntry.objects.count()
    _raw(
        "INSERT INTO audit_auditentry (created_at, actor_name, action, object_type, object_id, object_repr,"
        " changes, channel) VALUES (%s, '', 'system.check', '', '', '', '{}', 'system')",
        [entry.created_at],
    )
    assert AuditEntry.objects.count() == before + 1


def test_deleting_a_person_keeps_their_audit_entries(admin, alice, bob):
    made_by_bob = record(bob, "role.assign", alice, {"role": "member"})
    about_bob = record(admin, "user.update", bob, {"mobile": ["138****0001", "139****0002"]})
    bob_id = bob.pk
    bob.delete()  # people are normally deactivated, but deletion must not touch the log
    assert not User.objects.filter(pk=bob_id).exists()
    kept = AuditEntry.objects.get(pk=made_by_bob.pk)
    assert kept.actor_id == bob_id
    assert kept.actor_name == "李波"
    assert AuditEntry.objects.get(pk=about_bob.pk).object_id == str(bob_id)
    # A dangling actor reads as no actor, not as an error.
    assert AuditEntry.objects.select_related("actor").get(pk=made_by_bob.pk).actor is None


def _triggers() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_auditentry'")
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_auditentry'::regclass"
                " AND NOT tgisinternal AND tgenabled = 'O'"
            )
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_log_and_keeps_the_guard(admin):
    record(admin, "user.update", admin, {"mobile": ["1", "2"]})
    guards = _triggers()
    assert guards  # installed by migration audit/0003
    call_command("flush", interactive=False, verbosity=0)
    assert AuditEntry.objects.count() == 0
    assert _triggers() == guards
    entry = record(None, "system.check", None, object_type="core.test")
    with pytest.raises(IntegrityError):
        _raw("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])
