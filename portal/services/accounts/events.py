"""The security event log: written to Python logging and stored for the company's admins."""
import logging
from dataclasses import dataclass
from datetime import datetime

from portal.domain.messages import M_
from portal.extensions import db
from portal.models import SecurityEvent, User

log = logging.getLogger("portal.security")

# kind -> what it means, in the words shown to admins
KINDS = {
    "sign_in": M_("Signed in"),
    "sign_in_failed": M_("Sign-in failed"),
    "locked_out": M_("Sign-in refused: too many attempts"),
    "signed_out": M_("Signed out"),
    "mfa_failed": M_("Wrong authenticator code"),
    "mfa_enrolled": M_("Two-step sign-in turned on"),
    "mfa_removed": M_("Two-step sign-in turned off"),
    "recovery_code_used": M_("Recovery code used"),
    "recovery_codes_renewed": M_("New recovery codes made"),
    "password_changed": M_("Password changed"),
    "reauthenticated": M_("Confirmed identity for a sensitive action"),
    "reauth_failed": M_("Identity confirmation failed"),
    "session_ended": M_("Session ended"),
    "session_expired": M_("Session timed out"),
    "access_denied": M_("Page refused (403)"),
    "throttle_unavailable": M_("Throttle storage unreachable (stricter local limits in force)"),
}
WARNING_KINDS = {"sign_in_failed", "locked_out", "mfa_failed", "reauth_failed", "access_denied",
                 "throttle_unavailable"}


@dataclass(frozen=True)
class Client:
    """Where a request came from, as the app sees it (after trusted proxies)."""

    address: str = ""
    user_agent: str = ""

    @classmethod
    def of(cls, address: str | None, user_agent: str | None) -> "Client":
        return cls((address or "")[:45], (user_agent or "")[:255])


def record(kind: str, client: Client, now: datetime, *, user: User | None = None,
           company_id: int | None = None, detail: str = "", session_id: int | None = None) -> SecurityEvent:
    """Log the event and add it to the current transaction (the caller commits)."""
    assert kind in KINDS, kind
    if user is not None and company_id is None:
        company_id = user.company_id
    event = SecurityEvent(company_id=company_id, user_id=user.id if user else None, kind=kind,
                          address=client.address, user_agent=client.user_agent, created_at=now,
                          detail=detail[:500], session_id=session_id)
    db.session.add(event)
    log.log(logging.WARNING if kind in WARNING_KINDS else logging.INFO,
            "security event %s: user=%s company=%s address=%s session=%s %s", kind,
            user.email if user else "-", company_id if company_id is not None else "-",
            client.address or "-", session_id if session_id is not None else "-", detail)
    return event
