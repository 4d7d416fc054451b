"""Plain values the callback templates render: queue rows with their badges, tabs, pages."""
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import phonenumbers
from flask import current_app, get_template_attribute, url_for
from markupsafe import Markup
from sqlalchemy import select
from wtforms import SelectChoice

from portal.cache import cached_each
from portal.domain.callbacks import available_actions, unassign_refusal
from portal.domain.messages import M_
from portal.extensions import db
from portal.models import Branch, CallbackRequest, User
from portal.services.callbacks.access import (
    active_staff,
    assignable_branches,
    staff_in_scope,
    staff_of_branches,
)
from portal.services.callbacks.queue import (
    Key,
    Listed,
    Page,
    QueueFilter,
    Row,
    filter_criteria,
    queue_page,
    queue_rows,
    tab_counts,
)
from portal.services.choices import Choice, choices
from portal.services.scope import Scope
from portal.translations.runtime import translated
from portal.web.i18n import current_language

COMPANY_WIDE = M_("Company-wide")  # the picker group of the staff with no home branch
TAB_LABELS = {"open": M_("Open"), "pending": M_("Pending"), "assigned": M_("Assigned"),
              "contacted": M_("Contacted"),
              "completed": M_("Completed"), "cancelled": M_("Cancelled"), "expired": M_("Expired"),
              "all": M_("All")}


