"""A customer writes to the shop's team: `support_requests` keeps each message (text, or a
photo with its caption) under its Telegram message (chat, message id: the same message
handled twice is one request), where the bot showed it to each admin, and the one answer an
admin gave it.

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "support_requests",
        sa.Column("request_id", ID, autoincrement=True, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("photo_file_id", sa.String(length=255), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "answered",
                name="support_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("copies", sa.JSON(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_by", ID, nullable=True),
        sa.Column("answer_message_id", sa.BigInteger(), nullable=True),
        sa.Column("answered_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            storage.types.UTCDateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            storage.types.UTCDateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(status = 'open' AND answer IS NULL AND answered_at IS NULL)"
            " OR (status = 'answered' AND answer IS NOT NULL AND answered_at IS NOT NULL)",
            name=op.f("ck_support_requests_answered_has_answer"),
        ),
        sa.ForeignKeyConstraint(
            ["answered_by"],
            ["users.user_id"],
            name=op.f("fk_support_requests_answered_by"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.user_id"],
            name=op.f("fk_support_requests_user_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_support_requests")),
        sa.UniqueConstraint(
            "chat_id", "message_id", name=op.f("uq_support_requests_chat_id_message_id")
        ),
    )
    with op.batch_alter_table("support_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_support_requests_answered_by"), ["answered_by"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_support_requests_user_id"), ["user_id"], unique=False)
        batch_op.create_index(
            "ix_support_requests_status_created_at", ["status", "created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("support_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_support_requests_status_created_at")
        batch_op.drop_index(batch_op.f("ix_support_requests_user_id"))
        batch_op.drop_index(batch_op.f("ix_support_requests_answered_by"))
    op.drop_table("support_requests")
