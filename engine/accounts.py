"""Accounts: customers come from their Telegram identity; profiles, addresses (one default
per type), and bans (a banned user can do nothing but read why)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Final

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from engine.base import Deps, actor, admin, audit, found, notify, operation
from engine.errors import InvalidInput, NotFound
from storage.models import Address, User
from storage.uow import UnitOfWork
from storage.vocabulary import AddressType, UserId, UserRole, UserStatus

_LANGUAGE: Final = re.compile(r"[a-z]{2,3}")  # an ISO 639 language code

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[A-Za-z]{2,}$")
# a phone as people write it: digits, grouped by spaces, dots, hyphens or brackets, an
# international "+" first; 6 to 15 digits (E.164's longest is 15)
_PHONE = re.compile(r"^\+?[0-9(][0-9 ().-]*[0-9]$")


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
            language_code=user.chosen_language or user.language_code,
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
    """A phone number as written ("(555) 123-4567", "+44 20 7946 0958"), or None for none;
    `InvalidInput(field="phone", rule="format")` for letters, symbols, too few or too many
    digits."""
    phone = (phone or "").strip()
    if not phone:
        return None
    digits = sum(c.isdigit() for c in phone)
    if not _PHONE.match(phone) or len(phone) > 25 or not 6 <= digits <= 15:
        raise InvalidInput(field="phone", rule="format")
    return phone


# --- address rules ---------------------------------------------------------------------------
# Countries by ISO 3166 code: the English short name first (the one saved), then other names a
# customer may type. Matching ignores case, dots and extra spaces.
_COUNTRY_TABLE = """
AD Andorra|AE United Arab Emirates;UAE;Emirates|AF Afghanistan|AG Antigua and Barbuda
AL Albania|AM Armenia|AO Angola|AR Argentina|AT Austria|AU Australia|AZ Azerbaijan
BA Bosnia and Herzegovina;Bosnia|BB Barbados|BD Bangladesh|BE Belgium|BF Burkina Faso
BG Bulgaria|BH Bahrain|BI Burundi|BJ Benin|BN Brunei|BO Bolivia|BR Brazil;Brasil|BS Bahamas
BT Bhutan|BW Botswana|BY Belarus|BZ Belize|CA Canada|CD Democratic Republic of the Congo;DRC
CF Central African Republic|CG Congo;Republic of the Congo|CH Switzerland;Schweiz;Suisse
CI Côte d'Ivoire;Cote d'Ivoire;Ivory Coast|CL Chile|CM Cameroon|CN China|CO Colombia
CR Costa Rica|CU Cuba|CV Cape Verde;Cabo Verde|CY Cyprus|CZ Czechia;Czech Republic
DE Germany;Deutschland|DJ Djibouti|DK Denmark;Danmark|DM Dominica|DO Dominican Republic
DZ Algeria|EC Ecuador|EE Estonia|EG Egypt|ER Eritrea|ES Spain;España;Espana|ET Ethiopia
FI Finland;Suomi|FJ Fiji|FM Micronesia|FR France|GA Gabon
GB United Kingdom;UK;U.K.;GB;Great Britain;Britain;England;Scotland;Wales;Northern Ireland
GD Grenada|GE Georgia|GH Ghana|GM Gambia|GN Guinea|GQ Equatorial Guinea|GR Greece
GT Guatemala|GW Guinea-Bissau|GY Guyana|HK Hong Kong|HN Honduras|HR Croatia;Hrvatska|HT Haiti
HU Hungary|ID Indonesia|IE Ireland;Eire;Republic of Ireland|IL Israel|IN India|IQ Iraq|IR Iran
IS Iceland|IT Italy;Italia|JM Jamaica|JO Jordan|JP Japan|KE Kenya|KG Kyrgyzstan|KH Cambodia
KI Kiribati|KM Comoros|KN Saint Kitts and Nevis|KP North Korea|KR South Korea;Korea
KW Kuwait|KZ Kazakhstan|LA Laos|LB Lebanon|LC Saint Lucia|LI Liechtenstein|LK Sri Lanka
LR Liberia|LS Lesotho|LT Lithuania|LU Luxembourg|LV Latvia|LY Libya|MA Morocco|MC Monaco
MD Moldova|ME Montenegro|MG Madagascar|MH Marshall Islands|MK North Macedonia;Macedonia|ML Mali
MM Myanmar;Burma|MN Mongolia|MO Macao;Macau|MR Mauritania|MT Malta|MU Mauritius|MV Maldives
MW Malawi|MX Mexico;México|MY Malaysia|MZ Mozambique|NA Namibia|NE Niger|NG Nigeria
NI Nicaragua|NL Netherlands;The Netherlands;Holland;Nederland|NO Norway;Norge|NP Nepal|NR Nauru
NZ New Zealand|OM Oman|PA Panama|PE Peru|PG Papua New Guinea|PH Philippines|PK Pakistan
PL Poland;Polska|PR Puerto Rico|PS Palestine|PT Portugal|PW Palau|PY Paraguay|QA Qatar
RO Romania|RS Serbia|RU Russia;Russian Federation|RW Rwanda|SA Saudi Arabia|SB Solomon Islands
SC Seychelles|SD Sudan|SE Sweden;Sverige|SG Singapore|SI Slovenia|SK Slovakia|SL Sierra Leone
SM San Marino|SN Senegal|SO Somalia|SR Suriname|SS South Sudan|ST Sao Tome and Principe
SV El Salvador|SY Syria|SZ Eswatini;Swaziland|TD Chad|TG Togo|TH Thailand|TJ Tajikistan
TL Timor-Leste;East Timor|TM Turkmenistan|TN Tunisia|TO Tonga|TR Türkiye;Turkey;Turkiye
TT Trinidad and Tobago|TV Tuvalu|TW Taiwan|TZ Tanzania|UA Ukraine|UG Uganda
US United States;USA;U.S.A.;US;U.S.;United States of America;America|UY Uruguay
UZ Uzbekistan|VA Vatican City;Holy See|VC Saint Vincent and the Grenadines|VE Venezuela
VN Vietnam;Viet Nam|VU Vanuatu|WS Samoa|YE Yemen|ZA South Africa|ZM Zambia|ZW Zimbabwe
"""


def _country_key(text: str) -> str:
    return " ".join(text.replace(".", "").casefold().split())


def _countries() -> dict[str, tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    for entry in _COUNTRY_TABLE.replace("\n", "|").split("|"):
        if not entry.strip():
            continue
        code, names = entry.strip().split(" ", 1)
        canonical = names.split(";")[0]
        for name in names.split(";"):
            found.setdefault(_country_key(name), (code, canonical))
    return found


COUNTRIES: Final = _countries()  # typed name -> (ISO code, the name saved)

# postal codes where their shape is well known (checked once the country is known too)
_POSTAL_FORMATS: Final = {
    "GB": re.compile(r"^(GIR 0AA|[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})$"),
    "US": re.compile(r"^[0-9]{5}(-[0-9]{4})?$"),
    "CA": re.compile(r"^[A-Z][0-9][A-Z] ?[0-9][A-Z][0-9]$"),
    "DE": re.compile(r"^[0-9]{5}$"),
    "FR": re.compile(r"^[0-9]{5}$"),
    "ES": re.compile(r"^[0-9]{5}$"),
    "IT": re.compile(r"^[0-9]{5}$"),
    "PT": re.compile(r"^[0-9]{4}-?[0-9]{3}$"),
    "NL": re.compile(r"^[0-9]{4} ?[A-Z]{2}$"),
    "NO": re.compile(r"^[0-9]{4}$"),
    "BD": re.compile(r"^[0-9]{4}$"),
    "IN": re.compile(r"^[0-9]{6}$"),
    "AU": re.compile(r"^[0-9]{4}$"),
}
_POSTAL = re.compile(r"^[A-Z0-9][A-Z0-9 -]{0,8}[A-Z0-9]$")
# where the shop writes a postal code typed without its space: the space before the last
# `n` characters (NW16XE is NW1 6XE, K1A0B1 is K1A 0B1, 1234AB is 1234 AB)
_POSTAL_SPACE: Final = {"GB": 3, "CA": 3, "NL": 2}
ADDRESS_FIELDS: Final = ("street", "city", "postal_code", "country")
# besides letters (any script), the marks that accents are made of, and spaces: what a town's
# name may hold ("St. John's", "Frankfurt (Oder)", "Washington, D.C.", "Saint-Étienne"), and
# a street's, with its digits ("Flat 3, 14 Baker Street", "Calle 5 #10-20", "c/o Smith",
# "ул. Ленина, д. 5", "5th Avenue & 42nd St", "No. 7; 2º"). Anything else ("!", "$", "@",
# "<", emoji) is no part of an address.
_CITY_MARKS: Final = frozenset(".,'()/·・、，．（）／")
_STREET_MARKS: Final = _CITY_MARKS | frozenset('"#&:;°ºª№＃')


def _letters(value: str) -> list[str]:
    return [c for c in value if c.isalpha()]


def _holds_only(value: str, marks: frozenset[str], *, digits: bool) -> bool:
    """Every character of `value` is a letter, an accent's mark, a space, a dash or a quote
    mark (an apostrophe), one of `marks`, or (with `digits`) a digit."""
    for c in value:
        kind = unicodedata.category(c)
        if kind[0] in "LMZ" or kind in ("Pd", "Pi", "Pf") or c in marks:
            continue
        if digits and kind == "Nd":
            continue
        return False
    return True


def country_code(country: str | None) -> str | None:
    """The ISO code of a country name the shop knows (None for one it does not)."""
    found = COUNTRIES.get(_country_key(country or ""))
    return found[0] if found else None


def postal_code_countries(text: str) -> frozenset[str]:
    """The countries (ISO codes) of the shop's known postal code shapes that `text` has:
    BA1 1SU is the United Kingdom's alone; 10115 fits several."""
    value = " ".join(text.upper().split())
    return frozenset(code for code, shape in _POSTAL_FORMATS.items() if shape.match(value))


