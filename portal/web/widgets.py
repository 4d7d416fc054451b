"""WTForms' select and date input with the same markup, written out more cheaply.

WTForms builds every attribute with Markup.format (string.Formatter), says each lazy option
label three times (its truth, its escape) and inspects render_option's signature on every
render: a filter bar's seven controls cost more than the 25-row table beneath them. These
widgets write the same HTML (attributes sorted by name, `True` bare, `False` left out) in plain
f-strings, and say each label once.
"""
from typing import Any

from markupsafe import Markup, escape
from wtforms import SelectField as WTFormsSelectField
from wtforms import widgets
from wtforms.widgets.core import clean_key


def _value(value: Any) -> str:
    return str(escape(value)).replace('"', "&quot;")


def html_params(**attrs: Any) -> Markup:
    """WTForms' html_params, the same output: `name="value"` pairs sorted by name."""
    parts = []
    for key, value in sorted(attrs.items()):
        key = clean_key(key)
        if value is True:
            parts.append(key)
        elif value is not False:
            parts.append(f'{escape(key)}="{_value(value)}"')
    return Markup(" ".join(parts))


class Select(widgets.Select):
    """A select of plain choices written straight out (groups, multiple or choice render_kw:
    WTForms' own rendering)."""

    def __call__(self, field, **kwargs) -> Markup:
        plain = not self.multiple and not field.has_groups()
        choices = list(field._iter_choices_normalized()) if plain else None
        if choices is None or any(choice.render_kw for choice in choices):
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", None)
        flags = vars(flags) if flags is not None else {}
        for name in self.validation_attrs:
            if name in flags and name not in kwargs:
                kwargs[name] = flags[name]
        html = [f"<select {html_params(name=field.name, **kwargs)}>"]
        for choice in choices:
            value = str(choice.value) if isinstance(choice.value, bool) else choice.value
            label = choice.label
            if label is not None and not isinstance(label, str):
                label = str(label)  # a lazy label, said once
            selected = "selected " if choice.selected else ""
            html.append(f'<option {selected}value="{_value(value)}">{escape(label or choice.value)}</option>')
        html.append("</select>")
        return Markup("".join(html))


class SelectField(WTFormsSelectField):
    """WTForms' SelectField rendered by the Select above."""

    widget = Select()


class DateInput(widgets.DateInput):
    html_params = staticmethod(html_params)
