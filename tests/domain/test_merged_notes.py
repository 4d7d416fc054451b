"""Merged callback notes stay within their bound and never lose the newest request."""
from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from portal.domain.callbacks import MERGED_NOTES_MAX, NOTE_MAX, SHORTENED_MARKER, merged_notes

NOW = datetime(2026, 12, 1, 9, 0)
NOTES = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=NOTE_MAX)


@given(st.lists(NOTES, min_size=1, max_size=15), st.none() | NOTES)
def test_merging_keeps_the_bound_and_the_newest_note(added, first):
    notes = first
    for number, note in enumerate(added):
        notes = merged_notes(notes, note, NOW + timedelta(minutes=number), "API token “Voice”")
        assert len(notes) <= MERGED_NOTES_MAX
        assert notes.endswith(f"Voice”] {note}")


def test_notes_below_the_bound_are_kept_whole():
    notes = merged_notes("first", "second", NOW, "agent form")
    assert notes == "first\n[2026-12-01 09:00 UTC, agent form] second"


def test_past_the_bound_the_oldest_part_gives_way_to_a_marker():
    notes = "old " * 4000  # 16,000 characters from before the bound existed
    notes = merged_notes(notes, "newest", NOW, "agent form")
    assert notes.startswith(SHORTENED_MARKER + "\n")
    assert notes.endswith("] newest")
    assert len(notes) <= MERGED_NOTES_MAX


def test_an_empty_note_changes_nothing():
    assert merged_notes("kept", "", NOW, "x") == "kept"
    assert merged_notes(None, None, NOW, "x") is None
