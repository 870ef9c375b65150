"""A coupon given back by a cancelled or expired order keeps its `order_coupons` row, marked
`released_at`, so the order's cards still name the code; the use no longer counts. The
once-per-customer rule becomes a unique index over the rows not released.

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOT_RELEASED = sa.text("released_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("order_coupons", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("released_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.drop_constraint("uq_order_coupons_coupon_id_user_id", type_="unique")
    with op.batch_alter_table("order_coupons", schema=None) as batch_op:
        batch_op.create_index(
            "uq_order_coupons_coupon_id_user_id",
            ["coupon_id", "user_id"],
            unique=True,
            sqlite_where=NOT_RELEASED,
            postgresql_where=NOT_RELEASED,
        )


def downgrade() -> None:
    # released rows were deleted before this revision: a use given back left no row
    op.execute(sa.text("DELETE FROM order_coupons WHERE released_at IS NOT NULL"))
    with op.batch_alter_table("order_coupons", schema=None) as batch_op:
        batch_op.drop_index("uq_order_coupons_coupon_id_user_id")
    with op.batch_alter_table("order_coupons", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            "uq_order_coupons_coupon_id_user_id", ["coupon_id", "user_id"]
        )
        batch_op.drop_column("released_at")
