"""Database objects of the proposal full-text index that Django's schema editor does not
know: the SQLite FTS5 table and its triggers, the PostgreSQL trigger and GIN index.

Used by migration ``0003_search_awards`` and by ``manage.py proposals_reindex`` (which
re-creates anything missing, e.g. after a later migration made SQLite rebuild the
``proposals_proposalsearch`` table, which drops its triggers). Every statement is
idempotent (``IF NOT EXISTS`` / ``OR REPLACE``).
"""

from __future__ import annotations

from typing import Any

TABLE = "proposals_proposalsearch"
FTS_TABLE = "proposals_search_fts"

SQLITE_CREATE = [
    # External content: the words are stored once, in the Django table; FTS5 keeps only its
    # inverted index. The unicode61 tokenizer splits on the spaces between our words.
    """CREATE VIRTUAL TABLE IF NOT EXISTS proposals_search_fts USING fts5(
        title_words, summary_words, body_words, title_grams,
        content='proposals_proposalsearch', content_rowid='proposal_id', tokenize='unicode61'
    )""",
    """CREATE TRIGGER IF NOT EXISTS proposals_search_fts_ai AFTER INSERT ON proposals_proposalsearch BEGIN
        INSERT INTO proposals_search_fts(rowid, title_words, summary_words, body_words, title_grams)
        VALUES (new.proposal_id, new.title_words, new.summary_words, new.body_words, new.title_grams);
    END""",
    """CREATE TRIGGER IF NOT EXISTS proposals_search_fts_ad AFTER DELETE ON proposals_proposalsearch BEGIN
        INSERT INTO proposals_search_fts(proposals_search_fts, rowid, title_words, summary_words, body_words, title_grams)
        VALUES ('delete', old.proposal_id, old.title_words, old.summary_words, old.body_words, old.title_grams);
    END""",
    """CREATE TRIGGER IF NOT EXISTS proposals_search_fts_au AFTER UPDATE ON proposals_proposalsearch BEGIN
        INSERT INTO proposals_search_fts(proposals_search_fts, rowid, title_words, summary_words, body_words, title_grams)
        VALUES ('delete', old.proposal_id, old.title_words, old.summary_words, old.body_words, old.title_grams);
        INSERT INTO proposals_search_fts(rowid, title_words, summary_words, body_words, title_grams)
        VALUES (new.proposal_id, new.title_words, new.summary_words, new.body_words, new.title_grams);
    END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS proposals_search_fts_ai",
    "DROP TRIGGER IF EXISTS proposals_search_fts_ad",
    "DROP TRIGGER IF EXISTS proposals_search_fts_au",
    "DROP TABLE IF EXISTS proposals_search_fts",
]

POSTGRES_CREATE = [
    # The 'simple' configuration lower-cases and keeps every word: the segmentation has
    # already been done in Python, there is no Chinese stemmer or stop-word list to apply.
    """CREATE OR REPLACE FUNCTION proposals_proposalsearch_document() RETURNS trigger AS $$
    BEGIN
        NEW.head := setweight(to_tsvector('simple', coalesce(NEW.title_words, '')), 'A')
            || setweight(to_tsvector('simple', coalesce(NEW.title_grams, '')), 'B')
            || setweight(to_tsvector('simple', coalesce(NEW.summary_words, '')), 'C');
        NEW.document := NEW.head || setweight(to_tsvector('simple', coalesce(NEW.body_words, '')), 'D');
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql""",
    """CREATE OR REPLACE TRIGGER proposals_proposalsearch_document BEFORE INSERT OR UPDATE
        ON proposals_proposalsearch FOR EACH ROW EXECUTE FUNCTION proposals_proposalsearch_document()""",
    "CREATE INDEX IF NOT EXISTS proposals_proposalsearch_document_gin ON proposals_proposalsearch USING gin (document)",
    # Title words, title pairs and summary words: the title fallback and the similar-proposal
    # prefilter, answered (and rechecked) without reading the full documents.
    "CREATE INDEX IF NOT EXISTS proposals_proposalsearch_head_gin ON proposals_proposalsearch USING gin (head)",
    # Keep the rows small: the words and the document go to the TOAST table, so that the
    # ids of a match are read from a few pages; the small ranking vector stays in the row.
    "ALTER TABLE proposals_proposalsearch ALTER COLUMN head SET STORAGE MAIN",
    "ALTER TABLE proposals_proposalsearch SET (toast_tuple_target = 1024)",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS proposals_proposalsearch_head_gin",
    "ALTER TABLE proposals_proposalsearch RESET (toast_tuple_target)",
    "DROP INDEX IF EXISTS proposals_proposalsearch_document_gin",
    "DROP TRIGGER IF EXISTS proposals_proposalsearch_document ON proposals_proposalsearch",
    "DROP FUNCTION IF EXISTS proposals_proposalsearch_document()",
]


def _run(connection: Any, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def is_installed(connection: Any) -> bool:
    """Whether the engine's triggers, table and index are all there."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE name IN (%s, %s, %s, %s)",
                [FTS_TABLE, "proposals_search_fts_ai", "proposals_search_fts_ad", "proposals_search_fts_au"],
            )
            return bool(cursor.fetchone()[0] == 4)
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT (SELECT count(*) FROM pg_trigger WHERE tgname = %s AND NOT tgisinternal)"
                " + (SELECT count(*) FROM pg_indexes WHERE indexname IN (%s, %s))",
                [
                    "proposals_proposalsearch_document",
                    "proposals_proposalsearch_document_gin",
                    "proposals_proposalsearch_head_gin",
                ],
            )
            return bool(cursor.fetchone()[0] == 3)
    return True


def install(connection: Any) -> None:
    """Create the engine's full-text objects (nothing on other engines)."""
    if connection.vendor == "sqlite":
        _run(connection, SQLITE_CREATE)
    elif connection.vendor == "postgresql":
        _run(connection, POSTGRES_CREATE)


def uninstall(connection: Any) -> None:
    if connection.vendor == "sqlite":
        _run(connection, SQLITE_DROP)
    elif connection.vendor == "postgresql":
        _run(connection, POSTGRES_DROP)


def rebuild(connection: Any) -> None:
    """After a bulk (re)load: SQLite rebuilds and merges the FTS5 index from the content
    table; PostgreSQL refreshes the planner's statistics."""
    if connection.vendor == "sqlite":
        _run(connection, ["INSERT INTO proposals_search_fts(proposals_search_fts) VALUES ('rebuild')"])
        _run(connection, ["INSERT INTO proposals_search_fts(proposals_search_fts) VALUES ('optimize')"])
    elif connection.vendor == "postgresql":
        _run(connection, ["ANALYZE proposals_proposalsearch"])
