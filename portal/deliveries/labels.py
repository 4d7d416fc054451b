"""The words people read for a delivery's and an attempt's status and for an attempt's kind."""
from flask_babel import lazy_gettext as _l

STATUS_LABELS = {
    "pending": _l("pending"), "sent": _l("sent"), "failed": _l("failed"), "skipped": _l("skipped"),
    "cancelled": _l("cancelled"), "due": _l("due"), "sending": _l("sending"),
}
KIND_LABELS = {"first": _l("first attempt"), "retry": _l("retry"), "fallback": _l("fallback")}


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))
