"""After approval: the content rebuilds, the model is stale only when the build changed, and a real Rasa
server takes the model through PUT /model and keeps answering.

The whole path is split here (docs/inbox.md says why): a real retrain takes
minutes, so the suite never trains. What retraining depends on is tested for
real (the build of an approved proposal changes the generated training data,
and bot.training's fingerprint then says stale); the rollout is tested on a
real Rasa server with the shipped model.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime
from functools import partial
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import sessionmaker

from bot.db.session import unit_of_work
from bot.handoff.clinicians import set_reviewer
from bot.handoff.models import Clinician
from bot.proposals import service
from bot.proposals.rollout import (
    Publisher,
    PublishFailed,
    rebuild_content,
    retrain_if_stale,
    roll_out,
)
from bot.training import CONFIG_FILE, fingerprint
from tests.conftest import MODEL_PATH, TEST_SECRETS
from tests.support.handoff import make_clinician
from tests.support.inbox import content_copy

TODAY = date(2026, 12, 4)
QUESTION = "can i leave my car in your car park overnight"


def _approve_example(factory: sessionmaker, content: Path, clinic: dict) -> None:  # type: ignore[type-arg]
    with unit_of_work(factory) as session:
        alice, bob = make_clinician(session, "alice"), make_clinician(session, "bob")
        set_reviewer(session=session, username="bob", reviewer=True)
        proposal = service.propose(
            session=session, kind="example", faq_id="parking_and_transport", texts=[QUESTION], proposer=alice,
            clinic=clinic, content_dir=content, now=datetime(2026, 12, 4, 9),
        )
        service.approve(session=session, proposal_id=proposal.id, reviewer=session.get(Clinician, bob.id),
                        content_dir=content, now=datetime(2026, 12, 4, 10))


def test_an_approved_example_reaches_the_training_data_and_makes_the_model_stale(
    session_factory: sessionmaker, tmp_path: Path
) -> None:
    from bot.content.loader import load_clinic

    content, clinic_file = content_copy(tmp_path)
    data = tmp_path / "data"
    generated = data / "generated"
    first = rebuild_content(content_dir=content, clinic_file=clinic_file, output_dir=generated, today=TODAY)
    config = CONFIG_FILE
    before = fingerprint(config, data_dir=data)
    again = rebuild_content(content_dir=content, clinic_file=clinic_file, output_dir=generated, today=TODAY)
    assert first.changed and not again.changed and fingerprint(config, data_dir=data) == before  # no change, no retrain

    _approve_example(session_factory, content, load_clinic(clinic_file))
    built = rebuild_content(content_dir=content, clinic_file=clinic_file, output_dir=generated, today=TODAY)
    assert built.changed
    assert QUESTION in (generated / "faq.yml").read_text(encoding="utf-8") or _held_out(content)
    assert fingerprint(config, data_dir=data) != before  # bot.training.is_stale would now retrain


def _held_out(content: Path) -> bool:
    """One in six examples is held out of training for evaluation; the new one may be among them."""
    from bot.content.compiler import split_examples
    from bot.content.loader import load_file

    entry, _ = load_file(content / "faq" / "parking_and_transport.yml", "faq")
    return QUESTION in split_examples(entry)[1]


def test_content_with_a_defect_is_not_published(tmp_path: Path) -> None:
    content, clinic_file = content_copy(tmp_path)
    (content / "faq" / "parking_and_transport.yml").write_text("id: parking_and_transport\n", encoding="utf-8")
    with pytest.raises(PublishFailed, match="defect"):
        rebuild_content(content_dir=content, clinic_file=clinic_file, output_dir=tmp_path / "generated", today=TODAY)


def test_the_model_rolls_onto_a_real_rasa_server_which_keeps_answering(rasa_server_url: str) -> None:
    token = TEST_SECRETS["PATIENTBOT_RASA_TOKEN"]
    done = roll_out(MODEL_PATH, [rasa_server_url], token=token)
    assert [Path(d.model_file).name for d in done] == [MODEL_PATH.name]
    reply = httpx.post(
        f"{rasa_server_url.rstrip('/')}/webhooks/rest/webhook", params={"token": token},
        json={"sender": "rollout-test", "message": "hello"}, timeout=60,
    )
    assert reply.status_code == 200 and reply.json(), reply.text


def test_a_server_that_refuses_stops_the_rollout_before_the_next(rasa_server_url: str, tmp_path: Path) -> None:
    token = TEST_SECRETS["PATIENTBOT_RASA_TOKEN"]
    with pytest.raises(PublishFailed, match="refused|reports"):
        roll_out(tmp_path / "missing.tar.gz", [rasa_server_url, "http://127.0.0.1:9"], token=token, timeout_s=60)
    status = httpx.get(f"{rasa_server_url.rstrip('/')}/status", params={"token": token}, timeout=10).json()
    assert Path(status["model_file"]).name == MODEL_PATH.name  # still the model it had


def test_publish_rolls_out_only_a_retrained_model_unless_asked(rasa_server_url: str, tmp_path: Path) -> None:
    """The real build and staleness check on a temporary tree whose model is up to date (never trained here)."""
    content, clinic_file = content_copy(tmp_path)
    data, models = tmp_path / "data", tmp_path / "models"
    build = partial(rebuild_content, content_dir=content, clinic_file=clinic_file, output_dir=data / "generated")
    build()
    models.mkdir()
    shutil.copyfile(MODEL_PATH, models / MODEL_PATH.name)
    (models / "patientbot.fingerprint").write_text(fingerprint(CONFIG_FILE, data_dir=data) + "\n")
    publisher = Publisher(
        [rasa_server_url], TEST_SECRETS["PATIENTBOT_RASA_TOKEN"],
        rebuild=build, retrain=partial(retrain_if_stale, out_dir=models, data_dir=data),
    )
    state = publisher.run()
    assert state.status == "done" and state.servers == [] and "model up to date" in state.detail
    state = publisher.run(force_rollout=True)
    assert state.status == "done" and state.servers == [rasa_server_url.rstrip("/")], state.detail
