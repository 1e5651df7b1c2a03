"""The PostgreSQL backend's health check (huying/core/postgresql/base.py): a healthy idle
connection is usable without asking the server; one the server ended, one in a failed
transaction and a closed one are not."""

import select

import pytest
from django.db import connection, connections

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend"),
]


@pytest.fixture
def fresh():
    """A connection of its own (the test's default connection stays as it is)."""
    wrapper = connections.create_connection("default")
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


def test_the_server_answers_the_settings_backend(fresh):
    from huying.core.postgresql.base import DatabaseWrapper

    assert isinstance(fresh, DatabaseWrapper) and fresh.health_check_enabled


def test_an_idle_connection_is_usable(fresh):
    with fresh.cursor() as cursor:
        cursor.execute("SELECT 1")
    assert fresh.is_usable()
    assert fresh.is_usable()


def test_a_connection_the_server_ended_is_not(fresh):
    pid = fresh.connection.info.backend_pid
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        assert cursor.fetchone() == (True,)
    # the server's goodbye reaches the socket (waited for, bounded; not a fixed sleep)
    assert select.select([fresh.connection.fileno()], [], [], 30)[0]
    assert not fresh.is_usable()
    fresh.close_if_unusable_or_obsolete()  # a request starts (request_started)
    fresh.close_if_health_check_failed()  # its first query checks the connection: closed
    assert fresh.connection is None
    with fresh.cursor() as cursor:
        cursor.execute("SELECT 2")
        assert cursor.fetchone() == (2,)


def test_a_failed_transaction_is_asked_about(fresh):
    fresh.connection.autocommit = False
    with fresh.connection.cursor() as cursor, pytest.raises(fresh.Database.Error):
        cursor.execute("SELECT 1/0")
    assert not fresh.is_usable()  # the server refuses SELECT 1 in an aborted transaction
    fresh.connection.rollback()
    fresh.connection.autocommit = True
    assert fresh.is_usable()


def test_a_closed_connection_is_not(fresh):
    fresh.connection.close()
    assert not fresh.is_usable()
