"""Notification templates: sandboxed Jinja, one version per language, strict about variables.

A template is the file "<name>.<language>.j2" — the event's standard one (name "events/<event>") or
the one a configuration's template_override names — looked up first in the operator's folder
instance/notification_templates/, then among the standard ones in portal/notification_templates/. A missing
template or variable raises TemplateProblem with a message an admin can act on; nothing half-filled
is ever sent.
"""
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, TemplateError, TemplateNotFound
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from portal.domain.messages import M_

FILES_SUFFIX = ".j2"
STANDARD = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, "notification_templates")


class TemplateProblem(Exception):
    """A template that cannot be rendered: missing, broken, or lacking a variable."""


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    html: str
    short: str  # SMS, WhatsApp and push


class _Files(FileSystemLoader):
    """Company templates as files: "<name>.<language>" is read from "<name>.<language>.j2"."""

    def get_source(self, environment, template):
        return super().get_source(environment, template + FILES_SUFFIX)


@lru_cache(maxsize=8)
def environment(instance_path: str) -> SandboxedEnvironment:
    loader = ChoiceLoader([_Files(os.path.join(instance_path, "notification_templates")),
                           _Files(os.path.normpath(STANDARD))])
    return SandboxedEnvironment(loader=loader, undefined=StrictUndefined, autoescape=False,
                                keep_trailing_newline=False)


def template_name(event_type: str, override: str) -> str:
    return override or f"events/{event_type}"


def render(instance_path: str, event_type: str, override: str, language: str, values: Mapping,
           unsubscribe_url: str | None = None) -> Message:
    """The message of one event in one language; TemplateProblem when it cannot be made whole."""
    name = f"{template_name(event_type, override)}.{language}"
    env = environment(instance_path)
    try:
        template = env.get_template(name)
        context = template.new_context(dict(values))
        blocks = {block: "".join(render_block(context)).strip()
                  for block, render_block in template.blocks.items()}
        if not blocks:
            blocks = {"text": template.render(dict(values)).strip()}
    except TemplateNotFound:
        raise TemplateProblem(M_("Template %(name)s does not exist.", name=repr(name))) from None
    except TemplateError as problem:
        raise TemplateProblem(M_("Template %(name)s: %(problem)s", name=repr(name),
                                 problem=problem.message or str(problem))) from None
    text = blocks.get("text", "")
    if not text:
        raise TemplateProblem(M_("Template %(name)s renders an empty message.", name=repr(name)))
    subject = blocks.get("subject") or text.splitlines()[0][:120]
    if unsubscribe_url:
        text += ("\n\n" + ("Keine E-Mails mehr erhalten: " if language == "de" else "Unsubscribe: ")
                 + unsubscribe_url)
    return Message(subject, text, html_part(text, unsubscribe_url, language), blocks.get("short") or text)


def html_part(text: str, unsubscribe_url: str | None, language: str) -> str:
    """The HTML alternative: the text's paragraphs, escaped, and the unsubscribe link as a link."""
    if unsubscribe_url:
        text = text.rsplit("\n\n", 1)[0]
    paragraphs = Markup("").join(Markup("<p>{}</p>").format(Markup("<br>").join(escape(line) for line in
                                                                                 para.split("\n")))
                                 for para in text.split("\n\n"))
    footer = Markup("")
    if unsubscribe_url:
        label = "Keine E-Mails mehr erhalten" if language == "de" else "Unsubscribe"
        footer = Markup('<p><small><a href="{}">{}</a></small></p>').format(unsubscribe_url, label)
    page = Markup('<!doctype html><html lang="{}"><body>{}{}</body></html>')
    return str(page.format(language, paragraphs, footer))
