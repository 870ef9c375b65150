"""Column types that keep values exact on every database.

`Money` is NUMERIC(10,2) on PostgreSQL and a BIGINT count of cents on SQLite. SQLAlchemy's
own `Numeric` goes through a float on SQLite (SQLite has no decimal type), which silently
turns 0.10 + 0.20 into 0.30000000000000004; integer cents cannot drift, still sort and
compare correctly, and still sum exactly in SQL. Arithmetic in SQL is typed so that the
result is converted back to `Decimal` on both databases: Money ± Money and Money × Integer
give Money; other arithmetic on money columns is refused at query-build time because it
would mean different things on the two back ends (SQLite's cents divided by an integer
truncate).

`UTCDateTime` stores timezone-aware UTC instants and always returns aware datetimes
(SQLite keeps no zone, so values are normalised to UTC on the way in and tagged on the way out).
"""

from __future__ import annotations

import operator
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, DateTime, Dialect, Integer, Numeric
from sqlalchemy import Enum as SAEnum
from sqlalchemy.sql.operators import OperatorType
from sqlalchemy.types import TypeDecorator, TypeEngine

from storage.vocabulary import MoneyError, money

_CENTS = Decimal(100)


class Money(TypeDecorator[Decimal]):
    """An exact amount with two decimal places (see the module docstring)."""

    impl = Numeric(10, 2, asdecimal=True)
    cache_ok = True

    class comparator_factory(TypeDecorator.Comparator[Decimal]):  # noqa: N801 - SQLAlchemy's name
        def _adapt_expression(
            self, op: OperatorType, other_comparator: TypeEngine.Comparator[Any]
        ) -> tuple[OperatorType, TypeEngine[Any]]:
            other = other_comparator.type
            if op in (operator.add, operator.sub) and isinstance(other, Money):
                return op, self.type
            if op is operator.mul and isinstance(other, Integer):
                return op, self.type
            raise MoneyError(
                f"money arithmetic {getattr(op, '__name__', op)!s} with {other!r} is not exact "
                "on every database; compute it in Python with Decimal"
            )

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(10, 2, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        amount = money(value)
        if dialect.name == "sqlite":
            return int(amount * _CENTS)
        return amount

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            if isinstance(value, float):  # never written by us; refuse to guess
                raise MoneyError(f"money column holds a float on SQLite: {value!r}")
            return money(Decimal(int(value)) / _CENTS, bounded=False)
        return money(Decimal(value), bounded=False)

    def coerce_compared_value(self, op: OperatorType | None, value: Any) -> TypeEngine[Any]:
        # `price * 2` multiplies by a plain integer; `price > 10` compares with money.
        if op is operator.mul and isinstance(value, int):
            return Integer()
        return self

    @property
    def python_type(self) -> type[Decimal]:
        return Decimal


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on both databases."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected datetime, got {type(value).__name__}")
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware datetime (UTC)")
        aware: datetime = value.astimezone(UTC)
        return aware.replace(tzinfo=None) if dialect.name == "sqlite" else aware

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    @property
    def python_type(self) -> type[datetime]:
        return datetime


def enum_column(enum: type[StrEnum], name: str) -> SAEnum:
    """A portable enum: VARCHAR plus a named CHECK constraint listing the values.

    Native PostgreSQL enum types need a migration dance for every new value; a CHECK
    constraint keeps the rule in the database on both back ends and changes with one ALTER.
    """
    return SAEnum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum),
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )
