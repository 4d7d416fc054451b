"""Password rules (ASVS 5.0 L2, V6.2): long enough, not common or breached, not about the person.

`password_problems()` is the one check: sign-up through a one-time link, `flask users create`
and every password change call it. It returns messages a person can act on; an empty list means
the password is acceptable. There is no rule about character classes (ASVS: length beats
composition) and no upper limit below 128 characters, so pass phrases work.

The list of common and breached passwords is the one zxcvbn ships (30,000 entries ranked by
frequency in breach corpora); it is read from the package lazily, once, never fetched.
Passwords are compared after NFKC and case folding, so "ＰＡＳＳＷＯＲＤ…" is "password…".
"""
import itertools
import re
import unicodedata
from functools import cache

from portal.domain.messages import M_

MIN_LENGTH = 12
MAX_LENGTH = 128
# zxcvbn refuses to score longer input (its matching is quadratic); longer is never weak by length.
SCORED_PREFIX = 72
# zxcvbn's 0–4 score: 3 means about 10^8 guesses or more ("safely unguessable" for online attacks
# that are throttled, and for offline ones against a slow hash such as scrypt).
MIN_SCORE = 3
# Characters people add around a common word to pass rules: "Password2024!", "!!monkey123".
LEADING, TRAILING = re.compile(r"^[\W\d_]+"), re.compile(r"[\W\d_]+$")
LEET = str.maketrans("@4310$5!7", "aaeiossit")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


@cache
def common_passwords() -> frozenset[str]:
    """The breached-password list shipped with zxcvbn, case-folded."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(_fold(word) for word in FREQUENCY_LISTS["passwords"])


def _is_common(folded: str) -> bool:
    """In the list as typed or with its leetspeak undone, or a listed entry (4+ characters) with
    only digits and symbols before or after it ("Password2024!", "!!monkey123", "00001-2024")."""
    common = common_passwords()
    for text in {folded, folded.translate(LEET)}:
        lead = len(text) - len(LEADING.sub("", text))
        trail = len(text) - len(TRAILING.sub("", text))
        starts = range(min(lead, len(text)) + 1)
        ends = range(max(len(text) - trail, 0), len(text) + 1)
        if any(text[a:b] in common for a in starts for b in ends if b - a >= 4) or text in common:
            return True
    return False


def _is_repetitive(folded: str) -> bool:
    """One short unit repeated ("aaaaaaaaaaaa", "abcabcabcabc", ten spaces) or a plain run
    ("123456789012", "abcdefghijkl"): a guesser tries these first."""
    if len(set(folded)) <= 2:
        return True
    for size in range(1, len(folded) // 2 + 1):
        unit = folded[:size]
        if (unit * (len(folded) // size + 1))[:len(folded)] == folded:
            return True
    steps = {ord(b) - ord(a) for a, b in itertools.pairwise(folded)}
    return steps <= {1, -9} or steps <= {-1, 9}  # 1234567890… counts up through the wrap to 0


def _words_of(email: str, name: str) -> set[str]:
    """The parts of the person's email and name a password must not be built on."""
    local, _, domain = _fold(email).partition("@")
    words = {local, domain.split(".")[0], _fold(name).replace(" ", "")}
    words |= set(re.split(r"[\W_]+", local)) | set(_fold(name).split())
    return {word for word in words if len(word) >= 4}


def _is_personal(folded: str, email: str, name: str) -> bool:
    squeezed = re.sub(r"[\W_]+", "", folded)
    return any(word in folded or word in squeezed for word in _words_of(email, name))


def _is_guessable(password: str) -> bool:
    from zxcvbn import zxcvbn

    # No user_inputs: zxcvbn keeps them in a module-level dict, shared by every thread.
    return zxcvbn(password[:SCORED_PREFIX])["score"] < MIN_SCORE


def password_problems(password: str, *, email: str = "", name: str = "") -> list[str]:
    """What is wrong with `password` for the person with this email and name ([] = acceptable)."""
    if not isinstance(password, str) or not password:
        return [M_("Enter a password.")]
    if len(password) < MIN_LENGTH:
        return [M_("Use at least %(minimum)s characters; this password has %(length)s. A few unrelated words "
                   "make a long password that is easy to remember.", minimum=MIN_LENGTH,
                   length=len(password))]
    if len(password) > MAX_LENGTH:
        return [M_("Use at most %(maximum)s characters; this password has %(length)s.", maximum=MAX_LENGTH,
                   length=len(password))]
    folded = _fold(password)
    problems: list[str] = []
    if _is_repetitive(folded):
        problems.append(M_("Avoid repeated characters and simple runs such as “aaaa” or “1234”."))
    if (email or name) and _is_personal(folded, email, name):
        problems.append(M_("Do not build the password on your name or email address."))
    if _is_common(folded):
        problems.append(M_("This password is on a list of common and breached passwords; choose another."))
    if not problems and _is_guessable(password):
        problems.append(M_("This password is easy to guess (a common pattern or words); "
                           "make it longer or add an unrelated word."))
    return problems
