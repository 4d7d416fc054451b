"""Reading values people and machines send, before anything else sees them."""
MAX_ID = 2**63 - 1  # the largest BIGINT: anything above cannot name a row


def parse_id(value) -> int | None:
    """A row id from an int or a string of ASCII digits; None for anything else.

    `str.isdigit()` and `int()` accept other scripts' digits and superscripts ("²", "١٢"),
    and an id with thousands of digits overflows the database: both are simply "no such row".
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value <= MAX_ID else None
    if not isinstance(value, str) or not value.isascii() or not value.isdigit() or len(value) > 19:
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None
