"""Accounts: customers come from their Telegram identity."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from engine.errors import InvalidInput
from storage.models import User
from storage.uow import UnitOfWork
from storage.vocabulary import UserId, UserRole, UserStatus


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
        )


def _clip(value: str | None, limit: int) -> str | None:
    return value[:limit] if value else None


class Accounts:
    def __init__(self, uow: Callable[[], UnitOfWork], admin_ids: Collection[int] = ()) -> None:
        self._uow = uow
        self._admin_ids = frozenset(admin_ids)

    async def register_from_telegram(self, identity: TelegramIdentity) -> UserView:
        """Create the customer on first contact; keep names and language up to date after."""
        if identity.telegram_id <= 0:
            raise InvalidInput(field="telegram_id", rule="positive")
        is_admin = identity.telegram_id in self._admin_ids
        async with self._uow() as uow:
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
                uow.audit.record(
                    "user",
                    user.user_id,
                    "create",
                    by=user.user_id,
                    new={"telegram_id": user.telegram_id, "role": user.role.value},
                )
            elif is_admin and user.role != UserRole.admin:
                # ADMIN_IDS is the source of truth for who administers the shop
                uow.audit.record(
                    "user",
                    user.user_id,
                    "status_change",
                    by=None,
                    old={"role": user.role.value},
                    new={"role": UserRole.admin.value},
                )
                user.role = UserRole.admin
            await uow.commit()
            return UserView.of(user, created=created)
