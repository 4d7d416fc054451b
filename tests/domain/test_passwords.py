"""Password rules: length, the shipped breached list, the person's own name and email, repetition."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.domain.passwords import MIN_LENGTH, common_passwords, password_problems

GOOD = ["kettle-orbit-saffron", "Blumenwiese am Fluss", "correct-horse-battery", "Tr0ub4dor&3xyz",
        "zwei Eulen über der Spree", "🐝 bumble-lantern-quarry"]


@pytest.mark.parametrize("password", ["password12", "1234567890", "aaaaaaaaaa", " " * 10, "qwertz1234"])
def test_the_weak_passwords_of_the_issue_are_too_short(password):
    problems = password_problems(password)
    assert len(problems) == 1
    assert f"at least {MIN_LENGTH} characters" in problems[0]


@pytest.mark.parametrize("password", ["aaaaaaaaaaaa", " " * 12, "abababababab", "abcabcabcabc",
                                      "123456789012", "abcdefghijklm", "987654321098", "zzzzzzzzzzzzzzzzzzzz"])
def test_repetitive_passwords_are_refused(password):
    assert any("repeated" in problem for problem in password_problems(password))


@pytest.mark.parametrize("password", ["password1234", "Password2024!", "P@ssw0rd2024", "qwertyuiop12",
                                      "iloveyou12345", "Sommer2024!!", "ｐａｓｓｗｏｒｄ１２３４", "!!monkey123456",
                                      "1qaz2wsx3edc", "Football2025#"])
def test_common_and_breached_passwords_are_refused_with_their_decoration(password):
    assert any("common and breached" in problem for problem in password_problems(password))


@pytest.mark.parametrize("password", ["anna.mueller-1984", "AnnaMüller!2024", "my-anna-mueller-pw", "example-rocks-2024"])
def test_a_password_built_on_ones_name_or_email_is_refused(password):
    problems = password_problems(password, email="anna.mueller@example.com", name="Anna Müller")
    assert any("name or email" in problem for problem in problems)


@pytest.mark.parametrize("password", GOOD)
def test_long_unguessable_passwords_and_pass_phrases_are_accepted(password):
    assert password_problems(password, email="anna.mueller@example.com", name="Anna Müller") == []


def test_the_list_ships_with_the_package_and_is_large():
    words = common_passwords()
    assert len(words) > 20_000
    assert {"password", "123456", "qwerty", "iloveyou"} <= words


def test_too_long_and_empty_passwords_get_a_message():
    assert "at most 128" in password_problems("k" * 100 + "-orbit-saffron-lantern-quarry")[0]
    assert password_problems("") == ["Enter a password."]


@given(st.text(max_size=MIN_LENGTH - 1))
def test_every_password_shorter_than_the_minimum_is_refused(password):
    assert password_problems(password)


@settings(max_examples=60)
@given(st.sampled_from(sorted(common_passwords())), st.sampled_from(["", "1", "2024", "!", "123!", "#1"]),
       st.booleans())
def test_every_listed_password_is_refused_whatever_is_added_around_it(word, suffix, capitalised):
    password = (word.capitalize() if capitalised else word) + suffix
    password = password if len(password) >= MIN_LENGTH else password + "1" * (MIN_LENGTH - len(password))
    assert password_problems(password), password


@given(st.text(min_size=1, max_size=4).filter(lambda unit: unit.strip()), st.integers(min_value=3, max_value=30))
def test_a_short_unit_repeated_is_always_refused(unit, times):
    password = unit * max(times, -(-MIN_LENGTH // len(unit)))
    assert password_problems(password), password


@settings(max_examples=40)
@given(st.lists(st.sampled_from(["kettle", "orbit", "saffron", "lantern", "quarry", "meadow", "cobalt",
                                 "walnut", "harbour", "pixel"]), min_size=4, max_size=5, unique=True))
def test_four_unrelated_words_make_an_acceptable_password(words):
    assert password_problems("-".join(words)) == []
