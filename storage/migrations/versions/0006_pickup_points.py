"""Local pickup: a shipping provider that is a pickup point says where (`pickup_address`),
and the customer is told that place instead of a delivery address.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("shipping_providers") as batch:
        batch.add_column(sa.Column("pickup_address", sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("shipping_providers") as batch:
        batch.drop_column("pickup_address")
