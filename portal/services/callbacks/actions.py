"""What agents and managers do to a callback: each a conditional update on the source state.

Every transition is `UPDATE callback_requests SET … WHERE id AND company_id AND status IN
(allowed sources) AND version = (the version the person saw)`. Exactly one of two people acting
at once matches; the other's update changes no row, and they are told who acted first and what
the callback looks like now (DESIGN §4).
"""
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import CursorResult, select, update

from portal.domain.callbacks import (
    MANAGERS,
    NOTE_MAX,
    OPEN,
    REASON_MAX,
    TRANSITIONS,
    attempts_exhausted,
    refusal,
    target_status,
    unassign_refusal,
)
from portal.domain.clock import UTC, from_local, to_local
from portal.domain.parsing import InputError, parse_datetime
from portal.extensions import db
from portal.models import CallbackEscalation, CallbackRequest, Staff, User
from portal.services import audit
from portal.services.callbacks.access import staff_in_scope
from portal.services.callbacks.escalation import actor_name, close_escalation, last_event, raise_escalation
from portal.services.callbacks.policy import PolicyBook
from portal.services.delivery import events as notify
from portal.services.organisation.read import company_zone
from portal.services.scope import Scope
from portal.translations.labels import label
from portal.translations.runtime import translated

# What the person who acted first did, as the lost-race message says it ("Bob claimed this callback");
# in the context "callback", since "cancelled" says something else elsewhere.
PAST = {
    "create": lazy_pgettext("callback", "created"),
    "merge": lazy_pgettext("callback", "merged a new request into"),
    "claim": lazy_pgettext("callback", "claimed"),
    "assign": lazy_pgettext("callback", "assigned"),
    "unassign": lazy_pgettext("callback", "unassigned"),
    "attempt": lazy_pgettext("callback", "recorded a failed attempt on"),
    "contacted": lazy_pgettext("callback", "marked contacted"),
    "complete": lazy_pgettext("callback", "completed"),
    "cancel": lazy_pgettext("callback", "cancelled"),
    "escalate": lazy_pgettext("callback", "escalated"),
    "resolve_escalation": lazy_pgettext("callback", "resolved an escalation of"),
    "expire": lazy_pgettext("callback", "expired"),
}


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str
    status: int = 200  # the HTTP status of a refusal: 400 bad input, 403 role, 409 state or race


def refused(message: str, status: int) -> Outcome:
    return Outcome(False, message, status)


def check_allowed(user: User, callback: CallbackRequest, action: str, version) -> Outcome | None:
    """A refusal (role 403, stale page or wrong state 409), or None when the action may go ahead."""
    problem = refusal(callback.status, action, user.role)  # never None for a role not allowed
    if problem and user.role not in TRANSITIONS[action].roles:
        return refused(problem, 403)
    if version != callback.version:
        return lost_race(callback, action)
    return refused(problem, 409) if problem else None


def lost_race(callback: CallbackRequest, action: str) -> Outcome:
    """Tell the person who changed the callback first, and how it stands now."""
    event = last_event(callback.id, callback.company_id)
    what = PAST.get(event.action, event.action) if event else lazy_pgettext("callback", "changed")
    when = _(" at %(time)s", time=local_clock(event.created_at,
                                              company_zone(callback.company_id))) if event else ""
    owner = _(", assigned to %(name)s", name=callback.assignee.name) if callback.assignee else ""
    return refused(_("Not done: %(who)s %(what)s this callback%(when)s. It is now %(status)s%(owner)s. "
                     "Check it and try again if still needed.", who=actor_name(event), what=what, when=when,
                     status=label("status", callback.status).lower(), owner=owner), 409)


def local_clock(moment: datetime, tz_name: str | None) -> str:
    """"14:05 CET": a stored (naive UTC) time as the company reads it."""
    return f"{to_local(moment, tz_name or 'UTC'):%H:%M %Z}"


