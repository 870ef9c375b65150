"""Bulk import in the chat: a seller sends a CSV or .xlsx as a document, reads the report
(what would be created, updated, and which lines are refused and why), and taps Import.
The engine checks the file again as it writes, all of it or nothing (engine/imports.py)."""

from __future__ import annotations

from html import escape

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from engine.accounts import UserView
from engine.imports import MAX_BYTES, ImportReport, Problem
from engine.shop import Shop
from handlers.conversation import end_conversation
from handlers.i18n import t
from handlers.screen import edit_or_keep
from handlers.seller import keyboards as kb
from handlers.seller.cb import ImportCb

SHOWN_PROBLEMS = 25


class Importing(StatesGroup):
    checked = State()  # a report is showing; its file waits for Import


def problem_text(lang: str, p: Problem) -> str:
    return t(
        lang,
        "import.problem",
        line=p.line,
        field=p.field,
        reason=t(lang, f"import.rule.{p.rule}", value=escape(p.value)),
    )


def report_text(lang: str, report: ImportReport, filename: str) -> str:
    lines = [
        t(
            lang,
            "import.report",
            file=escape(filename),
            rows=report.rows,
            created=len(report.created),
            updated=len(report.updated),
            refused=len({p.line for p in report.refused}),
        )
    ]
    if report.refused:
        lines.append(t(lang, "import.refused_whole"))
        lines += [problem_text(lang, p) for p in report.refused[:SHOWN_PROBLEMS]]
        if len(report.refused) > SHOWN_PROBLEMS:
            lines.append(t(lang, "import.more", count=len(report.refused) - SHOWN_PROBLEMS))
    elif report.committed:
        lines.append(t(lang, "import.done"))
    else:
        lines.append(t(lang, "import.confirm"))
    text = "\n".join(lines)
    return text if len(text) <= 4000 else text[:3999] + "…"


async def _download(bot: Bot, file_id: str) -> bytes:
    downloaded = await bot.download(file_id)
    return downloaded.read() if downloaded is not None else b""


async def on_import_help(message: Message, lang: str) -> None:
    await message.answer(t(lang, "import.help"))


async def on_document(
    message: Message, bot: Bot, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    """A file from a seller: the report of what importing it would do, and Import."""
    document = message.document
    assert document is not None
    filename = (document.file_name or "products.csv")[:100]
    if (document.file_size or 0) > MAX_BYTES:
        await message.answer(t(lang, "error.invalid.file.too_large"))
        return
    report = await shop.imports.check(me.id, await _download(bot, document.file_id), filename)
    markup = None
    if report.ok:
        await state.set_state(Importing.checked)
        await state.update_data(import_file=document.file_id, import_name=filename)
        markup = kb.import_file(lang, report.rows)
    await message.answer(report_text(lang, report, filename), reply_markup=markup)


async def on_import(
    query: CallbackQuery,
    callback_data: ImportCb,
    bot: Bot,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
) -> None:
    data = await state.get_data()
    file_id = str(data.get("import_file", ""))
    filename = str(data.get("import_name", "products.csv"))
    message = query.message if isinstance(query.message, Message) else None
    if await state.get_state() != Importing.checked.state or not file_id:
        await query.answer(t(lang, "stale_button"))
        return
    await end_conversation(state)
    if not callback_data.go:
        if message is not None:
            await edit_or_keep(message, t(lang, "import.cancelled"))
        await query.answer()
        return
    await query.answer(t(lang, "import.working"))
    report = await shop.imports.run(me.id, await _download(bot, file_id), filename)
    if message is not None:
        await edit_or_keep(message, report_text(lang, report, filename))


def build_router() -> Router:
    router = Router(name="seller.imports")
    router.message.register(on_import_help, Command("import"))
    router.message.register(on_document, F.document)
    router.callback_query.register(on_import, ImportCb.filter())
    return router
