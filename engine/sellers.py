"""Sellers: apply -> an admin approves (or rejects, with a reason) -> active; suspend,
reinstate, close. Only active sellers list or sell; a suspended seller's products are hidden
from buyers (catalog queries join on the seller's status)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from engine.base import Deps, actor, admin, admin_user_ids, audit, found, notify, operation
from engine.errors import InvalidInput, NotFound
from engine.machines import SELLER_FLOW
from engine.transitions import SELLER, E
from storage.models import Seller, User
from storage.uow import UnitOfWork
from storage.vocabulary import SellerStatus, UserRole


@dataclass(frozen=True)
class SellerView:
    seller_id: int
    user_id: int
    store_name: str
    description: str | None
    status: SellerStatus
    status_reason: str | None

    @classmethod
    def of(cls, s: Seller) -> SellerView:
        return cls(s.seller_id, s.user_id, s.store_name, s.description, s.status, s.status_reason)


def allows(status: SellerStatus, event: E) -> bool:
    """Whether a store in `status` can take `event` now (the seller table): asked before an
    admin is asked why, so an older card's button does not ask about a step that cannot be."""
    return (status, event) in SELLER


def _text(value: str | None, field: str, limit: int, *, required: bool = False) -> str | None:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(field=field, rule="required")
    if len(value) > limit:
        raise InvalidInput(field=field, rule="too_long", limit=limit)
    return value or None


class Sellers:
    def __init__(self, deps: Deps) -> None:
        self.d = deps

    @operation("any user")
    async def apply(
        self,
        actor_id: int,
        store_name: str,
        description: str | None = None,
        logo_url: str | None = None,
    ) -> SellerView:
        """Apply to sell; the application waits for an admin."""
        name = _text(store_name, "store_name", 150, required=True)
        async with self.d.uow() as uow:
            await actor(uow, actor_id)
            existing = await uow.session.scalar(select(Seller).where(Seller.user_id == actor_id))
            if existing is not None:
                if existing.status != SellerStatus.rejected:
                    raise InvalidInput(
                        field="store", rule="already_applied", status=existing.status.value
                    )
                existing.store_name, existing.status = name or "", SellerStatus.pending
                existing.description = _text(description, "description", 2000)
                existing.status_reason = None
                audit(
                    uow,
                    "seller",
                    existing.seller_id,
                    "status_change",
                    by=actor_id,
                    old={"status": "rejected"},
                    new={"status": "pending", "event": "reapply"},
                )
                seller = existing
            else:
                seller = Seller(
                    user_id=actor_id,
                    store_name=name,
                    status=SellerStatus.pending,
                    description=_text(description, "description", 2000),
                    logo_url=_text(logo_url, "logo_url", 255),
                )
                uow.session.add(seller)
                try:
                    await uow.session.flush()
                except IntegrityError:
                    raise InvalidInput(field="store_name", rule="taken") from None
                audit(
                    uow,
                    "seller",
                    seller.seller_id,
                    "create",
                    by=actor_id,
                    new={"store_name": name, "status": "pending"},
                )
            await self._tell_admins(
                uow, "seller_applied", seller_id=seller.seller_id, store_name=seller.store_name
            )
            await uow.commit()
            return SellerView.of(seller)

    async def _tell_admins(self, uow: UnitOfWork, kind: str, **data: Any) -> None:
        for admin_id in await admin_user_ids(uow):
            notify(uow, admin_id, kind, **data)

    async def _decide(
        self,
        actor_id: int,
        seller_id: int,
        event: E,
        reason: str | None,
        *,
        by_admin: bool = True,
    ) -> SellerView:
        async with self.d.uow() as uow:
            if by_admin:
                await admin(uow, actor_id)
            else:
                await actor(uow, actor_id)
            seller = await found(uow, Seller, seller_id, "seller", with_for_update=True)
            if not by_admin and seller.user_id != actor_id:
                raise NotFound(entity="seller", id=seller_id)
            if event in (E.reject, E.suspend) and not (reason or "").strip():
                raise InvalidInput(field="reason", rule="required")
            SELLER_FLOW.move(
                uow, seller, event, by=actor_id, extra={"reason": reason} if reason else None
            )
            seller.status_reason = (reason or "").strip() or None
            owner = await uow.session.get(User, seller.user_id)
            assert owner is not None
            if event == E.approve:
                seller.approved_at = self.d.clock()
                seller.status_reason = None
                if owner.role == UserRole.customer:
                    owner.role = UserRole.seller
            notify(
                uow,
                seller.user_id,
                f"seller_{event.value}",
                seller_id=seller_id,
                store_name=seller.store_name,
                reason=seller.status_reason,
            )
            await uow.commit()
            return SellerView.of(seller)

    @operation("admin")
    async def approve(self, actor_id: int, seller_id: int) -> SellerView:
        """Approve a pending application: the seller may list products."""
        return await self._decide(actor_id, seller_id, E.approve, None)

    @operation("admin")
    async def reject(self, actor_id: int, seller_id: int, reason: str) -> SellerView:
        """Refuse a pending application, with the reason the applicant reads."""
        return await self._decide(actor_id, seller_id, E.reject, reason)

    @operation("admin")
    async def suspend(self, actor_id: int, seller_id: int, reason: str) -> SellerView:
        """Suspend an active seller: its products disappear from the shop."""
        return await self._decide(actor_id, seller_id, E.suspend, reason)

    @operation("admin")
    async def reinstate(self, actor_id: int, seller_id: int) -> SellerView:
        """Lift a suspension."""
        return await self._decide(actor_id, seller_id, E.reinstate, None)

    @operation("the seller itself, or admin")
    async def close(self, actor_id: int, seller_id: int, reason: str | None = None) -> SellerView:
        """Close a store for good."""
        async with self.d.read() as uow:
            who = await actor(uow, actor_id)
        return await self._decide(actor_id, seller_id, E.close, reason, by_admin=who.is_admin)

    @operation("the seller itself")
    async def mine(self, actor_id: int) -> SellerView | None:
        """The acting user's store, whatever its status (to show why it cannot sell)."""
        async with self.d.read() as uow:
            await actor(uow, actor_id)
            seller = await uow.session.scalar(select(Seller).where(Seller.user_id == actor_id))
            return None if seller is None else SellerView.of(seller)

    @operation("admin")
    async def pending(self, actor_id: int) -> list[SellerView]:
        """Applications waiting for a decision, oldest first."""
        async with self.d.read() as uow:
            await admin(uow, actor_id)
            rows = (
                await uow.session.scalars(
                    select(Seller)
                    .where(Seller.status == SellerStatus.pending)
                    .order_by(Seller.created_at, Seller.seller_id)
                )
            ).all()
            return [SellerView.of(s) for s in rows]
