"""What makes a password acceptable (DESIGN §6): messages a person can act on."""
MIN_LENGTH = 12
MAX_LENGTH = 200


def password_problems(password: str, *, email: str = "", name: str = "") -> list[str]:
    """Why `password` is not acceptable; an empty list means it is."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters (this one has {len(password)}).")
    if len(password) > MAX_LENGTH:
        problems.append(f"Use at most {MAX_LENGTH} characters.")
    lowered = password.lower()
    for own in (email.lower(), email.lower().partition("@")[0], name.lower()):
        if len(own) >= 4 and own in lowered:
            problems.append("Do not use your name or email address in the password.")
            break
    return problems
