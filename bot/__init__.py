"""Application wiring: settings, logging, Bot/Dispatcher factory, middlewares, scheduler and
the `python -m bot` entry point. The only package that imports every other layer."""

from bot.lazy_types import defer_aiogram_schemas

defer_aiogram_schemas()  # before anything imports aiogram: its types build on first use

from bot.magic_filters import check_magic_filters_inline  # noqa: E402 - after the above

check_magic_filters_inline()  # F.text and the like are checked without a thread hop
