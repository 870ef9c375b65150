"""What every engine operation stands on: rules, the clock, the acting user, audit and outbox.

An operation is a method of a service (`engine.shop.Shop` bundles them). It opens one unit of
work, loads the acting user (`actor`), checks what that user may do, changes state through a
transition table (`transition`, which writes exactly one audit row), adds outbox rows
(`notify`) and commits once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, Generic, Protocol, TypeVar, cast, runtime_checkable

from sqlalchemy import select

from engine.errors import Banned, Forbidden, NotFound
from engine.transitions import E, next_status
from storage.models import Outbox, Product, Return, Seller, Shipment, User
from storage.uow import UnitOfWork
from storage.vocabulary import SellerStatus, UserRole, UserStatus

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Rules:
    """The shop owner's settings that the rules depend on (from bot.settings)."""

    currency: str = "USD"
    commission_percent: Decimal = Decimal("10")
    unpaid_order_ttl: timedelta = timedelta(minutes=30)
    bank_transfer_ttl: timedelta = timedelta(hours=72)
    return_window: timedelta = timedelta(days=14)
    large_adjustment: int = 50  # units; the admin's inventory watch flags bigger manual changes


@dataclass(frozen=True)
class RefundResult:
    provider_ref: str


def refund_key(refund_id: int) -> str:
    """The idempotency key of every provider call for one refund: the same on each attempt."""
    return f"refund-{refund_id}"


@dataclass(frozen=True)
class RefundRequest:
    """One refund as its provider is asked for it; `attempt` counts the calls made for it."""

    refund_id: int
    transaction_ref: str
    amount: Decimal
    currency: str
    attempt: int = 1

    @property
    def key(self) -> str:
        return refund_key(self.refund_id)


class RefundProvider(Protocol):
    """Gives money back through the payment's provider (Stripe, PayPal, a manual ledger)."""

    async def refund(
        self, transaction_ref: str, amount: Decimal, currency: str
    ) -> RefundResult: ...


@runtime_checkable
class KeyedRefunds(Protocol):
    """A provider that may be asked again safely: the request's key makes a repeat return the
    first refund (Stripe's idempotency key, PayPal's PayPal-Request-Id), and a retry first
    looks for a refund already made for it."""

    async def refund_once(self, request: RefundRequest) -> RefundResult: ...


async def ask_refund(provider: RefundProvider, request: RefundRequest) -> RefundResult:
    """Ask `provider` for `request`, with its key when the provider takes one."""
    if isinstance(provider, KeyedRefunds):
        return await provider.refund_once(request)
    return await provider.refund(request.transaction_ref, request.amount, request.currency)


class ManualRefunds:
    """COD and bank transfers: money goes back by hand; the ledger records who did it."""

    async def refund(self, transaction_ref: str, amount: Decimal, currency: str) -> RefundResult:
        return RefundResult(provider_ref=f"manual:{transaction_ref}:{amount}")

    async def refund_once(self, request: RefundRequest) -> RefundResult:
        return RefundResult(provider_ref=f"manual:{request.key}")


@dataclass(frozen=True)
class ProviderCharge:
    """Money a provider took for us, as the provider's own records say."""

    provider: str
    transaction_ref: str  # what a Payment row records (Stripe: the charge id)
    amount: Decimal
    currency: str
    payload: str | None  # what it was for: our invoice payload, when the provider kept it
    created_at: datetime
    aliases: tuple[str, ...] = ()  # other ids of the same money (Stripe: its PaymentIntent)


@runtime_checkable
class ChargeSource(Protocol):
    """A provider that can list the charges it made for us since a moment (Stripe)."""

    async def charges_since(self, since: datetime) -> list[ProviderCharge]: ...


@runtime_checkable
class CaptureLookup(Protocol):
    """A provider that can say whether the checkout it opened for one of our orders (under
    `request_id`) was captured (PayPal)."""

    async def find_capture(
        self, order_id: int, amount: Decimal, currency: str, *, request_id: str
    ) -> ProviderCharge | None: ...


@dataclass
class Deps:
    uow: Callable[[], UnitOfWork]
    rules: Rules = field(default_factory=Rules)
    clock: Clock = utcnow
    refunds: Mapping[str, RefundProvider] = field(default_factory=dict)

    def read(self) -> UnitOfWork:
        """A unit of work that only reads: it does not queue behind writers (storage/uow.py)."""
        return self.uow().reading()

    def refund_provider(self, provider: str) -> RefundProvider:
        return self.refunds.get(provider) or ManualRefunds()


@dataclass(frozen=True)
class Actor:
    user_id: int
    role: UserRole
    status: UserStatus

    @property
    def is_admin(self) -> bool:
        return self.role == UserRole.admin


R = TypeVar("R")


async def found(uow: UnitOfWork, model: type[R], ident: Any, entity: str, **options: Any) -> R:
    """Row `ident` of `model` (`options` go to `Session.get`: with_for_update, populate_existing),
    or NotFound(entity, id)."""
    row = await uow.session.get(model, ident, **options)
    if row is None:
        raise NotFound(entity=entity, id=ident)
    return row


async def admin_user_ids(uow: UnitOfWork) -> list[int]:
    """Everyone who administers the shop (role admin; ADMIN_IDS become that at sign-up)."""
    rows = await uow.session.scalars(
        select(User.user_id).where(User.role == UserRole.admin).order_by(User.user_id)
    )
    return list(rows.all())


