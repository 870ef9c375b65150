"""An index on products.updated_at: search asks "did the catalog change?" with max(updated_at)
on every call, which without it scans every product (docs/performance.md).

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_products_updated_at", "products", ["updated_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_products_updated_at", table_name="products")