def clean_address_field(field: str, text: str | None, *, country: str | None = None) -> str | None:
    """One field of an address as it will be saved, or `InvalidInput(field, rule)` saying what
    is wrong with it. The rules:

    - street: one or two lines (joined with ", "), 3 to 255 characters: letters of any script
      (at least two different ones), digits, spaces and the marks addresses use (. , ' - / #
      & ( ) : ; °), no other symbols ("!!!", "$", "@": `rule="symbols"`);
    - city: 2 to 100 characters, letters and the marks of town names (. , ' - ( ) /), no
      digits (a house number or a postcode is not a town) and no other symbols ("symbols");
    - postal_code: optional (countries without postcodes: "No postal code"); 2 to 10
      letters, digits, spaces or hyphens, with a digit in it, and the country's own shape
      where the shop knows it (`country`): NW1 6XE, 94105, 4000-123, K1A 0B1, 1234 AB;
    - country: a country the shop knows, by name or code (UK, USA, Deutschland), saved under its
      English name (United Kingdom)."""
    lines = [" ".join(line.split()) for line in (text or "").splitlines()]
    value = ", ".join(line for line in lines if line)
    if field == "postal_code":
        value = value.upper()
        if not value:
            return None
        code = country_code(country)
        pattern = _POSTAL_FORMATS.get(code or "")
        if not _POSTAL.match(value) or not any(c.isdigit() for c in value):
            raise InvalidInput(field=field, rule="format")
        if pattern is not None and not pattern.match(value):
            raise InvalidInput(field=field, rule="country", country=country)
        tail = _POSTAL_SPACE.get(code or "")
        if tail is not None and " " not in value:  # NW16XE is NW1 6XE
            value = f"{value[:-tail]} {value[-tail:]}"
        return value
    if not value:
        raise InvalidInput(field=field, rule="required")
    if field == "street":
        if len(value) > 255:
            raise InvalidInput(field=field, rule="too_long", limit=255)
        if not _holds_only(value, _STREET_MARKS, digits=True):
            raise InvalidInput(field=field, rule="symbols")
        if len(value) < 3 or len({c.casefold() for c in _letters(value)}) < 2:
            raise InvalidInput(field=field, rule="format")
        return value
    if field == "city":
        if len(value) > 100:
            raise InvalidInput(field=field, rule="too_long", limit=100)
        if len(value) < 2 or any(c.isdigit() for c in value) or not _letters(value):
            raise InvalidInput(field=field, rule="format")
        if not _holds_only(value, _CITY_MARKS, digits=False):
            raise InvalidInput(field=field, rule="symbols")
        return value
    if field == "country":
        found = COUNTRIES.get(_country_key(value))
        if found is None:
            raise InvalidInput(field=field, rule="unknown")
        return found[1]
    raise InvalidInput(field=field, rule="unknown_field")


