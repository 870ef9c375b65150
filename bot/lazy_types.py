"""aiogram's Telegram types, validated by schemas built when first used instead of at import.

aiogram declares every type with pydantic's `defer_build=True`, then `aiogram.types` calls
`model_rebuild()` on all ~360 of them at import (to resolve the forward references between
them), which builds every schema at once: 166 MB of the bot's 206 MB at start-up
(docs/performance.md). A shop update touches a few dozen types.

`defer_aiogram_schemas()`, called before aiogram is first imported, lets that import keep
the types deferred: each type remembers the namespace aiogram would have resolved it with,
and pydantic builds it, with those names, when it is first validated or serialised, exactly
as `defer_build` promises. Importing aiogram then costs about 65 MB. tests/unit/
test_lazy_types.py builds every type this way and checks each one resolves.
"""

from __future__ import annotations

import sys
from typing import Any

from pydantic import BaseModel

_original: Any = None


def _fields_and_extra(resolved: object) -> bool:
    """Is this what pydantic 2.13's private `rebuild_model_fields` returns: a pair of the
    fields (a dict of FieldInfo) and the extra-fields info? Earlier releases return the dict
    alone, which a pair unpacking would silently misread when it holds two fields; so any
    other shape means "build it the ordinary way"."""
    from pydantic.fields import FieldInfo

    if not (isinstance(resolved, tuple) and len(resolved) == 2):
        return False
    fields = resolved[0]
    return isinstance(fields, dict) and all(isinstance(f, FieldInfo) for f in fields.values())


def defer_aiogram_schemas() -> None:
    """Keep aiogram's types deferred while `aiogram.types` imports (a no-op once it has).

    Each type's annotations are still resolved at import, against the namespace aiogram
    passes (cheap: no schema), so that a type built inside another one later (a method's
    parameter, a generic Response) finds every name. Should this pydantic lack the internals
    that takes, aiogram's eager build runs as before."""
    global _original
    if "aiogram.types" in sys.modules or _original is not None:
        return
    try:
        from pydantic._internal._config import ConfigWrapper
        from pydantic._internal._fields import rebuild_model_fields as resolve
        from pydantic._internal._generics import get_model_typevars_map as typevars
        from pydantic._internal._namespace_utils import NsResolver
    except (ImportError, AttributeError):
        return
    _original = BaseModel.__dict__["model_rebuild"]
    rebuild = _original.__func__

    def model_rebuild(cls: type[BaseModel], *args: Any, **kwargs: Any) -> bool | None:
        namespace = kwargs.get("_types_namespace")
        if namespace is None or not cls.__module__.startswith("aiogram.") or args:
            return rebuild(cls, *args, **kwargs)  # type: ignore[no-any-return]
        try:
            names = {**namespace, **(cls.__pydantic_parent_namespace__ or {})}
            if not cls.__pydantic_fields_complete__:
                resolved = resolve(
                    cls,
                    config_wrapper=ConfigWrapper(cls.model_config, check=False),
                    ns_resolver=NsResolver(parent_namespace=names),
                    typevars_map=typevars(cls),
                )
                if not _fields_and_extra(resolved):  # another pydantic's private shape
                    return rebuild(cls, *args, **kwargs)  # type: ignore[no-any-return]
                cls.__pydantic_fields__, cls.__pydantic_extra_info__ = resolved
            cls.__pydantic_parent_namespace__ = names
        except Exception:  # anything unexpected: build it now, as aiogram does
            return rebuild(cls, *args, **kwargs)  # type: ignore[no-any-return]
        return None

    BaseModel.model_rebuild = classmethod(model_rebuild)  # type: ignore[assignment,method-assign]
    try:
        import aiogram.types  # noqa: F401 - the import this exists for, under the patch
    finally:
        BaseModel.model_rebuild = _original  # type: ignore[method-assign]
