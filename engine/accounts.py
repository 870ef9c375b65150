"""Accounts: customers come from their Telegram identity; profiles, addresses (one default
per type), and bans (a banned user can do nothing but read why)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from engine.base import Deps, actor, admin, audit, found, notify, operation
from engine.errors import InvalidInput, NotFound
from storage.models import Address, User
from storage.uow import UnitOfWork
from storage.vocabulary import AddressType, UserId, UserRole, UserStatus

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[A-Za-z]{2,}$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{5,18}[0-9]$")


@dataclass(frozen=True, slots=True)
class TelegramIdentity:
    telegram_id: int
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None


@dataclass(frozen=True, slots=True)
class UserView:
    id: UserId
    telegram_id: int | None
    first_name: str | None
    role: UserRole
    status: UserStatus
    status_reason: str | None
    language_code: str | None
    created: bool = False
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None

    @classmethod
    def of(cls, user: User, *, created: bool = False) -> UserView:
        return cls(
            id=UserId(user.user_id),
            telegram_id=user.telegram_id,
            first_name=user.first_name,
            role=user.role,
            status=user.status,
            status_reason=user.status_reason,
            language_code=user.language_code,
            created=created,
            last_name=user.last_name,
            email=user.email,
            phone=user.phone,
        )


@dataclass(frozen=True)
class AddressInput:
    street: str
    city: str
    country: str
    state: str | None = None
    postal_code: str | None = None
    recipient_name: str | None = None
    phone: str | None = None
    type: AddressType = AddressType.shipping


@dataclass(frozen=True)
class AddressView:
    address_id: int
    type: AddressType
    recipient_name: str | None
    street: str
    city: str
    state: str | None
    country: str
    postal_code: str | None
    phone: str | None
    is_default: bool

    @classmethod
    def of(cls, a: Address) -> AddressView:
        return cls(
            a.address_id,
            a.type,
            a.recipient_name,
            a.street,
            a.city,
            a.state,
            a.country,
            a.postal_code,
            a.phone,
            a.is_default,
        )


def _clip(value: str | None, limit: int) -> str | None:
    return value[:limit] if value else None


def _field(value: str | None, name: str, limit: int, *, required: bool = False) -> str | None:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(field=name, rule="required")
    if len(value) > limit:
        raise InvalidInput(field=name, rule="too_long", limit=limit)
    return value or None


def valid_phone(phone: str | None) -> str | None:
    phone = (phone or "").strip()
    if not phone:
        return None
    if not _PHONE.match(phone) or len(phone) > 20:
        raise InvalidInput(field="phone", rule="format")
    return phone


class Accounts:
    def __init__(self, deps: Deps, admin_ids: Iterable[int] = ()) -> None:
        self.d = deps
        self._admin_ids = frozenset(admin_ids)

    @operation("anyone who writes to the bot")
    async def register_from_telegram(self, identity: TelegramIdentity) -> UserView:
        """Create the customer on first contact; keep names and language up to date after.

        Writing to the bot opens the chat: messages that waited for it (`held` outbox rows,
        bot/notify.py) are released, to be delivered now."""
        if identity.telegram_id <= 0:
            raise InvalidInput(field="telegram_id", rule="positive")
        is_admin = identity.telegram_id in self._admin_ids
        async with self.d.uow() as uow:
            user, created = await uow.users.get_or_create_by_telegram_id(
                identity.telegram_id,
                role=UserRole.admin if is_admin else UserRole.customer,
                status=UserStatus.active,
            )
            user.first_name = _clip(identity.first_name, 100)
            user.last_name = _clip(identity.last_name, 100)
            user.username = _clip(identity.username, 64)
            user.language_code = _clip(identity.language_code, 16)
            await uow.session.flush()
            if created:
                audit(
                    uow,
                    "user",
                    user.user_id,
                    "create",
                    by=user.user_id,
                    new={"telegram_id": user.telegram_id, "role": user.role},
                )
            elif is_admin and user.role != UserRole.admin:
                # ADMIN_IDS is the source of truth for who administers the shop
                audit(
                    uow,
                    "user",
                    user.user_id,
                    "status_change",
                    by=None,
                    old={"role": user.role},
                    new={"role": UserRole.admin},
                )
                user.role = UserRole.admin
            if not created:
                await uow.outbox.release_held(user.user_id, self.d.clock())
            await uow.commit()
            return UserView.of(user, created=created)

    @operation("the user themself (also when banned)")
    async def me(self, actor_id: int) -> UserView:
        """The user's own account, including whether and why it is banned."""
        async with self.d.uow() as uow:
            user = await found(uow, User, actor_id, "user")
            return UserView.of(user)

    @operation("the user themself")
    async def update_profile(
        self,
        actor_id: int,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        email: str | None = None,
        phone: str | None = None,
    ) -> UserView:
        """Change names, e-mail (validated, unique) or phone; None leaves a field as it is."""
        async with self.d.uow() as uow:
            await actor(uow, actor_id)
            user = await uow.session.get(User, actor_id)
            assert user is not None
            old = {
                "first_name": user.first_name,
                "last_name": user.last_name,
                "email": user.email,
                "phone": user.phone,
            }
            if first_name is not None:
                user.first_name = _field(first_name, "first_name", 100)
            if last_name is not None:
                user.last_name = _field(last_name, "last_name", 100)
            if email is not None:
                email = email.strip().lower()
                if email and (not _EMAIL.match(email) or len(email) > 150):
                    raise InvalidInput(field="email", rule="format")
                user.email = email or None
            if phone is not None:
                user.phone = valid_phone(phone)
            try:
                await uow.session.flush()
            except IntegrityError:
                raise InvalidInput(field="email", rule="taken") from None
            new = {
                "first_name": user.first_name,
                "last_name": user.last_name,
                "email": user.email,
                "phone": user.phone,
            }
            audit(uow, "user", actor_id, "update", by=actor_id, old=old, new=new)
            await uow.commit()
            return UserView.of(user)

    # --- addresses -------------------------------------------------------------------------
    async def _own_address(self, uow: UnitOfWork, actor_id: int, address_id: int) -> Address:
        await actor(uow, actor_id)
        address = await uow.session.get(Address, address_id)
        if address is None or address.user_id != actor_id:
            raise NotFound(entity="address", id=address_id)
        return address

    async def _make_default(self, uow: UnitOfWork, address: Address) -> None:
        await uow.session.execute(
            update(Address)
            .where(
                Address.user_id == address.user_id,
                Address.type == address.type,
                Address.address_id != address.address_id,
            )
            .values(is_default=False)
        )
        await uow.session.flush()
        address.is_default = True

    @operation("the user themself")
    async def add_address(
        self, actor_id: int, data: AddressInput, *, default: bool = False
    ) -> AddressView:
        """Save an address; the first of its type becomes the default."""
        async with self.d.uow() as uow:
            await actor(uow, actor_id)
            address = Address(
                user_id=actor_id,
                type=data.type,
                street=_field(data.street, "street", 255, required=True),
                city=_field(data.city, "city", 100, required=True),
                country=_field(data.country, "country", 100, required=True),
                state=_field(data.state, "state", 100),
                postal_code=_field(data.postal_code, "postal_code", 20),
                recipient_name=_field(data.recipient_name, "recipient_name", 200),
                phone=valid_phone(data.phone),
                is_default=False,
            )
            uow.session.add(address)
            await uow.session.flush()
            has_default = await uow.session.scalar(
                select(Address.address_id).where(
                    Address.user_id == actor_id, Address.type == data.type, Address.is_default
                )
            )
            if default or has_default is None:
                await self._make_default(uow, address)
            audit(
                uow,
                "address",
                address.address_id,
                "create",
                by=actor_id,
                new={"city": address.city, "type": address.type},
            )
            await uow.commit()
            return AddressView.of(address)

    @operation("the user themself")
    async def set_default_address(self, actor_id: int, address_id: int) -> AddressView:
        """Make an address the default of its type."""
        async with self.d.uow() as uow:
            address = await self._own_address(uow, actor_id, address_id)
            await self._make_default(uow, address)
            await uow.commit()
            return AddressView.of(address)

    @operation("the user themself")
    async def delete_address(self, actor_id: int, address_id: int) -> None:
        """Forget an address (orders keep their own copy of it)."""
        async with self.d.uow() as uow:
            address = await self._own_address(uow, actor_id, address_id)
            await uow.session.delete(address)
            audit(uow, "address", address_id, "delete", by=actor_id)
            await uow.commit()

    @operation("the user themself")
    async def addresses(self, actor_id: int) -> list[AddressView]:
        """The user's addresses, defaults first."""
        async with self.d.uow() as uow:
            await actor(uow, actor_id)
            rows = (
                await uow.session.scalars(
                    select(Address)
                    .where(Address.user_id == actor_id)
                    .order_by(Address.is_default.desc(), Address.address_id)
                )
            ).all()
            return [AddressView.of(a) for a in rows]

    # --- bans -------------------------------------------------------------------------------
    @operation("admin")
    async def ban(self, actor_id: int, user_id: int, reason: str) -> UserView:
        """Ban a user, with the reason they will read. Admins cannot be banned."""
        if not reason.strip():
            raise InvalidInput(field="reason", rule="required")
        return await self._set_status(actor_id, user_id, UserStatus.banned, reason.strip())

    @operation("admin")
    async def unban(self, actor_id: int, user_id: int) -> UserView:
        """Lift a ban."""
        return await self._set_status(actor_id, user_id, UserStatus.active, None)

    async def _set_status(
        self, actor_id: int, user_id: int, status: UserStatus, reason: str | None
    ) -> UserView:
        async with self.d.uow() as uow:
            await admin(uow, actor_id)
            user = await found(uow, User, user_id, "user", with_for_update=True)
            if user.role == UserRole.admin:
                raise InvalidInput(field="user_id", rule="not_an_admin")
            old = user.status
            user.status, user.status_reason = status, reason
            if old != status:
                audit(
                    uow,
                    "user",
                    user_id,
                    "status_change",
                    by=actor_id,
                    old={"status": old},
                    new={"status": status, "reason": reason},
                )
                notify(
                    uow,
                    user_id,
                    "account_banned" if status == UserStatus.banned else "account_restored",
                    reason=reason,
                )
            await uow.commit()
            return UserView.of(user)
