"""Words for the codes the portal stores (statuses, priorities, levels, kinds), in the page's
language. Templates: `{{ value | label('status') }}`; Python: `label("status", value)`."""
from flask_babel import lazy_gettext as _l

LABELS = {
    "status": {  # appointments and callbacks
        "scheduled": _l("Scheduled"), "completed": _l("Completed"), "cancelled": _l("Cancelled"),
        "no_show": _l("No show"), "pending": _l("Pending"), "assigned": _l("Assigned"),
        "contacted": _l("Contacted"), "expired": _l("Expired"),
    },
    "priority": {"urgent": _l("Urgent"), "high": _l("High"), "normal": _l("Normal")},
    "level": {"company": _l("Company"), "branch": _l("Branch"), "service": _l("Service"),
              "staff": _l("Staff")},
    "modification": {"cancel": _l("Cancellation"), "reschedule": _l("Reschedule")},
    "modification_verb": {"cancel": _l("Cancel"), "reschedule": _l("Reschedule")},
    "policy_type": {"cancellation": _l("Cancellation"), "reschedule": _l("Reschedule"),
                    "recurring": _l("Recurring"), "callback": _l("Callback")},
    "kind": {"branch": _l("Branch"), "service": _l("Service"), "staff": _l("Staff member")},
    "kind_word": {"branch": _l("branch"), "service": _l("service"), "staff": _l("staff member")},
    "kind_plural": {"branch": _l("Branches"), "service": _l("Services"), "staff": _l("Staff")},
    "actor": {"user": _l("user"), "system": _l("system"), "customer": _l("customer"), "api": _l("API")},
}


def label(kind: str, value) -> str:
    """The word for `value` of `kind`; an unknown value as it is, readable ("no_show" → "No show")."""
    word = LABELS.get(kind, {}).get(value)
    if word is not None:
        return str(word)
    return str(value).replace("_", " ").capitalize() if value is not None else ""


def labels(kind: str) -> dict[str, str]:
    """Every word of `kind`, said once (a table that labels each row looks its words up here)."""
    return {value: str(word) for value, word in LABELS.get(kind, {}).items()}


def register(app) -> None:
    app.add_template_global(labels, "labels")
    app.add_template_filter(lambda value, kind: label(kind, value), "label")
