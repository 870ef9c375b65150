"""The category tree: its rows read whole (a few small columns of a small table, so a change
is never missed) and walked depth-first, the walk kept while the rows stay the same; a tree
checked at the start of an update, served to its handler without a transaction
(`CategoryTree.check`); and the ways up (a breadcrumb, a depth) and down (a category with
its sub-categories)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from time import monotonic
from typing import Any

from sqlalchemy import func, select

from engine.base import audit
from engine.catalog.views import CategoryNode
from engine.errors import NotFound
from storage.models import Category, Product
from storage.uow import UnitOfWork

TREE_CHECK_SECONDS = 10.0  # a handler running longer reads the tree again
TreeRow = tuple[int, str, str, int | None]  # id, name, slug, parent


@dataclass(frozen=True)
class _Tree:
    rows: tuple[TreeRow, ...]  # by name
    nodes: tuple[CategoryNode, ...]


# the tree CategoryTree.check() confirmed in this context, and when (time.monotonic())
_TREE_CHECKED: ContextVar[tuple[_Tree, float] | None] = ContextVar(
    "catalog_tree_checked", default=None
)


def depth_first(rows: Sequence[TreeRow]) -> tuple[CategoryNode, ...]:
    """The tree of these rows, parents before children, siblings in the rows' order."""
    children: dict[int | None, list[TreeRow]] = {}
    for row in rows:
        children.setdefault(row[3], []).append(row)

    def below(parent: int | None, depth: int) -> Iterator[CategoryNode]:
        for category_id, name, slug, parent_id in children.get(parent, []):
            yield CategoryNode(category_id, name, slug, parent_id, depth)
            yield from below(category_id, depth + 1)

    return tuple(below(None, 0))


async def tree_rows(uow: UnitOfWork) -> tuple[TreeRow, ...]:
    return tuple(
        (int(cid), str(name), str(slug), None if parent is None else int(parent))
        for cid, name, slug, parent in (
            await uow.session.execute(
                select(
                    Category.category_id, Category.name, Category.slug, Category.parent_id
                ).order_by(Category.name, Category.category_id)
            )
        ).all()
    )


class CategoryTree:
    """The tree kept between calls: walked again only when its rows changed, and forgotten
    when a category changes in this process."""

    def __init__(self) -> None:
        self._kept: _Tree | None = None

    def keep(self, rows: tuple[TreeRow, ...]) -> _Tree:
        if self._kept is None or self._kept.rows != rows:
            self._kept = _Tree(rows, depth_first(rows))
        return self._kept

    async def read(self, uow: UnitOfWork) -> tuple[CategoryNode, ...]:
        return self.keep(await tree_rows(uow)).nodes

    async def check(self, uow: UnitOfWork) -> Callable[[], None]:
        """Read the tree in the caller's transaction; the function returned, called in a
        context, lets `served` give that tree there for TREE_CHECK_SECONDS."""
        return self.serving(self.keep(await tree_rows(uow)))

    def serving(self, tree: _Tree) -> Callable[[], None]:
        checked = (tree, monotonic())

        def serve() -> None:
            _TREE_CHECKED.set(checked)

        return serve

    def served(self) -> list[CategoryNode] | None:
        """The tree checked in this context, if it is still the kept one and was checked at
        most TREE_CHECK_SECONDS ago; else None (read it)."""
        checked = _TREE_CHECKED.get()
        if (
            checked is not None
            and checked[0] is self._kept
            and monotonic() - checked[1] <= TREE_CHECK_SECONDS
        ):
            return list(checked[0].nodes)
        return None

    def forget(self) -> None:
        """A category changed here: nobody in this process is served the old tree."""
        self._kept = None


# --- up and down the tree -------------------------------------------------------------------
def upwards(parent_of: Mapping[int, int | None], category_id: int) -> list[int]:
    """`category_id`, its parent, its parent's parent... up to the top ([] for an unknown
    id; a cycle is walked once)."""
    chain: list[int] = []
    current: int | None = category_id
    while current is not None and current in parent_of and current not in chain:
        chain.append(current)
        current = parent_of[current]
    return chain


def path_to(nodes: Sequence[CategoryNode], category_id: int) -> list[CategoryNode]:
    """The categories from the top down to `category_id` (a breadcrumb); [] for the top or an
    unknown id."""
    by_id = {n.category_id: n for n in nodes}
    ids = upwards({n.category_id: n.parent_id for n in nodes}, category_id)
    return [by_id[i] for i in reversed(ids)]


def parent_screen(nodes: Sequence[CategoryNode], category_id: int) -> int:
    """Where Back leads from a category's product list: the category itself when it has
    sub-categories (its "All in …" list came from there), else its parent (0: the top)."""
    if any(n.parent_id == category_id for n in nodes):
        return category_id
    node = next((n for n in nodes if n.category_id == category_id), None)
    return 0 if node is None or node.parent_id is None else node.parent_id


def holding(nodes: Sequence[CategoryNode], filled: Collection[int]) -> list[CategoryNode]:
    """The categories of `nodes` that are among `filled` or have one below them, in the
    same order (a branch with nothing in it is left out whole)."""
    parent_of = {n.category_id: n.parent_id for n in nodes}
    kept = {up for category_id in filled for up in upwards(parent_of, category_id)}
    return [n for n in nodes if n.category_id in kept]


async def parent_ids(uow: UnitOfWork) -> dict[int, int | None]:
    """Every category's parent, by id."""
    return dict((await uow.session.execute(select(Category.category_id, Category.parent_id))).all())


async def depth_of(uow: UnitOfWork, category_id: int) -> int:
    """How deep a new category under `category_id` (an existing one) stands."""
    return len(upwards(await parent_ids(uow), category_id))


async def descendants(uow: UnitOfWork, category_id: int) -> list[int]:
    """The category and all below it (NotFound if there is none)."""
    parents = await parent_ids(uow)
    if category_id not in parents:
        raise NotFound(entity="category", id=category_id)
    children: dict[int | None, list[int]] = {}
    for cid, parent in parents.items():
        children.setdefault(parent, []).append(cid)
    found, queue = [], deque([category_id])
    while queue:
        current = queue.popleft()
        found.append(current)
        queue.extend(children.get(current, []))
    return found


def change_category(uow: UnitOfWork, category: Category, *, by: int, **new: Any) -> None:
    """Set the category's columns to `new`, with one audit row of their old and new values."""
    old = {column: getattr(category, column) for column in new}
    for column, value in new.items():
        setattr(category, column, value)
    audit(uow, "category", category.category_id, "update", by=by, old=old, new=new)


async def holds_anything(uow: UnitOfWork, category_id: int) -> bool:
    """Has the category sub-categories or products?"""
    return bool(
        await uow.session.scalar(
            select(func.count()).select_from(Category).where(Category.parent_id == category_id)
        )
        or await uow.session.scalar(
            select(func.count()).select_from(Product).where(Product.category_id == category_id)
        )
    )
