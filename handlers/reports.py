"""Sales reports in the chat: a chart (matplotlib PNG: revenue per day and top products) and a
text summary with the exact totals, for a seller's store and for the whole marketplace.

The chart is drawn with the Agg backend on a `Figure` of its own (no pyplot, no global
state), in a worker thread (`asyncio.to_thread`), so the event loop keeps serving everyone
else while it renders. Amounts become floats only to be drawn; every number in the text comes
from the engine's Decimals.
"""

from __future__ import annotations

import asyncio
import io
import warnings
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from engine.backoffice import SalesReport
from handlers.callbacks import ReportCb, ReportScope
from handlers.i18n import day, price, t
from handlers.render import CAPTION_LIMIT, TEXT_LIMIT, fit
from handlers.screen import show

PERIODS = (7, 30, 90)
WIDTH, HEIGHT, DPI = 8.0, 6.0, 100  # 800 × 600 px
BAR = "#2a7ae2"
TOP_BAR = "#f29d38"


@dataclass(frozen=True)
class ChartLabels:
    title: str
    revenue: str  # the y axis of the daily chart
    top: str  # the heading of the top-products chart
    nothing: str  # shown when there were no sales
    lang: str  # amounts and dates on the chart, in the reader's notation


def periods(lang: str, scope: ReportScope, chosen: int | None = None) -> InlineKeyboardMarkup:
    """The 7 / 30 / 90 days buttons (the chosen one marked)."""
    row = [
        InlineKeyboardButton(
            text=("• " if days == chosen else "") + t(lang, "report.days", days=days),
            callback_data=ReportCb(scope=scope, days=days).pack(),
        )
        for days in PERIODS
    ]
    return InlineKeyboardMarkup(inline_keyboard=[row])


def title(lang: str, report: SalesReport) -> str:
    if report.store_name is None:
        return t(lang, "report.title.market", days=report.days)
    return t(lang, "report.title.store", store=report.store_name, days=report.days)


def summary(lang: str, report: SalesReport) -> str:
    """The text beside the chart: every total exact, to the cent."""

    def money(amount: Decimal) -> str:
        return price(amount, report.currency, lang=lang)

    parts = [t(lang, "report.sold", gross=money(report.gross))]
    if report.discounts:  # a part that is zero is left out ("refunds −$0.00" says nothing)
        parts.append(t(lang, "report.coupons", discounts=money(report.discounts)))
    if report.refunds:
        parts.append(t(lang, "report.refunds", refunds=money(report.refunds)))
    lines = [
        f"<b>{escape(title(lang, report))}</b>",
        t(
            lang,
            "report.range",
            first=report.first_day.isoformat(),
            last=report.last_day.isoformat(),
        ),
        t(lang, "report.revenue", revenue=money(report.revenue)),
        t(lang, "report.counts", orders=report.orders, units=report.units),
        " · ".join(parts),
    ]
    busiest = max(report.by_day, key=lambda d: (d.revenue, d.day), default=None)
    if busiest is not None and busiest.revenue > 0:
        lines.append(
            t(lang, "report.best_day", day=busiest.day.isoformat(), revenue=money(busiest.revenue))
        )
    if report.top_products:
        lines += ["", t(lang, "report.top_products")]
        lines += [
            t(
                lang,
                "report.product",
                n=n,
                name=escape(p.name),
                units=p.units,
                revenue=money(p.revenue),
            )
            for n, p in enumerate(report.top_products, 1)
        ]
    else:
        lines += ["", t(lang, "report.no_sales")]
    if report.top_stores:
        lines += ["", t(lang, "report.top_stores")]
        lines += [
            t(lang, "report.store", n=n, name=escape(s.store_name), revenue=money(s.revenue))
            for n, s in enumerate(report.top_stores, 1)
        ]
    return fit("\n".join(lines), TEXT_LIMIT)


def labels(lang: str, report: SalesReport) -> ChartLabels:
    return ChartLabels(
        title=title(lang, report),
        revenue=t(lang, "report.axis", currency=report.currency),
        top=t(lang, "report.top_products"),
        nothing=t(lang, "report.no_sales"),
        lang=lang,
    )


def _short(name: str, limit: int = 28) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def draw(report: SalesReport, words: ChartLabels) -> bytes:
    """The chart as PNG bytes (blocking: call it through `chart`)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import AutoDateLocator, num2date
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI)
    FigureCanvasAgg(figure)
    daily, top = figure.subplots(2, 1, gridspec_kw={"height_ratios": [3, 2]})
    figure.suptitle(words.title, fontsize=13, fontweight="bold")

    days = [d.day for d in report.by_day]
    amounts = [float(d.revenue) for d in report.by_day]
    daily.bar(days, amounts, color=BAR, width=0.8 if report.days <= 31 else 1.0)
    daily.set_ylabel(words.revenue)
    daily.set_ylim(bottom=0, top=max([*amounts, 1.0]) * 1.15)
    locator = AutoDateLocator(minticks=3, maxticks=8)  # type: ignore[no-untyped-call]
    daily.xaxis.set_major_locator(locator)
    daily.xaxis.set_major_formatter(
        FuncFormatter(lambda x, _: day(num2date(x), words.lang, skeleton="MMMd"))  # type: ignore[no-untyped-call]
    )
    daily.grid(axis="y", alpha=0.3)
    daily.spines[["top", "right"]].set_visible(False)

    best = list(reversed(report.top_products))
    if best:
        bars = top.barh(
            [_short(p.name) for p in best], [float(p.revenue) for p in best], color=TOP_BAR
        )
        top.bar_label(
            bars,
            labels=[price(p.revenue, report.currency, lang=words.lang) for p in best],
            padding=3,
        )
        top.set_xlim(right=max(float(p.revenue) for p in best) * 1.3)
        top.set_title(words.top, fontsize=11, loc="left")
    else:
        top.text(0.5, 0.5, words.nothing, ha="center", va="center", transform=top.transAxes)
        top.set_yticks([])
    top.set_xticks([])
    top.spines[["top", "right", "bottom"]].set_visible(False)

    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a glyph the font lacks (an emoji in a name) is skipped
        figure.tight_layout()
        figure.savefig(buffer, format="png")
    return buffer.getvalue()


async def chart(lang: str, report: SalesReport) -> BufferedInputFile:
    """The chart, drawn off the event loop, ready for sendPhoto."""
    png = await asyncio.to_thread(draw, report, labels(lang, report))
    return BufferedInputFile(png, filename=f"sales-{report.days}d.png")


def caption(lang: str, report: SalesReport) -> str:
    return fit(
        t(
            lang,
            "report.caption",
            title=escape(title(lang, report)),
            revenue=price(report.revenue, report.currency, lang=lang),
        ),
        CAPTION_LIMIT,
    )


async def deliver(query: CallbackQuery, lang: str, report: SalesReport, scope: ReportScope) -> None:
    """Answer the tap at once (drawing takes a moment), turn the period picker into the
    summary (its buttons stay, to pick another period), then send the chart."""
    await query.answer(t(lang, "report.drawing"))
    message = query.message
    if not isinstance(message, Message):
        return
    text, markup = summary(lang, report), periods(lang, scope, report.days)
    await show(query, text, markup)  # the same period again: the summary stays
    await message.answer_photo(await chart(lang, report), caption=caption(lang, report))