@lru_cache(maxsize=4096)
def phone_display(e164: str) -> str:
    """+4930123456 as "+49 30 123456" (stored numbers are E.164). Kept per number: parsing one
    costs some 50 µs, and a queue page shows 25."""
    try:
        return phonenumbers.format_number(phonenumbers.parse(e164, None),
                                          phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        return e164


def filter_args(f: QueueFilter) -> dict:
    """The filters as query-string arguments, leaving out the defaults (short, readable URLs)."""
    args = {"tab": f.tab if f.tab != "open" else None, "priority": f.priority or None,
            "branch": f.branch_id, "assignee": f.assignee if f.assignee != "anyone" else None,
            "overdue": "1" if f.overdue else None, "q": f.search or None}
    return {key: value for key, value in args.items() if value}


@dataclass(frozen=True)
class RowLinks:
    """What the rows' links are made of, from two url_for a page instead of three a row: a
    callback's page is `detail` + id, its actions `detail` + id + "/" + action + `query` (the
    queue's filters, so the answer returns to the same view)."""

    detail: str
    query: str

    @classmethod
    def of(cls, args: dict) -> "RowLinks":
        detail = url_for("callbacks.detail", callback_id=0).removesuffix("0")
        queue = url_for("callbacks.queue", **args)
        return cls(detail, queue[queue.index("?"):] if "?" in queue else "")


@dataclass(frozen=True)
class QueueView:
    filter: QueueFilter
    rows: list[Row]
    counts: dict[str, int]
    overdue_count: int
    page: Page
    page_no: int
    pages: int
    branches: list[Choice]  # the branch filter's choices (none for a scope of one branch)
    staff: Markup  # the bulk picker's option groups (branch by branch, the company-wide team last)
    can_bulk_assign: bool
    selectable: dict[int, str]  # callbacks on the page that bulk assign can take -> their checkbox's name
    has_staff: bool
    row_actions: dict[int, tuple[str, ...]]  # callback id -> "claim" / "unassign" offered on its row
    links: RowLinks

    @property
    def args(self) -> dict:
        return filter_args(self.filter)

    @property
    def tab_links(self) -> dict[str, str]:
        """Each tab's link under the view's other filters, from one url_for (a page shows eight)."""
        marker = "__tab__"
        link = url_for("callbacks.queue", **dict(self.args, tab=marker))
        return {tab: link.replace(marker, tab) for tab in TAB_LABELS}

    @property
    def filtered(self) -> bool:
        return bool(set(self.args) - {"tab"})

    @property
    def offers_row_actions(self) -> bool:
        return any(self.row_actions.values())


def queue_view(user: User, f: QueueFilter, start: Key | None, backwards: bool, page_no: int,
               now: datetime) -> QueueView:
    size = current_app.config["PAGE_SIZE"]
    scope = Scope.of(user)
    criteria = filter_criteria(scope, f, user.company.default_region, now)
    page = queue_page(criteria, f, start, size, backwards)
    counts, overdue = tab_counts(scope, f, criteria, now)
    pages = max(1, math.ceil(counts[f.tab] / size))
    branches = [] if scope.limited else choices(scope, Branch, "all")
    can_bulk = user.role in ("admin", "branch_manager")
    rows = queue_rows(scope, page.callbacks, now)
    selectable = [row.callback for row in rows
                  if can_bulk and "assign" in available_actions(row.callback.status, user.role)]
    return QueueView(f, rows, counts, overdue, page,
                     min(max(page_no, 1), pages), pages, branches,
                     bulk_picker(user, selectable) if selectable else Markup(""), can_bulk,
                     {c.id: translated(M_("Select %(name)s", name=c.customer_name)) for c in selectable},
                     user.staff_id is not None,
                     {row.callback.id: row_actions(user, row.callback) for row in rows},
                     RowLinks.of(filter_args(f)))


def bulk_picker(user: User, callbacks: list[Listed]) -> Markup:
    """The bulk-assign picker's option groups: the staff of the branches of these callbacks and
    the company-wide team, grouped like staff_groups. A page holds a page of callbacks, so the
    picker lists at most that many branches' staff, however large the chain (anyone else: from
    the detail page). Each branch's group is rendered once and kept with the configuration
    generation (staff and branch changes bump it): a page of twenty branches lists some 500
    people, and reads their markup in one round trip instead of rendering it."""
    names = {c.branch_id: c.branch_name for c in callbacks}
    wanted = sorted(assignable_branches(user, set(names)), key=lambda b: (names[b], b))
    group = get_template_attribute("callbacks/_macros.html", "staff_optgroup")

    def rendered(label: str, branch_id: int | None) -> Callable[[], str]:
        return lambda: str(group(label, active_staff(user.company_id, branch_id)))

    producers = {f"staff-optgroup:{b}": rendered(names[b], b) for b in wanted}
    producers[f"staff-optgroup:company-wide:{current_language()}"] = rendered(translated(COMPANY_WIDE), None)
    return Markup("").join(Markup(html) for html in cached_each(user.company_id, producers, str,
                                                                       in_process=True).values())


def grouped_staff(members: list[tuple[int, str, int | None]],
                  names: dict[int, str]) -> list[tuple[str, list[Choice]]]:
    """(id, name, home branch) of staff as picker groups: each branch (by name, `names` gives
    them), people by name, and the company-wide team (no home branch) last."""
    def group(branch_id: int | None) -> str:  # the support team has no home branch
        return names.get(branch_id, "") if branch_id is not None else COMPANY_WIDE

    groups: dict[str, list[Choice]] = {}
    for ident, name, branch_id in sorted(members, key=lambda member: (member[2] is None, group(member[2]),
                                                                      member[1])):
        groups.setdefault(group(branch_id), []).append(Choice(ident, name))
    return list(groups.items())


def row_actions(user: User, callback: Listed) -> tuple[str, ...]:
    """What a queue row offers this user: claim (not already theirs) and unassign (theirs, or
    anyone's for managers), each only where the state machine allows it."""
    allowed = available_actions(callback.status, user.role)
    mine = user.staff_id is not None and callback.assigned_to == user.staff_id
    offered = []
    if "claim" in allowed and user.staff_id is not None and not (mine and callback.status == "assigned"):
        offered.append("claim")
    if "unassign" in allowed and unassign_refusal(user.role, callback.assigned_to, user.staff_id) is None:
        offered.append("unassign")
    return tuple(offered)


def staff_groups(user: User, branch_id: int | None,
                 current: int | None = None) -> list[tuple[str, list[Choice]]]:
    """The picker of one callback's page (detail, new): the staff of its branch and the
    company-wide team whom the user may hand callbacks to — never every person of the chain —
    and `current` (the assignee, or the person chosen) wherever they work, so the page still
    shows who it is."""
    members = staff_of_branches(user, {branch_id} if branch_id is not None else set())
    if current is not None and current not in {ident for ident, _, _ in members}:
        chosen = staff_in_scope(user, current)
        if chosen is not None:
            members.append((chosen.id, chosen.name, chosen.branch_id))
    homes = sorted({home for _, _, home in members if home is not None})
    names = dict(db.session.execute(select(Branch.id, Branch.name).where(
        *Scope.company(user.company_id).where(Branch), Branch.id.in_(homes))).all()) if homes else {}
    return grouped_staff(members, names)


def grouped_choices(groups: list[tuple[str, list[Choice]]], blank: str) -> list[SelectChoice]:
    """WTForms choices with an optgroup per branch, after a blank choice."""
    return [SelectChoice("", blank)] + [SelectChoice(str(member.id), member.name, optgroup=branch)
                                        for branch, members in groups for member in members]


def detail_actions(user: User, callback: CallbackRequest, open_reasons: set[str]) -> set[str]:
    """The actions to offer on the detail page: allowed by the state machine and sensible now."""
    actions = set(available_actions(callback.status, user.role))
    if "manual_escalation" in open_reasons:
        actions.discard("escalate")  # one unresolved manual escalation at a time: resolve it first
    if user.staff_id is None or (callback.status == "assigned" and callback.assigned_to == user.staff_id):
        actions.discard("claim")
    if unassign_refusal(user.role, callback.assigned_to, user.staff_id):
        actions.discard("unassign")
    actions.discard("resolve")  # offered per unresolved escalation instead
    return actions


def branch_choices(user: User) -> list[SelectChoice]:
    stmt = Scope.of(user).select(Branch, Branch.is_active.is_(True)).order_by(Branch.name)
    return [SelectChoice(str(b.id), b.name) for b in db.session.scalars(stmt)]


def company_choices(user: User, model, blank: str) -> list[SelectChoice]:
    stmt = Scope.company(user.company_id).select(model).order_by(model.name)
    if hasattr(model, "is_active"):
        stmt = stmt.where(model.is_active.is_(True))
    rows = db.session.scalars(stmt)
    return [SelectChoice("", blank)] + [SelectChoice(str(row.id), row.name) for row in rows]
