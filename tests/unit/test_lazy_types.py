"""aiogram's types stay deferred at import (bot.lazy_types) and every one of them builds,
with its forward references resolved, when first used."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHECK = textwrap.dedent(
    """
    import bot  # activates bot.lazy_types before anything imports aiogram
    import aiogram.types as types
    from pydantic import BaseModel

    models = [
        value
        for name in types.__all__
        if isinstance(value := getattr(types, name), type) and issubclass(value, BaseModel)
    ]
    assert len(models) > 300, len(models)
    assert not types.Message.__pydantic_complete__, "built at import"
    update = types.Update.model_validate(
        {"update_id": 1, "callback_query": {"id": "7", "chat_instance": "c", "data": "v1:x",
         "from": {"id": 5, "is_bot": False, "first_name": "Sara"},
         "message": {"message_id": 3, "date": 0, "chat": {"id": 5, "type": "private"},
                     "text": "hi", "reply_markup": {"inline_keyboard": [[
                         {"text": "Go", "callback_data": "v1:go"}]]}}}}
    )
    assert update.callback_query.message.reply_markup.inline_keyboard[0][0].text == "Go"

    def build_all(depth=8):  # pydantic looks a few frames up the stack, as in the bot
        if depth:
            return build_all(depth - 1)
        for model in models:
            getattr(model.__pydantic_validator__, "validate_python")  # builds it, or raises
            assert model.__pydantic_complete__, model.__name__

    build_all()
    print("ok", len(models))
    """
)


def test_every_aiogram_type_builds_on_first_use() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHECK],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith("ok")


OLD_SHAPE = textwrap.dedent(
    """
    # A pydantic whose private rebuild_model_fields returns the fields dict alone (as
    # releases before 2.13 did): the deferral must notice and let aiogram build eagerly,
    # never unpack a two-field dict into (fields, extra).
    import sys
    import pydantic._internal._fields as fields

    real = fields.rebuild_model_fields

    def older(*args, **kwargs):  # the old shape, for bot.lazy_types only (pydantic's own
        resolved = real(*args, **kwargs)  # callers keep the shape they were written for)
        caller = sys._getframe(1).f_globals.get("__name__")
        return resolved[0] if caller == "bot.lazy_types" else resolved

    fields.rebuild_model_fields = older

    import bot  # activates bot.lazy_types before anything imports aiogram
    import aiogram.types as types

    size = types.PhotoSize.model_validate(
        {"file_id": "f", "file_unique_id": "u", "width": 90, "height": 60}
    )
    assert (size.width, size.height) == (90, 60), size
    answer = types.ForceReply.model_validate({"force_reply": True})
    assert answer.force_reply is True
    assert set(types.User.model_fields) >= {"id", "is_bot", "first_name"}
    print("ok")
    """
)


def test_an_unexpected_pydantic_shape_falls_back_to_building_eagerly() -> None:
    done = subprocess.run(
        [sys.executable, "-c", OLD_SHAPE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith("ok")
