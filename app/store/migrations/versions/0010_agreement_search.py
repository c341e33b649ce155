"""agreement search index

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29

A full-text index of the agreements (issue 17), like the registry's (0006): an FTS5 table with the
trigram tokenizer whose rowid is the agreement's id, over its number, its project's name and its
undertaker's name with that name's pinyin initials and full pinyin; a second column holds marked
characters and pairs for one- and two-character searches (app/domain/search.py). Triggers keep it in
step with `agreements` and with renamed projects and organizations; they call spdesk_search_grams(),
which app/store/db.py registers on every connection. Plain CREATE statements, so that a new database
and an upgraded one hold the same SQL (the exact schema check compares it).

Also indexes for the lists: agreements by undertaker (search by the undertaker's name), and the
registry by each column it can be sorted by (keyset paging walks them; app/services/paging.py).

A later batch migration that re-creates `agreements`, `projects` or `organizations` drops these
triggers with the table: it must create them again (tests/unit/test_agreement_search.py checks them).
"""

from __future__ import annotations

from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

# The indexed texts of agreement `a` (an alias in a SELECT over agreements, projects and organizations).
BODY = ("coalesce(a.number, '') || char(10) || coalesce(p.name, '') || char(10) || coalesce(o.name, '') "
        "|| char(10) || coalesce(o.name_initials, '') || char(10) || coalesce(o.name_pinyin, '')")
GRAMS = "spdesk_search_grams(a.number, p.name, o.name, o.name_initials)"
SOURCE = ("FROM agreements AS a JOIN projects AS p ON p.id = a.project_id "
          "JOIN organizations AS o ON o.id = a.undertaker_id")


def _fill(where: str) -> str:
    return f"INSERT INTO agreement_search(rowid, body, grams) SELECT a.id, {BODY}, {GRAMS} {SOURCE} WHERE {where};"


REGISTRY_SORT_INDEXES = {  # the registry's sort keys without an index of their own (orgs._SORT_COLUMNS)
    "ix_organizations_name_pinyin": "name_pinyin",
    "ix_organizations_region": "region",
    "ix_organizations_legal_representative": "legal_representative",
    "ix_organizations_rating": "rating",
    "ix_organizations_updated_at": "updated_at",
}


def upgrade() -> None:
    op.execute("CREATE INDEX ix_agreements_undertaker_id ON agreements (undertaker_id)")
    for name, column in REGISTRY_SORT_INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON organizations ({column})")
    op.execute("CREATE VIRTUAL TABLE agreement_search USING fts5(body, grams, tokenize='trigram')")
    op.execute(_fill("1"))
    op.execute(f"CREATE TRIGGER agreements_search_insert AFTER INSERT ON agreements BEGIN {_fill('a.id = new.id')} END")
    op.execute("CREATE TRIGGER agreements_search_update AFTER UPDATE OF number, project_id, undertaker_id "
               "ON agreements BEGIN DELETE FROM agreement_search WHERE rowid = old.id; "
               f"{_fill('a.id = new.id')} END")
    op.execute("CREATE TRIGGER agreements_search_delete AFTER DELETE ON agreements BEGIN "
               "DELETE FROM agreement_search WHERE rowid = old.id; END")
    op.execute("CREATE TRIGGER projects_agreement_search AFTER UPDATE OF name ON projects BEGIN "
               "DELETE FROM agreement_search WHERE rowid IN (SELECT id FROM agreements WHERE project_id = new.id); "
               f"{_fill('a.project_id = new.id')} END")
    op.execute("CREATE TRIGGER organizations_agreement_search AFTER UPDATE OF name, name_initials, name_pinyin "
               "ON organizations BEGIN "
               "DELETE FROM agreement_search WHERE rowid IN (SELECT id FROM agreements WHERE undertaker_id = new.id); "
               f"{_fill('a.undertaker_id = new.id')} END")


def downgrade() -> None:
    for trigger in ("agreements_search_insert", "agreements_search_update", "agreements_search_delete",
                    "projects_agreement_search", "organizations_agreement_search"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS agreement_search")
    for name in REGISTRY_SORT_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    op.execute("DROP INDEX IF EXISTS ix_agreements_undertaker_id")
