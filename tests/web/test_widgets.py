"""The portal's select and date input write exactly the markup of WTForms' own widgets."""
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import SelectChoice, widgets

from portal.web.fields import DayField
from portal.web.widgets import SelectField


class Filters(FlaskForm):
    class Meta:
        csrf = False

    kind = SelectField(_l("Type"), default="", choices=[
        SelectChoice("", _l("Any type")), SelectChoice("cancel", _l("Cancel")),
        SelectChoice("quote", 'Say "<b>"'), SelectChoice("empty", "")])
    day = DayField(_l("From"))


def both(field, **attrs) -> tuple[str, str]:
    ours = field(**attrs)
    theirs = (widgets.Select() if field.type == "SelectField" else widgets.DateInput())(
        field, **{**(field.render_kw or {}), **attrs})
    return str(ours), str(theirs)


def test_a_select_and_a_date_input_render_as_wtforms_renders_them(app):
    with app.test_request_context(headers={"Accept-Language": "de"}):
        form = Filters(formdata=MultiDict({"kind": "quote", "day": "2026-11-01"}))
        for field in (form.kind, form.day):
            for attrs in ({}, {"aria-invalid": "true", "aria-describedby": f"{field.id}-error"},
                          {"class_": "wide", "disabled": True, "hidden": False}):
                ours, theirs = both(field, **attrs)
                assert ours == theirs
        assert "selected value=\"quote\"" in str(form.kind())
        assert "&#34;" in str(form.kind())  # the label's quote, escaped


def test_a_grouped_select_is_wtforms_own(app):
    class Grouped(FlaskForm):
        class Meta:
            csrf = False

        staff = SelectField("Staff", choices=[SelectChoice("1", "Ann", optgroup="North"),
                                              SelectChoice("2", "Bo", optgroup="South")])

    with app.test_request_context():
        field = Grouped(formdata=MultiDict({"staff": "2"})).staff
        assert str(field()) == str(widgets.Select()(field))
        assert "<optgroup" in str(field())


def test_day_field_value_is_unchanged(app):
    with app.test_request_context():
        form = Filters(formdata=MultiDict({"day": "2026-11-01"}))
        assert form.day.data == datetime(2026, 11, 1).date()
