"""The node editor's form: per key, inherit or override, and the value typed."""
import re
from dataclasses import dataclass, field

from werkzeug.datastructures import MultiDict

from portal.domain.messages import M_
from portal.domain.parsing import InputError, parse_int
from portal.domain.policy_schema import TIERS, UNLIMITED, key_specs, validate_config

MODES = ("inherit", "override", "unlimited")
TIER_LINE = re.compile(r"^\s*(\d{1,7})\s*h?\s*[:=]\s*(\d{1,12}(?:[.,]\d{1,2})?)\s*(%|eur|€)?\s*$",
                       re.IGNORECASE | re.ASCII)


@dataclass
class EditorInput:
    """What the person submitted, kept as typed so a refused save loses nothing."""

    modes: dict[str, str] = field(default_factory=dict)
    typed: dict[str, str] = field(default_factory=dict)
    config: dict = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    version: int = 0


def tiers_to_text(tiers) -> str:
    """Stored tiers as the editor's lines, e.g. "48 h: 0.00" and "24 h: 25.00 %"."""
    lines = []
    for tier in tiers or ():
        amount = f"{tier['fee']}" if "fee" in tier else f"{tier['fee_percentage']} %"
        lines.append(f"{tier['min_hours']} h: {amount}")
    return "\n".join(lines)


def parse_tiers(text: str):
    """Editor lines to tier dicts; a line that does not parse gives a message naming it."""
    tiers = []
    for number, line in enumerate((line for line in text.splitlines() if line.strip()), start=1):
        match = TIER_LINE.match(line)
        if match is None:
            raise ValueError(M_("Fee tiers: line %(number)s (%(line)s) is not understood; write one tier per "
                                "line like '24 h: 10.00' or '24 h: 50 %%'", number=number,
                                line=repr(line.strip())))
        hours, amount, unit = match.groups()
        kind = "fee_percentage" if unit == "%" else "fee"
        tiers.append({"min_hours": int(hours), kind: amount.replace(",", ".")})
    return tiers


def read_editor(policy_type: str, form: MultiDict) -> EditorInput:
    """Parse and validate the editor form; unknown or crafted keys come back as errors."""
    specs = {spec.name: spec for spec in key_specs(policy_type)}
    result = EditorInput()
    try:
        result.version = parse_int(form.get("version", ""), minimum=0)
    except InputError:
        result.errors["version"] = M_("The form is missing its version; reload the page.")
    raw = {}
    names = set(specs) | {name[5:] for name in form if name.startswith("mode_")}
    for name in names:
        mode = form.get(f"mode_{name}", "inherit")
        typed = form.get(f"value_{name}", "")
        result.modes[name], result.typed[name] = mode, typed
        if mode not in MODES or (mode == "unlimited" and name in specs and not specs[name].allows_unlimited):
            result.errors[name] = M_("Choose inherit or override.")
        elif mode == "unlimited":
            raw[name] = UNLIMITED
        elif mode == "override":
            raw[name] = _typed_value(name, specs, typed, result.errors)
    clean, errors = validate_config(policy_type, raw)
    result.config = clean
    for name, message in errors.items():
        result.errors.setdefault(name, message)
    return result


def _typed_value(name, specs, typed: str, errors: dict):
    if not typed.strip():
        errors[name] = M_("Enter a value, or choose Inherit.")
        return None
    if name in specs and specs[name].kind == TIERS and not typed.lstrip().startswith("["):
        try:
            return parse_tiers(typed)
        except ValueError as problem:
            errors[name] = str(problem)
            return None
    return typed
