"""Order lines remember how much money was refunded against them, so payouts deduct
exactly what was given back (and a CHECK keeps it within the line's paid amount).

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("order_items", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "refunded_amount",
                storage.types.Money(precision=10, scale=2),
                server_default=sa.text("0"),
                nullable=False,
            )
        )
        batch_op.create_check_constraint(
            "refund_within_line",
            "refunded_amount >= 0 AND refunded_amount <= price * quantity - discount_amount",
        )


def downgrade() -> None:
    with op.batch_alter_table("order_items", schema=None) as batch_op:
        batch_op.drop_constraint("refund_within_line", type_="check")
        batch_op.drop_column("refunded_amount")
