"""How Rasa's REST output becomes patient-visible replies (merging, buttons, custom data)."""

from __future__ import annotations

import pytest

from bot.gateway.rasa_client import Button, RasaUnavailable, parse_rasa_output


def test_text_parts_split_on_blank_lines_are_merged_back() -> None:
    parsed = parse_rasa_output(
        [
            {"recipient_id": "c-0", "text": "Fever in adults usually passes in 3 days."},
            {"recipient_id": "c-0", "text": "Source: NHS, reviewed 2026-11-20."},
            {"recipient_id": "c-0", "custom": {"rest_point": True, "faq_id": "fever_adults"}},
        ]
    )
    assert [r.text for r in parsed.replies] == [
        "Fever in adults usually passes in 3 days.\n\nSource: NHS, reviewed 2026-11-20."
    ]
    assert parsed.is_rest_point and parsed.faq_ids == ["fever_adults"]
    assert parsed.replies[0].custom == {"rest_point": True, "faq_id": "fever_adults"}


def test_buttons_stay_with_their_text_and_no_custom_means_no_rest_point() -> None:
    parsed = parse_rasa_output(
        [
            {"text": "I can answer that."},
            {
                "text": "Was this helpful?",
                "buttons": [{"title": "Yes", "payload": "/affirm"}, {"payload": "/x"}],
            },
            {"text": "Anything else?"},
        ]
    )
    assert [r.text for r in parsed.replies] == [
        "I can answer that.\n\nWas this helpful?",
        "Anything else?",
    ]
    assert parsed.replies[0].buttons == [Button("Yes", "/affirm")]
    assert not parsed.is_rest_point


def test_an_empty_answer_is_no_reply_and_garbage_is_a_failure() -> None:
    assert parse_rasa_output([]).replies == []
    with pytest.raises(RasaUnavailable):
        parse_rasa_output({"error": "nope"})
