"""`patientbot apikey create|list|revoke`: the key is printed once and only its hash is stored."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.db.models import ApiKey
from bot.db.session import make_engine, make_session_factory, unit_of_work
from bot.gateway.apikeys import ApiKeyRefused, verify_api_key


def test_create_list_revoke(test_env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["apikey", "create", "clinic website"]) == 0
    out = capsys.readouterr().out.splitlines()
    key = out[-1]
    assert key.startswith("pbk_") and len(key) > 40
    key_id = out[0].split()[3]

    factory = make_session_factory(make_engine(test_env["PATIENTBOT_DATABASE_URL"]))
    with unit_of_work(factory) as session:
        row = session.execute(select(ApiKey)).scalar_one()
        assert key not in (row.key_hash, row.prefix, row.name)
        assert verify_api_key(session=session, key=key).id == key_id

    assert main(["apikey", "list"]) == 0
    listing = capsys.readouterr().out
    assert key_id in listing and "clinic website" in listing and key not in listing

    assert main(["apikey", "revoke", key_id]) == 0
    capsys.readouterr()
    with unit_of_work(factory) as session, pytest.raises(ApiKeyRefused, match="revoked"):
        verify_api_key(session=session, key=key)
    assert main(["apikey", "revoke", "no-such-id"]) == 1
    assert "no API key" in capsys.readouterr().err
    assert main(["apikey", "create", "   "]) == 2