def clean_address(data: AddressInput) -> AddressInput:
    """The whole address by the same rules (`clean_address_field`), the postal code checked
    against the country."""
    country = clean_address_field("country", data.country)
    return replace(
        data,
        street=clean_address_field("street", data.street) or "",
        city=clean_address_field("city", data.city) or "",
        country=country or "",
        postal_code=clean_address_field("postal_code", data.postal_code, country=country),
        state=_field(data.state, "state", 100),
        recipient_name=_field(data.recipient_name, "recipient_name", 200),
        phone=valid_phone(data.phone),
    )


def _address_row(user_id: int, kind: AddressType, place: AddressInput | Address) -> Address:
    """A new, not-default address row of `kind` at `place` (a form's input, or another
    type's row of the same place)."""
    return Address(
        user_id=user_id,
        type=kind,
        street=place.street,
        city=place.city,
        country=place.country,
        state=place.state,
        postal_code=place.postal_code,
        recipient_name=place.recipient_name,
        phone=place.phone,
        is_default=False,
    )


def _place(a: Address | AddressInput | AddressView) -> tuple[str, ...]:
    """What makes two saved addresses the same place (not the type, recipient or phone)."""
    parts = (a.street, a.city, a.state, (a.postal_code or "").replace(" ", ""), a.country)
    return tuple(" ".join((p or "").casefold().split()) for p in parts)


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
        async with self.d.read() as uow:
            user = await found(uow, User, actor_id, "user")
            return UserView.of(user)

    async def me_in(self, uow: UnitOfWork, actor_id: int) -> UserView | None:
        """`me` read in the caller's transaction (None when the account is gone): the bot
        reads the acting user in the transaction that claims the update (bot/inbox.py), which
        saves each update a transaction of its own (docs/performance.md, issue 17)."""
        user = await uow.session.get(User, actor_id)
        return None if user is None else UserView.of(user)

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

    @operation("the user themself")
    async def set_language(self, actor_id: int, language: str | None) -> UserView:
        """The language the shop speaks to this user, chosen in the profile ("es"); None
        follows Telegram's again. Which languages exist is the screens' business: the
        engine keeps any ISO 639 code."""
        if language is not None and not _LANGUAGE.fullmatch(language):
            raise InvalidInput(field="language", rule="format")
        async with self.d.uow() as uow:
            await actor(uow, actor_id)
            user = await found(uow, User, actor_id, "user")
            if user.chosen_language != language:
                old = {"chosen_language": user.chosen_language}
                user.chosen_language = language
                audit(
                    uow,
                    "user",
                    actor_id,
                    "update",
                    by=actor_id,
                    old=old,
                    new={"chosen_language": language},
                )
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

    async def _copies(self, uow: UnitOfWork, address: Address) -> list[Address]:
        """The address and its copies of other types (the same place saved as shipping and as
        billing): one address to the customer."""
        rows = (
            await uow.session.scalars(
                select(Address)
                .where(Address.user_id == address.user_id)
                .order_by(Address.address_id)
            )
        ).all()
        return [a for a in rows if _place(a) == _place(address)]

    @operation("the user themself")
    async def add_address(
        self, actor_id: int, data: AddressInput, *, default: bool = False
    ) -> AddressView:
        """Save an address, checked by the address rules (`clean_address_field`); the first
        of its type becomes the default. The same place saved again is the address saved
        before (its recipient and phone brought up to date), not a second copy; saved again
        unchanged, nothing is written."""
        data = clean_address(data)
        async with self.d.uow() as uow:
            await actor(uow, actor_id)
            same = [
                a
                for a in (
                    await uow.session.scalars(
                        select(Address)
                        .where(Address.user_id == actor_id, Address.type == data.type)
                        .order_by(Address.address_id)
                        .with_for_update()
                    )
                ).all()
                if _place(a) == _place(data)
            ]
            if same:
                address = same[0]
                recipient = data.recipient_name or address.recipient_name
                phone = data.phone or address.phone
                unchanged = (recipient, phone) == (address.recipient_name, address.phone)
                if unchanged and (address.is_default or not default):
                    # already saved as it is: nothing to write, so saving it again (a double
                    # tap, or the replay of an update whose handling died after saving it)
                    # is no second write and goes on to what follows
                    return AddressView.of(address)
                address.recipient_name, address.phone = recipient, phone
                action = "update"
            else:
                address = _address_row(actor_id, data.type, data)
                uow.session.add(address)
                action = "create"
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
                action,
                by=actor_id,
                new={"city": address.city, "type": address.type},
            )
            await uow.commit()
            return AddressView.of(address)

    @operation("the user themself")
    async def set_default_address(self, actor_id: int, address_id: int) -> AddressView:
        """Make a place the default address: for shipping and for billing alike, as the
        profile lists each place once with one ★. A type the place was not saved as gets a
        copy of it, so no other place stays the default of that type."""
        async with self.d.uow() as uow:
            address = await self._own_address(uow, actor_id, address_id)
            copies = await self._copies(uow, address)
            for kind in set(AddressType) - {c.type for c in copies}:
                twin = _address_row(actor_id, kind, address)
                uow.session.add(twin)
                await uow.session.flush()
                audit(uow, "address", twin.address_id, "create", by=actor_id, new={"type": kind})
                copies.append(twin)
            for copy in copies:
                await self._make_default(uow, copy)
            await uow.commit()
            return AddressView.of(address)

    @operation("the user themself")
    async def delete_address(self, actor_id: int, address_id: int) -> None:
        """Forget an address, with its copies of other types (orders keep their own copy)."""
        async with self.d.uow() as uow:
            address = await self._own_address(uow, actor_id, address_id)
            for copy in await self._copies(uow, address):
                await uow.session.delete(copy)
                audit(uow, "address", copy.address_id, "delete", by=actor_id)
            await uow.commit()

    @operation("the user themself")
    async def addresses(self, actor_id: int) -> list[AddressView]:
        """The user's addresses, defaults first."""
        async with self.d.read() as uow:
            await actor(uow, actor_id)
            rows = (
                await uow.session.scalars(
                    select(Address)
                    .where(Address.user_id == actor_id)
                    .order_by(Address.is_default.desc(), Address.address_id)
                )
            ).all()
            return [AddressView.of(a) for a in rows]

    @operation("the user themself")
    async def address_book(self, actor_id: int) -> list[AddressView]:
        """The user's places, each once: an address saved as shipping and as billing is one
        entry (the shipping copy), a default when any copy is; defaults first."""
        places: dict[tuple[str, ...], AddressView] = {}
        for a in sorted(
            await self.addresses(actor_id), key=lambda a: a.type != AddressType.shipping
        ):
            seen = places.get(_place(a))
            if seen is None:
                places[_place(a)] = a
            elif a.is_default and not seen.is_default:
                places[_place(a)] = replace(seen, is_default=True)
        return sorted(places.values(), key=lambda a: (not a.is_default, a.address_id))

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