def transition(user: User, callback: CallbackRequest, action: str, version: int, now: datetime,
               values: dict, after: dict | None = None, record: bool = True,
               where: list | None = None) -> Outcome | None:
    """Run the conditional update and its audit event; a refusal, or None when it went through.

    `record=False` leaves the audit event to the caller (an escalation records its own); `where`
    adds conditions of the action's own to the UPDATE."""
    problem = check_allowed(user, callback, action, version)
    if problem:
        return problem
    before = {"status": callback.status, "assigned_to": callback.assigned_to,
              "assignee": callback.assignee.name if callback.assignee else None}
    result = cast(CursorResult, db.session.execute(
        update(CallbackRequest)
        .where(CallbackRequest.id == callback.id, *Scope.company(callback.company_id).where(CallbackRequest),
               CallbackRequest.status.in_(TRANSITIONS[action].sources), CallbackRequest.version == version,
               *(where or ()))
        .values(**values, version=CallbackRequest.version + 1, updated_at=now)
        .execution_options(synchronize_session=False)))
    if result.rowcount != 1:
        db.session.rollback()  # a fresh transaction sees the winner's committed row
        db.session.refresh(callback)
        return lost_race(callback, action)
    if not record:
        return None
    event = audit.record(callback.company_id, user, action, "callback", callback.id, before,
                         {"status": values.get("status", callback.status), **(after or {})})
    event.created_at = now
    return None


def _done(problem: Outcome | None, message: str) -> Outcome:
    if problem:
        return problem
    db.session.commit()
    return Outcome(True, message)


NOTE = _l("note")


def _note(text, limit=NOTE_MAX, label=NOTE, required=False) -> tuple[str | None, Outcome | None]:
    text = (text or "").strip()
    if required and not text:
        return None, refused(_("Enter a %(label)s.", label=label), 400)
    if len(text) > limit:
        return None, refused(_("The %(label)s is too long: %(count)s characters, at most %(limit)s.",
                               label=label,
                               count=len(text), limit=limit), 400)
    return text or None, None


def _assignee(staff: Staff, now: datetime) -> dict:
    return {"status": "assigned", "assigned_to": staff.id, "assigned_at": now}


def claim(user: User, callback: CallbackRequest, version: int, now: datetime) -> Outcome:
    """Take the callback: it is assigned to the user's own staff record."""
    if user.staff is None:
        return refused(_("Your account is not linked to a staff record, so you cannot claim callbacks. "
                         "Ask an admin to link it, or a manager to assign the callback."), 403)
    if callback.assigned_to == user.staff_id and callback.status == "assigned":
        return refused(_("This callback is already assigned to you."), 409)
    problem = transition(user, callback, "claim", version, now, _assignee(user.staff, now),
                         {"assigned_to": user.staff_id, "assignee": user.staff.name})
    return _done(problem, _("You claimed the callback for %(name)s.", name=callback.customer_name))


def assign(user: User, callback: CallbackRequest, version: int, now: datetime, staff_id=None) -> Outcome:
    staff = staff_in_scope(user, staff_id)
    if staff is None:
        return refused(_("Choose a staff member from the list."), 400)
    problem = transition(user, callback, "assign", version, now, _assignee(staff, now),
                         {"assigned_to": staff.id, "assignee": staff.name})
    return _done(problem, _("Assigned to %(name)s.", name=staff.name))


def unassign(user: User, callback: CallbackRequest, version: int, now: datetime) -> Outcome:
    """Back to pending; an agent may unassign only a callback assigned to them (a mistaken claim).
    The condition is part of the UPDATE, so a callback reassigned meanwhile is a lost race."""
    if callback.status == "assigned":
        why_not = unassign_refusal(user.role, callback.assigned_to, user.staff_id)
        if why_not:
            return refused(why_not, 403)
    own_only = [] if user.role in MANAGERS else [CallbackRequest.assigned_to == user.staff_id]
    problem = transition(user, callback, "unassign", version, now,
                         {"status": "pending", "assigned_to": None, "assigned_at": None}, where=own_only)
    return _done(problem, _("Unassigned: the callback is back in the queue."))


