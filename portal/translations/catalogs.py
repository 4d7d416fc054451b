"""The portal's message catalogs (de, en) and the one tool that keeps them in step with the code.

    python -m portal.translations update    extract every message (babel.cfg), merge it into
                                            de/ and en/LC_MESSAGES/messages.po, compile, check
    python -m portal.translations compile   the .mo files the app reads (dev.sh does this)
    python -m portal.translations check     exit 1 when a German message is missing, empty or
                                            fuzzy, or a translation's placeholders do not match

`./dev.sh translations` runs `update`; German translations are then written into
de/LC_MESSAGES/messages.po (new entries have an empty msgstr) and `check` passes again. English
is the source language: its catalog's entries are filled with the message itself.
"""
from __future__ import annotations

from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).resolve().parent  # portal/translations
ROOT = HERE.parent.parent
LOCALES = ("de", "en")
SOURCE_LOCALE = "en"
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2),
            "_n": (1, 2), "M_": None,
            "lazy_pgettext": ((1, "c"), 2), "MC_": ((1, "c"), 2)}
DOMAIN = "messages"


def po_path(locale: str) -> Path:
    return HERE / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def extract() -> Catalog:
    """Every translatable message of the code and the templates, as a template catalog."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    template = Catalog(project="Appointment Policy Portal", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS, comment_tags=("Translators:",),
            strip_comment_tags=True):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def read(locale: str) -> Catalog:
    path = po_path(locale)
    if not path.exists():
        return Catalog(locale=locale, fuzzy=False)
    with open(path, "rb") as po:
        return read_po(po, locale=locale)


def write(catalog: Catalog, locale: str) -> None:
    path = po_path(locale)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = BytesIO()
    write_po(buffer, catalog, width=100, omit_header=False, ignore_obsolete=True, include_lineno=False,
             sort_output=True)
    path.write_bytes(buffer.getvalue())


def update() -> None:
    template = extract()
    for locale in LOCALES:
        catalog = read(locale)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        if locale == SOURCE_LOCALE:
            for message in catalog:
                if message.id and _empty(message):
                    message.string = message.id
                message.flags.discard("fuzzy")
        catalog.fuzzy = False
        write(catalog, locale)


def compile_all() -> None:
    for locale in LOCALES:
        catalog = read(locale)
        with open(po_path(locale).with_suffix(".mo"), "wb") as mo:
            write_mo(mo, catalog, use_fuzzy=False)


def _empty(message) -> bool:
    if isinstance(message.string, (list, tuple)):
        return not all(message.string)
    return not message.string


def problems(locale: str = "de") -> list[str]:
    """What keeps the catalog from being complete: messages of the code it lacks, empty or fuzzy
    entries, and translations whose placeholders differ from the message's."""
    template, catalog = extract(), read(locale)
    found = []
    for message in template:
        if not message.id:
            continue
        entry = catalog.get(message.id, message.context)
        where = ", ".join(f"{file}:{line}" for file, line in message.locations[:2])
        shown = message.id if isinstance(message.id, str) else message.id[0]
        if entry is None:
            found.append(f"missing: {shown!r} ({where})")
        elif entry.fuzzy:
            found.append(f"fuzzy: {shown!r} ({where})")
        elif _empty(entry):
            found.append(f"not translated: {shown!r} ({where})")
    for message, errors in catalog.check():
        for error in errors:
            found.append(f"placeholders: {message.id!r}: {error}")
    return found


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "update":
        update()
        compile_all()
    elif command == "compile":
        compile_all()
        return 0
    elif command != "check":
        print(__doc__)
        return 2
    found = problems("de")
    for line in found:
        print(line)
    total = sum(1 for message in read("de") if message.id)
    print(f"German catalog: {total} messages, {len(found)} problem(s)")
    return 1 if found else 0
