"""Stock: every change is an InventoryLogs row; stock never goes negative.

Products are locked in a fixed order (by id) before stock moves, so two checkouts touching
the same products in opposite orders never deadlock (on SQLite the whole transaction already
holds the write lock from BEGIN IMMEDIATE). The sum of a product's logs always equals its
stock; `check_ledger` proves it for any product.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import func, select

from engine.base import Deps, audit, operation, seller_of
from engine.errors import InsufficientStock, InvalidInput, NotFound
from storage.models import InventoryLog, Product
from storage.uow import UnitOfWork
from storage.vocabulary import InventoryChangeType, InventoryReference, ProductStatus


async def lock_products(uow: UnitOfWork, product_ids: Iterable[int]) -> dict[int, Product]:
    """Load and lock products in id order; missing ids raise NotFound."""
    ids = sorted(set(product_ids))
    if not ids:
        return {}
    rows = (
        await uow.session.scalars(
            select(Product)
            .where(Product.product_id.in_(ids))
            .order_by(Product.product_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).all()
    found = {p.product_id: p for p in rows}
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound(entity="product", id=missing[0])
    return found


def log_stock(
    uow: UnitOfWork,
    product: Product,
    delta: int,
    kind: InventoryChangeType,
    reference: InventoryReference,
    reference_id: int | None,
    by: int | None,
    reason: str | None = None,
) -> None:
    old_status = product.status
    product.stock_quantity += delta
    if product.stock_quantity < 0:  # callers check first; the CHECK constraint is the backstop
        raise InsufficientStock(
            items=[
                {
                    "product_id": product.product_id,
                    "requested": -delta,
                    "available": product.stock_quantity - delta,
                }
            ]
        )
    if product.stock_quantity == 0 and product.status == ProductStatus.active:
        product.status = ProductStatus.out_of_stock
    elif product.stock_quantity > 0 and product.status == ProductStatus.out_of_stock:
        product.status = ProductStatus.active
    uow.session.add(
        InventoryLog(
            product_id=product.product_id,
            change_type=kind,
            quantity=delta,
            stock_after=product.stock_quantity,
            reference_type=reference.value,
            reference_id=reference_id,
            reason=reason,
            created_by=by,
        )
    )
    if product.status != old_status:
        audit(
            uow,
            "product",
            product.product_id,
            "status_change",
            by=by,
            old={"status": old_status},
            new={"status": product.status, "cause": "stock"},
        )


def take(
    uow: UnitOfWork,
    products: Mapping[int, Product],
    quantities: Mapping[int, int],
    *,
    reference: InventoryReference,
    reference_id: int | None,
    by: int | None,
) -> None:
    """Take stock for several products at once, or none at all (InsufficientStock lists all)."""
    short = [
        {"product_id": pid, "requested": qty, "available": products[pid].stock_quantity}
        for pid, qty in sorted(quantities.items())
        if products[pid].stock_quantity < qty
    ]
    if short:
        raise InsufficientStock(items=short)
    for pid, qty in sorted(quantities.items()):
        log_stock(
            uow, products[pid], -qty, InventoryChangeType.stock_out, reference, reference_id, by
        )


def give_back(
    uow: UnitOfWork,
    products: Mapping[int, Product],
    quantities: Mapping[int, int],
    *,
    reference: InventoryReference,
    reference_id: int | None,
    by: int | None,
) -> None:
    for pid, qty in sorted(quantities.items()):
        if qty > 0:
            log_stock(
                uow, products[pid], qty, InventoryChangeType.stock_in, reference, reference_id, by
            )


def receive(
    uow: UnitOfWork,
    product: Product,
    quantity: int,
    *,
    reference: InventoryReference,
    by: int | None,
    reference_id: int | None = None,
) -> None:
    """Stock arriving (a new listing's opening stock, a restock)."""
    if quantity > 0:
        log_stock(uow, product, quantity, InventoryChangeType.stock_in, reference, reference_id, by)


@dataclass(frozen=True)
class LedgerCheck:
    product_id: int
    stock: int
    logged: int

    @property
    def consistent(self) -> bool:
        return self.stock == self.logged


async def check_ledger(uow: UnitOfWork, product_id: int) -> LedgerCheck:
    """Does the product's stock equal the sum of its inventory logs?"""
    stock = await uow.session.scalar(
        select(Product.stock_quantity).where(Product.product_id == product_id)
    )
    if stock is None:
        raise NotFound(entity="product", id=product_id)
    logged = await uow.session.scalar(
        select(func.coalesce(func.sum(InventoryLog.quantity), 0)).where(
            InventoryLog.product_id == product_id
        )
    )
    return LedgerCheck(product_id, stock, int(logged or 0))


class Inventory:
    def __init__(self, deps: Deps) -> None:
        self.d = deps

    @operation("seller (own products)")
    async def adjust(self, actor_id: int, product_id: int, delta: int, reason: str) -> int:
        """Correct a product's stock by `delta` units with a reason (an inventory log and an
        audit row); returns the new stock."""
        if delta == 0 or not reason.strip():
            raise InvalidInput(field="delta" if delta == 0 else "reason", rule="required")
        async with self.d.uow() as uow:
            seller = await seller_of(uow, actor_id)
            product = (await lock_products(uow, [product_id]))[product_id]
            if product.seller_id != seller.seller_id:
                raise NotFound(entity="product", id=product_id)
            if product.stock_quantity + delta < 0:
                raise InsufficientStock(
                    items=[
                        {
                            "product_id": product_id,
                            "requested": -delta,
                            "available": product.stock_quantity,
                        }
                    ]
                )
            before = product.stock_quantity
            log_stock(
                uow,
                product,
                delta,
                InventoryChangeType.adjustment,
                InventoryReference.manual,
                None,
                actor_id,
                reason.strip()[:500],
            )
            stock = product.stock_quantity
            audit(
                uow,
                "product",
                product_id,
                "stock_adjustment",
                by=actor_id,
                old={"stock": before},
                new={"stock": stock, "change": delta, "reason": reason.strip()[:200]},
            )
            await uow.commit()
        return stock

    @operation("seller (own products)")
    async def restock(self, actor_id: int, product_id: int, quantity: int) -> int:
        """Stock arrived from the supplier: add `quantity` units; returns the new stock."""
        if quantity <= 0:
            raise InvalidInput(field="quantity", rule="positive")
        async with self.d.uow() as uow:
            seller = await seller_of(uow, actor_id)
            product = (await lock_products(uow, [product_id]))[product_id]
            if product.seller_id != seller.seller_id:
                raise NotFound(entity="product", id=product_id)
            receive(uow, product, quantity, reference=InventoryReference.restock, by=actor_id)
            stock = product.stock_quantity
            await uow.commit()
        return stock

    async def ledger(self, product_id: int) -> LedgerCheck:
        async with self.d.read() as uow:
            return await check_ledger(uow, product_id)
