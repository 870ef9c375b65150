"""Nothing lost when the bot dies.

- processed_updates becomes the inbox: the raw update is stored before it is handled, with its
  status, the worker handling it and that worker's heartbeat, so a claim whose worker died is
  replayed; a fingerprint of its content tells a re-delivery from a new update that reuses an
  id; `effects` counts the write transactions its handling committed (replays skip those).
  Rows that existed before are handled ones (status `done`).
- refunds are taken (`processing`, `taken_by`, `taken_at`) before the provider is asked, and
  count their provider calls.
- outbox rows remember which dispatcher's lease they are under (`claim_token`); a message to
  someone who has not started the bot waits (`held`).
- payments: `in_flight_until` marks a payment sheet let through pre-checkout.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REFUND_OLD = ("pending", "succeeded", "failed")
REFUND_NEW = ("pending", "processing", "succeeded", "failed")
OUTBOX_OLD = ("pending", "sent", "failed", "undeliverable")
OUTBOX_NEW = (*OUTBOX_OLD, "held")
UPDATE_STATUS = ("claimed", "done", "failed")


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    with op.batch_alter_table("processed_updates", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("fingerprint", sa.String(length=64), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("status", sa.String(length=7), server_default="done", nullable=False)
        )
        batch_op.create_check_constraint("update_status", _in("status", UPDATE_STATUS))
        batch_op.add_column(sa.Column("payload", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("heartbeat_at", storage.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("effects", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("done_at", storage.types.UTCDateTime(), nullable=True))
        batch_op.create_check_constraint("counts_not_negative", "attempts >= 0 AND effects >= 0")
        batch_op.create_index(
            "ix_processed_updates_status_heartbeat_at", ["status", "heartbeat_at"], unique=False
        )

    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_refunds_refund_status"), type_="check")
        batch_op.alter_column(
            "status", existing_type=sa.String(length=9), type_=sa.String(length=10)
        )
        batch_op.create_check_constraint("refund_status", _in("status", REFUND_NEW))
        batch_op.add_column(sa.Column("taken_by", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("taken_at", storage.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_outbox_outbox_status"), type_="check")
        batch_op.create_check_constraint("outbox_status", _in("status", OUTBOX_NEW))
        batch_op.add_column(sa.Column("claim_token", sa.String(length=40), nullable=True))

    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("in_flight_until", storage.types.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_column("in_flight_until")

    op.execute("UPDATE outbox SET status = 'pending' WHERE status = 'held'")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("claim_token")
        batch_op.drop_constraint(op.f("ck_outbox_outbox_status"), type_="check")
        batch_op.create_check_constraint("outbox_status", _in("status", OUTBOX_OLD))

    op.execute("UPDATE refunds SET status = 'pending' WHERE status = 'processing'")
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.drop_column("attempts")
        batch_op.drop_column("taken_at")
        batch_op.drop_column("taken_by")
        batch_op.drop_constraint(op.f("ck_refunds_refund_status"), type_="check")
        batch_op.alter_column(
            "status", existing_type=sa.String(length=10), type_=sa.String(length=9)
        )
        batch_op.create_check_constraint("refund_status", _in("status", REFUND_OLD))

    with op.batch_alter_table("processed_updates", schema=None) as batch_op:
        batch_op.drop_index("ix_processed_updates_status_heartbeat_at")
        batch_op.drop_constraint(op.f("ck_processed_updates_counts_not_negative"), type_="check")
        batch_op.drop_constraint(op.f("ck_processed_updates_update_status"), type_="check")
        for column in (
            "done_at",
            "effects",
            "attempts",
            "heartbeat_at",
            "claimed_by",
            "payload",
            "status",
            "fingerprint",
        ):
            batch_op.drop_column(column)
