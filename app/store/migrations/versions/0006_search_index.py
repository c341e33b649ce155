"""search index

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29

An index for the agreement list's order, and a full-text index of the organization registry (issue 17): an FTS5 table with the trigram tokenizer
over name, pinyin initials and full pinyin, plus a column of marked characters and pairs for one-
and two-character searches (app/domain/search.py). Triggers keep it in step with `organizations`;
they call spdesk_search_grams(), which app/store/db.py registers on every connection.

A later batch migration that re-creates `organizations` drops these triggers with the table: it must
create them again (tests/unit/test_search_index.py checks that they exist at head).
"""

from __future__ import annotations

from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

BODY = "coalesce({p}.name, '') || char(10) || coalesce({p}.name_initials, '') || char(10) || coalesce({p}.name_pinyin, '')"
GRAMS = "spdesk_search_grams({p}.name, {p}.name_initials, {p}.name_pinyin)"


def _insert(p: str) -> str:
    return (f"INSERT INTO org_search(rowid, body, grams) VALUES ({p}.id, {BODY.format(p=p)}, "
            f"{GRAMS.format(p=p)});")


def upgrade() -> None:
    # The agreement list's order (newest period first), walked instead of sorting every agreement.
    op.create_index("ix_agreements_period_start", "agreements", ["period_start", "id"])
    op.execute("CREATE VIRTUAL TABLE org_search USING fts5(body, grams, tokenize='trigram')")
    op.execute(f"INSERT INTO org_search(rowid, body, grams) SELECT o.id, {BODY.format(p='o')}, {GRAMS.format(p='o')} "
               "FROM organizations AS o")
    op.execute(f"CREATE TRIGGER organizations_search_insert AFTER INSERT ON organizations BEGIN {_insert('new')} END")
    op.execute("CREATE TRIGGER organizations_search_update AFTER UPDATE OF name, name_initials, name_pinyin "
               f"ON organizations BEGIN DELETE FROM org_search WHERE rowid = old.id; {_insert('new')} END")
    op.execute("CREATE TRIGGER organizations_search_delete AFTER DELETE ON organizations BEGIN "
               "DELETE FROM org_search WHERE rowid = old.id; END")


def downgrade() -> None:
    for name in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS organizations_search_{name}")
    op.execute("DROP TABLE IF EXISTS org_search")
    op.drop_index("ix_agreements_period_start", table_name="agreements")