async def actor(uow: UnitOfWork, user_id: int) -> Actor:
    """The acting user; a banned user may do nothing (reading why is `Accounts.me`)."""
    user = await found(uow, User, user_id, "user")
    if user.status == UserStatus.banned:
        raise Banned(reason=user.status_reason)
    return Actor(user.user_id, user.role, user.status)


async def admin(uow: UnitOfWork, user_id: int) -> Actor:
    who = await actor(uow, user_id)
    if not who.is_admin:
        raise Forbidden(action="admin_only")
    return who


async def seller_of(uow: UnitOfWork, user_id: int, *, must_be_active: bool = True) -> Seller:
    """The acting user's own store; only an active seller may list or sell."""
    await actor(uow, user_id)
    seller = await uow.session.scalar(select(Seller).where(Seller.user_id == user_id))
    if seller is None:
        raise Forbidden(action="seller_only")
    if must_be_active and seller.status != SellerStatus.active:
        raise Forbidden(action="seller_not_active", status=seller.status.value)
    return seller


Owned = TypeVar("Owned", Product, Shipment, Return)


async def owned_by_seller(
    uow: UnitOfWork,
    actor_id: int,
    model: type[Owned],
    ident: int,
    entity: str,
    *,
    must_be_active: bool = False,
    **options: Any,
) -> Owned:
    """Row `ident` of `model` if the acting user's store owns it, else NotFound(entity, id):
    another store's row is not shown to exist. `options` go to `Session.get`."""
    seller = await seller_of(uow, actor_id, must_be_active=must_be_active)
    row = await uow.session.get(model, ident, **options)
    if row is None or row.seller_id != seller.seller_id:
        raise NotFound(entity=entity, id=ident)
    return row


def jsonable(value: Any) -> Any:
    """Audit and outbox payloads: money as strings, enums as values, times as ISO text."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def audit(
    uow: UnitOfWork,
    entity: str,
    entity_id: int,
    action: str,
    *,
    by: int | None,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
) -> None:
    uow.audit.record(
        entity,
        entity_id,
        action,
        by=by,
        old=None if old is None else jsonable(old),
        new=None if new is None else jsonable(new),
    )


def notify(
    uow: UnitOfWork, user_id: int, kind: str, *, dedupe_key: str | None = None, **data: Any
) -> None:
    """An outbox row: someone must be told, delivered after this transaction commits."""
    uow.session.add(
        Outbox(user_id=user_id, kind=kind, payload=jsonable(data), dedupe_key=dedupe_key)
    )


S = TypeVar("S", bound=StrEnum)


def transition(
    uow: UnitOfWork,
    *,
    machine: str,
    table: dict[tuple[S, E], S],
    obj: Any,
    attr: str,
    event: E,
    entity: str,
    entity_id: int,
    by: int | None,
    extra: dict[str, Any] | None = None,
) -> S:
    """Move `obj.attr` along `table` by `event`, with exactly one audit row."""
    old: S = getattr(obj, attr)
    new = next_status(machine, table, old, event)
    setattr(obj, attr, new)
    audit(
        uow,
        entity,
        entity_id,
        "status_change",
        by=by,
        old={attr: old},
        new={attr: new, "event": event} | (extra or {}),
    )
    return new


@dataclass(frozen=True)
class Machine(Generic[S]):
    """One state machine of the design: its transition table, the attribute it moves, and the
    audit entity (and id attribute) it is recorded under (engine/machines.py lists them)."""

    name: str
    table: dict[tuple[S, E], S]
    attr: str
    entity: str
    key: str

    def move(
        self,
        uow: UnitOfWork,
        obj: Any,
        event: E,
        *,
        by: int | None,
        extra: dict[str, Any] | None = None,
    ) -> S:
        """`transition` for this machine: `obj` moves by `event`, with one audit row."""
        return transition(
            uow,
            machine=self.name,
            table=self.table,
            obj=obj,
            attr=self.attr,
            event=event,
            entity=self.entity,
            entity_id=getattr(obj, self.key),
            by=by,
            extra=extra,
        )


# --- the operation registry: docs/engine.md lists every operation and who may call it ---
OPERATIONS: list[tuple[str, str, str]] = []
F = TypeVar("F", bound=Callable[..., Any])


# the ids a row can have: SQLite's INTEGER and PostgreSQL's BIGINT are signed 64-bit
ROW_IDS = range(-(2**63), 2**63)


def beyond_row_ids(value: Any) -> int | None:
    """An integer no row can have, in `value` or one level inside it (a list of ids, a
    mapping of id to quantity), or None."""
    if isinstance(value, list | tuple | set | frozenset):
        values: Any = value
    elif isinstance(value, Mapping):
        values = [*value.keys(), *value.values()]
    else:
        values = (value,)
    for item in values:
        if isinstance(item, int) and not isinstance(item, bool) and item not in ROW_IDS:
            return item
    return None


def operation(who: str) -> Callable[[F], F]:
    """Register an engine operation with who may call it (shown in docs/engine.md).

    A number too large for any row (a forged button, a typed id) is `NotFound` here, for every
    operation, before the database is asked and refuses it with an error of its own."""

    def register(fn: F) -> F:
        paragraph = (fn.__doc__ or "").strip().split("\n\n")[0]
        OPERATIONS.append((fn.__qualname__, who, " ".join(paragraph.split())))

        @functools.wraps(fn)
        async def checked(*args: Any, **kwargs: Any) -> Any:
            for value in (*args[1:], *kwargs.values()):  # args[0]: the service
                number = beyond_row_ids(value)
                if number is not None:
                    raise NotFound(entity="id", id=str(number))
            return await fn(*args, **kwargs)

        return cast(F, checked)

    return register