def record_attempt(user: User, callback: CallbackRequest, version: int, now: datetime, note=None) -> Outcome:
    """One more failed contact attempt; reaching max_contact_attempts raises an escalation."""
    note, bad = _note(note)
    if bad:
        return bad
    policy = PolicyBook(callback.company_id).for_callback(callback)
    if attempts_exhausted(callback.contact_attempts, policy) and callback.version == version:
        return refused(_("All %(count)s attempts are recorded and the callback was escalated (multiple "
                         "attempts failed). Mark it contacted once you reach the customer, or cancel it.",
                         count=policy.max_contact_attempts), 409)
    attempts = callback.contact_attempts + 1  # the version check guarantees this was current
    problem = transition(user, callback, "attempt", version, now,
                         {"contact_attempts": CallbackRequest.contact_attempts + 1},
                         {"attempts": attempts, "note": note},
                         where=[CallbackRequest.contact_attempts < policy.max_contact_attempts])
    if problem:
        return problem
    message = _("Recorded failed attempt %(number)s of %(count)s.", number=attempts,
                count=policy.max_contact_attempts)
    if attempts_exhausted(attempts, policy):
        raised = raise_escalation(callback, "multiple_attempts_failed", None, now,
                                  escalated_from=callback.assigned_to, actor_label="Automatic",
                                  details={"attempts": attempts})
        message += (" That was the last one: the callback is escalated (multiple attempts failed)."
                    if raised else " That was the last one.")
    return _done(None, message)


def mark_contacted(user: User, callback: CallbackRequest, version: int, now: datetime, note=None) -> Outcome:
    note, bad = _note(note)
    problem = bad or transition(user, callback, "contacted", version, now,
                                {"status": "contacted", "contacted_at": now}, {"note": note})
    return _done(problem, _("Marked %(name)s as contacted.", name=callback.customer_name))


def complete(user: User, callback: CallbackRequest, version: int, now: datetime, note=None,
             callback_time=None) -> Outcome:
    """Complete it; with the time agreed on the call (company-local, e.g. 2026-05-03T14:30), the
    customer is told when they will be called (`callback_scheduled`)."""
    note, bad = _note(note)
    agreed, bad_time = (None, None) if bad else _agreed_time(callback, callback_time, now)
    after = {"note": note, **({"callback_time": agreed.isoformat()} if agreed else {})}
    problem = bad or bad_time or transition(user, callback, "complete", version, now,
                                            {"status": "completed", "completed_at": now}, after)
    if problem is None and agreed is not None:
        notify.callback_scheduled(callback, agreed, actor_label(user), now)
    return _done(problem, _("Completed the callback for %(name)s.", name=callback.customer_name))


