"""What an API token may do: its scopes (DESIGN §10), stored as one space-separated text."""


def N_(text: str) -> str:  # noqa: N802  (the name pybabel extracts by default)
    """Marks text for the translation catalogs (pybabel's N_ keyword); it is translated where shown."""
    return text


CALLBACKS_WRITE = "callbacks:write"
SYNC_WRITE = "sync:write"
POLICIES_READ = "policies:read"
DECISIONS_WRITE = "decisions:write"
NOTIFICATIONS_READ = "notifications:read"
# Not one of the five of the design: the right to record a modification the rules deny (with a
# reason), the API's counterpart of a manager's "override the rules".
DECISIONS_FORCE = "decisions:force"

SCOPES = {
    CALLBACKS_WRITE: N_("Create callback requests and read their status (voice agent, website)"),
    SYNC_WRITE: N_("Push branches, services, staff, customers and appointments (booking system)"),
    POLICIES_READ: N_("Read the effective policy of a branch, service or staff member"),
    DECISIONS_WRITE: N_("Ask decisions and cancel or reschedule appointments within the rules"),
    DECISIONS_FORCE: N_("Also record cancellations and reschedules the rules deny (a reason is required)"),
    NOTIFICATIONS_READ: N_("Read the resolved notification configuration and delivery plan"),
}
# What tokens made before scopes existed could do, and what a new token gets unless told otherwise.
DEFAULT_SCOPES = (CALLBACKS_WRITE,)


def parse_scopes(text: str | None) -> frozenset[str]:
    """The known scopes in a stored scopes text (unknown words are ignored)."""
    return frozenset(word for word in (text or "").split() if word in SCOPES)


def format_scopes(scopes) -> str:
    """The stored text of a set of scopes, in the catalog's order."""
    chosen = set(scopes)
    return " ".join(scope for scope in SCOPES if scope in chosen)


def check_scopes(chosen: list[str]) -> tuple[frozenset[str], str | None]:
    """(the scopes, what is wrong: "unknown", "none" or "force-alone") of what an admin picked."""
    if set(chosen) - set(SCOPES):
        return frozenset(), "unknown"
    if not chosen:
        return frozenset(), "none"
    if DECISIONS_FORCE in chosen and DECISIONS_WRITE not in chosen:
        return frozenset(), "force-alone"
    return frozenset(chosen), None
