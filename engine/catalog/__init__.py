"""The catalog: the category tree (admins), products (their sellers), and what buyers see.

`Catalog` (service.py) holds every operation on the catalog: who may call it, and its
transaction. The steps the operations are made of live in modules named for what they do:

    categories.py   the tree, kept between calls and checked once per update; up and down it
    products.py     a product's rules: prices and discount, name, SKU, slug, its changes
    browse.py       what buyers see, the browse filters and sorts, paging
    search.py       typo-tolerant search: the catalog's words, matching and ranking
    views.py        what the operations return (ProductCard, ProductDetail, Page, ...)

This package exports what other modules use.
"""

from engine.catalog.browse import BUYER_STATUSES, MAX_PAGE_SIZE, BrowseQuery, Sort
from engine.catalog.categories import parent_screen, path_to
from engine.catalog.products import MAX_LINE_QUANTITY, average_rating, checked_prices
from engine.catalog.service import Catalog
from engine.catalog.views import (
    CategoryNode,
    ImageView,
    Page,
    ProductCard,
    ProductDetail,
    ProductReview,
    ReviewPage,
    Showcase,
    product_detail,
)

__all__ = [
    "BUYER_STATUSES",
    "MAX_LINE_QUANTITY",
    "MAX_PAGE_SIZE",
    "BrowseQuery",
    "Catalog",
    "CategoryNode",
    "ImageView",
    "Page",
    "ProductCard",
    "ProductDetail",
    "ProductReview",
    "ReviewPage",
    "Showcase",
    "Sort",
    "average_rating",
    "checked_prices",
    "parent_screen",
    "path_to",
    "product_detail",
]
