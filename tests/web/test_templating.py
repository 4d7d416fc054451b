"""Template helpers: badges rendered once per value give the markup the macro gives."""
from flask import render_template_string

from portal.web.templating import RenderedEach


def test_rendered_each_calls_the_macro_once_per_value_looked_up_and_never_for_the_others():
    calls = []

    def macro(value):
        calls.append(value)
        return f"<{value}>"

    tags = RenderedEach(macro)
    assert [tags[value] for value in ("a", "b", "a", "a", "b")] == ["<a>", "<b>", "<a>", "<a>", "<b>"]
    assert calls == ["a", "b"]


def test_a_looked_up_badge_is_the_macros_own_markup_and_an_unknown_value_still_renders(app):
    template = ('{% from "macros/badges.html" import status_tag %}'
                '{% set TAGS = rendered_each(status_tag) %}'
                '{{ TAGS["completed"] }}|{{ status_tag("completed") }}|'
                '{{ TAGS["gone_missing"] }}')
    with app.test_request_context():
        looked_up, called, unknown = render_template_string(template).split("|")
    assert looked_up == called
    assert 'data-status="completed"' in called
    assert 'data-status="gone_missing"' in unknown


def test_a_badge_rendered_for_one_page_is_kept_for_the_next_pages_of_the_same_language(app):
    calls = []

    def macro(value):
        calls.append(value)
        return f"<{value}>"

    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert RenderedEach(macro)["a"] == "<a>"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert (RenderedEach(macro)["a"], RenderedEach(macro)["b"]) == ("<a>", "<b>")
    assert calls == ["a", "b"]  # the second page rendered only what the first had not


def test_a_kept_badge_is_said_in_each_page_s_own_language(app, client, world):
    template = ('{% from "macros/badges.html" import status_tag %}'
                '{% set TAGS = rendered_each(status_tag) %}{{ TAGS["completed"] }}')
    said = {}
    for language in ("en", "de", "en"):
        with app.test_request_context(headers={"Accept-Language": language}):
            said.setdefault(language, set()).add(render_template_string(template))
    assert len(said["en"]) == 1
    assert said["en"] != said["de"]
    assert "Completed" in next(iter(said["en"]))
