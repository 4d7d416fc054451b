"""What the users pages send: the raw fields of an account, for the service to clean."""
from werkzeug.datastructures import MultiDict

USER_FIELDS = ("email", "name", "role", "branch_id", "staff_id")
FIELD_MAX = 1000  # longer than any field allows: the service says what the limit is


def read_user_form(form: MultiDict) -> dict:
    return {name: (form.get(name) or "")[:FIELD_MAX] for name in USER_FIELDS if name in form}


def read_user_filter(args: MultiDict) -> dict:
    """The list's filters; anything unknown is ignored (the list shows everyone)."""
    role = args.get("role", "")
    active = args.get("active", "active")
    branch = args.get("branch", "")
    return {"role": role if role in ("admin", "branch_manager", "agent") else "",
            "active": active if active in ("active", "inactive", "all") else "active",
            "branch": branch if branch.isascii() and branch.isdigit() and len(branch) < 19 else ""}