def _agreed_time(callback: CallbackRequest, raw, now: datetime) -> tuple[datetime | None, Outcome | None]:
    """The agreed callback time in naive UTC (typed in the company's zone), or a refusal."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None
    try:
        local = parse_datetime(raw)
    except InputError as problem:
        return None, refused(_("The agreed time %(problem)s.", problem=translated(problem.message)), 400)
    if local.tzinfo is None:
        agreed = from_local(local, company_zone(callback.company_id))
    else:
        agreed = local.astimezone(UTC).replace(tzinfo=None)
    if agreed <= now:
        return None, refused(_("The agreed time is in the past; enter when the customer will be called."),
                             400)
    return agreed, None


def actor_label(user: User) -> str:
    return user.staff.name if user.staff is not None else user.name


def cancel(user: User, callback: CallbackRequest, version: int, now: datetime, reason=None) -> Outcome:
    reason, bad = _note(reason, REASON_MAX, _l("reason for cancelling"), required=True)
    problem = bad or transition(user, callback, "cancel", version, now,
                                {"status": "cancelled", "meta": {**callback.meta, "cancel_reason": reason}},
                                {"reason": reason})
    return _done(problem, _("Cancelled the callback for %(name)s.", name=callback.customer_name))


def escalate(user: User, callback: CallbackRequest, version: int, now: datetime, note=None,
             staff_id=None) -> Outcome:
    """Manual escalation with a note; a chosen staff member then owns the callback."""
    note, bad = _note(note, label=_l("note for the escalation"), required=True)
    if bad:
        return bad
    staff = staff_in_scope(user, staff_id) if staff_id not in (None, "") else None
    if staff_id not in (None, "") and staff is None:
        return refused(_("Choose a staff member from the list, or nobody."), 400)
    values = {}
    if staff is not None:
        values = {**_assignee(staff, now), "status": target_status("escalate", callback.status, True)}
    escalated_from = callback.assigned_to or user.staff_id
    before_status = callback.status
    problem = transition(user, callback, "escalate", version, now, values, record=False)
    if problem:
        return problem
    if raise_escalation(callback, "manual_escalation", user, now, note=note, escalated_to=staff,
                        escalated_from=escalated_from,
                        details={"status": values.get("status", before_status)}) is None:
        db.session.rollback()
        return refused(_("This callback already has an unresolved manual escalation; resolve it "
                         "first, or add your note there."), 409)
    return _done(None, _("Escalated to %(name)s, who now owns the callback.", name=staff.name) if staff
                 else _("Escalated."))


def resolve(user: User, callback: CallbackRequest, escalation_id, now: datetime, notes=None) -> Outcome:
    """Resolve one unresolved escalation of the callback, with notes (whatever the callback's state)."""
    problem = refusal(callback.status, "resolve", user.role)  # never None for a role not allowed
    if problem and user.role not in TRANSITIONS["resolve"].roles:
        return refused(problem, 403)
    escalation = db.session.scalar(select(CallbackEscalation).where(
        CallbackEscalation.id == escalation_id, *Scope.company(callback.company_id).where(CallbackEscalation),
        CallbackEscalation.callback_request_id == callback.id))
    if escalation is None:
        return refused(_("This callback has no such escalation."), 404)
    notes, bad = _note(notes, label=_l("resolution notes"), required=True)
    if bad:
        return bad
    if not close_escalation(escalation, notes, now):
        db.session.rollback()
        event = last_event(callback.id, callback.company_id, "resolve_escalation")
        when = _(" at %(time)s", time=local_clock(event.created_at,
                                                  company_zone(callback.company_id))) if event else ""
        return refused(_("Already resolved by %(who)s%(when)s.", who=actor_name(event), when=when), 409)
    event = audit.record(callback.company_id, user, "resolve_escalation", "callback", callback.id, {},
                         {"reason": escalation.escalation_reason, "escalation_id": escalation.id,
                          "notes": notes})
    event.created_at = now
    return _done(None, _("Escalation resolved."))


def bulk_assign(user: User, selection: list[tuple[int, int]], staff_id, now: datetime) -> tuple[int, list]:
    """Assign each (callback id, version) seen in the queue; (how many assigned, [(id, why not)])."""
    assigned, refusals = 0, []
    scope = Scope.of(user)
    for callback_id, version in selection:
        callback = scope.get(CallbackRequest, callback_id)
        outcome = assign(user, callback, version, now, staff_id) if callback else refused(_("Not found."),
                                                                                          404)
        if outcome.ok:
            assigned += 1
        else:
            refusals.append((callback_id, outcome.message))
    return assigned, refusals


def claim_next(user: User, now: datetime, tries: int = 5) -> tuple[CallbackRequest | None, Outcome]:
    """"Next callback": claim the top of the user's queue — the pending callback in their scope
    with the earliest deadline (overdue ones have the earliest), then priority, then id. Each try
    is the same conditional UPDATE as a claim; when someone else takes that one first, the next
    one is tried (a few times), so two agents pressing at once get two different callbacks."""
    if user.staff is None:
        return None, refused(_("Your account is not linked to a staff record, so you cannot claim "
                               "callbacks. Ask an admin to link it."), 403)
    scope = Scope.of(user)
    candidates = db.session.execute(
        select(CallbackRequest.id, CallbackRequest.version)
        .where(*scope.where(CallbackRequest), CallbackRequest.status == "pending")
        .order_by(CallbackRequest.expires_at, CallbackRequest.priority_rank, CallbackRequest.id)
        .limit(tries)).all()
    for callback_id, version in candidates:
        callback = scope.get(CallbackRequest, callback_id)
        if callback is None or callback.status not in OPEN:
            continue
        outcome = claim(user, callback, version, now)
        if outcome.ok:
            return callback, outcome
    return None, Outcome(False, _("Nothing is waiting: no pending callback in your queue."), 200)
