"""Messages of the domain: English text that also carries its message id and parameters.

The domain knows no Flask and no catalog. Where it explains or refuses something it returns a
`Message`: a `str` (the English text, so logs, JSON and stored metadata read as before) that
keeps the catalog id and the parameters, so the presentation layer can say it in the page's
language (portal/web/i18n.py `translate`, applied to every template output). Parameters may be
Messages themselves (a sentence built from parts); each part is translated on its own.

    M_("{what} needs {hours} h notice", what=..., hours=...)   # extracted by the catalog tool

The id uses Python's %-style placeholders (`%(hours)s`), like every other catalog entry.
"""
from __future__ import annotations

from typing import Any


class Message(str):
    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, **params: Any) -> Message:
        text = msgid % params if params else msgid
        message = super().__new__(cls, text)
        message.msgid, message.params = msgid, params
        return message

    def __reduce__(self):  # pickling/copying keeps the id and parameters
        return (_rebuild, (self.msgid, self.params))


def _rebuild(msgid: str, params: dict[str, Any]) -> Message:
    return Message(msgid, **params)


def join(parts: list, separator: str = "; ") -> Message:
    """Parts (Messages or plain text) as one message, each part translated on its own."""
    names = {f"part{index}": part for index, part in enumerate(parts)}
    return Message(separator.replace("%", "%%").join(f"%({name})s" for name in names), **names)


M_ = Message
