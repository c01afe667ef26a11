"""The console transcript shows what "did you mean" offered and what the patient chose."""

from __future__ import annotations

from datetime import datetime, timezone

from bot.console.data import message_view
from bot.console.rendering import templates
from bot.db.models import Message


def _message(**fields: object) -> Message:
    return Message(id=1, conversation_id="c", status="sent", created_at=datetime(2026, 12, 2, tzinfo=timezone.utc), **fields)


def test_an_offer_lists_the_offered_faq_ids() -> None:
    offer = _message(
        sender="bot",
        text="I'm not sure I understood. Did you mean one of these?",
        buttons=[{"title": "How to contact the clinic", "payload": '/choose_faq{"faq_id": "contact_clinic"}'},
                 {"title": "None of these", "payload": "/none_of_these"}],
        meta={"custom": {"faq_offer": ["contact_clinic", "clinic_location"], "not_understood": True}},
    )
    view = message_view(offer)
    assert view["offered_faqs"] == ["contact_clinic", "clinic_location"]
    assert view["chosen_faq"] is None


def test_a_choice_names_the_faq_and_none_of_these_says_so() -> None:
    chose = _message(sender="patient", text="How to contact the clinic", payload='/choose_faq{"faq_id": "contact_clinic"}')
    none = _message(sender="patient", text="None of these", payload="/none_of_these")
    typed = _message(sender="patient", text="/choose_faq{broken", payload='/choose_faq{broken')
    assert message_view(chose)["chosen_faq"] == "contact_clinic"
    assert message_view(none)["chosen_faq"] == "none"
    assert message_view(typed)["chosen_faq"] is None
    assert message_view(_message(sender="patient", text="hello"))["chosen_faq"] is None


def test_the_transcript_template_renders_both() -> None:
    environment = templates.env  # the console's own: its loader, filters and autoescaping
    offer = message_view(_message(sender="bot", text="Did you mean", meta={"custom": {"faq_offer": ["contact_clinic"]}}))
    chose = message_view(_message(sender="patient", text="How to contact the clinic", payload='/choose_faq{"faq_id": "contact_clinic"}'))
    none = message_view(_message(sender="patient", text="None of these", payload="/none_of_these"))
    html = environment.get_template("_messages.html").render(messages=[offer, chose, none])
    assert "offered contact_clinic" in html
    assert "chose faq contact_clinic" in html
    assert "chose none of these" in html
