"""Bulletins are vetted like FAQs: `patientbot content validate` reports each defect with its line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot.cli import main
from bot.content.bulletins import load_bulletins, render_bulletin, validate_bulletins
from bot.paths import CONTENT_DIR
from tests.support.content import bulletin_yaml

TODAY = date(2026, 12, 4)


def defects_of(content_dir, clinic, text: str) -> list[str]:
    root = content_dir({"bulletin/flu.yml": text})
    bulletins, unreadable = load_bulletins(root)
    return [str(d).split("/")[-1] for d in unreadable + validate_bulletins(bulletins, clinic, today=TODAY)]


def test_the_shipped_bulletins_are_valid_and_sendable(clinic) -> None:
    bulletins, unreadable = load_bulletins(CONTENT_DIR)
    assert unreadable == []
    assert len(bulletins) >= 2
    assert validate_bulletins(bulletins, clinic, today=TODAY) == []
    for bulletin in bulletins:
        assert bulletin.why_not_sendable(TODAY) is None
        assert all(s.url.startswith("https://") for s in bulletin.sources)
        text = render_bulletin(bulletin, clinic)
        assert "{" not in text and bulletin.reviewed_by in text and bulletin.sources[0].url in text


def test_a_valid_bulletin_has_no_defects(content_dir, clinic) -> None:
    assert defects_of(content_dir, clinic, bulletin_yaml("flu")) == []


def test_each_defect_is_reported_with_its_line(content_dir, clinic) -> None:
    assert defects_of(content_dir, clinic, bulletin_yaml("flu", topics="topics: [flu, covid19]")) == [
        "flu.yml:12: unknown topic 'flu' (known: flu_season, covid19, childrens_health, clinic_news)"
    ]
    assert defects_of(content_dir, clinic, bulletin_yaml("flu", sources="sources: []")) == [
        "flu.yml:6: missing source: at least one is required"
    ]
    assert defects_of(content_dir, clinic, bulletin_yaml("flu", reviewed_by="")) == ["flu.yml:1: missing field 'reviewed_by'"]
    assert defects_of(content_dir, clinic, bulletin_yaml("flu", expires="expires: 2026-11-30")) == [
        "flu.yml:14: expires 2026-11-30 is in the past: the bulletin has expired and can no longer be sent"
    ]
    assert sorted(defects_of(content_dir, clinic, bulletin_yaml("flu", expires="expires: 2026-11-01"))) == [
        "flu.yml:14: expires 2026-11-01 is in the past: the bulletin has expired and can no longer be sent",
        "flu.yml:14: expires must come after send_after",
    ]
    assert defects_of(content_dir, clinic, bulletin_yaml("flu", send_after="send_after: 2026-10-01")) == [
        "flu.yml:13: send_after is before reviewed_on: it could go out unreviewed"
    ]
    assert defects_of(content_dir, clinic, bulletin_yaml("flu", status="status: live")) == [
        "flu.yml:3: status 'live' is not one of draft, approved, retired"
    ]
    assert defects_of(content_dir, clinic, bulletin_yaml("flu", body="body: Call {fax}.")) == [
        "flu.yml:4: unknown template field '{fax}' (known: " + ", ".join(
            ["clinic_name", "retention_days", "clinic_phone", "clinic_address", "opening_hours", "emergency_number",
             "crisis_line", "languages", "clinic_website", "clinic_email", "portal_url"]
        ) + ")"
    ]
    assert defects_of(content_dir, clinic, bulletin_yaml("other")) == [
        "flu.yml:1: id 'other' does not match the file name 'flu'"
    ]
    assert defects_of(content_dir, clinic, "id: [") [0].startswith("flu.yml:1: invalid YAML")


def test_only_an_approved_unexpired_bulletin_due_today_may_be_sent(content_dir, clinic) -> None:
    root = content_dir({"bulletin/flu.yml": bulletin_yaml("flu")})
    bulletin = load_bulletins(root)[0][0]
    assert bulletin.why_not_sendable(TODAY) is None
    assert bulletin.why_not_sendable(date(2026, 11, 1)) == "not to be sent before its send_after date"
    assert bulletin.why_not_sendable(date(2027, 3, 2)) == "expired"
    draft = content_dir({"bulletin/flu.yml": bulletin_yaml("flu", status="status: draft")})
    assert load_bulletins(draft)[0][0].why_not_sendable(TODAY) == "not approved (status draft)"


def test_cli_validate_covers_bulletins(content_dir, capsys) -> None:
    root = content_dir({"bulletin/flu.yml": bulletin_yaml("flu", topics="topics: [nope]")})
    assert main(["content", "validate", "--content-dir", str(root), "--today", "2026-12-04"]) == 1
    assert "flu.yml:12: unknown topic 'nope'" in capsys.readouterr().err
    good = content_dir({"bulletin/flu.yml": bulletin_yaml("flu")})
    assert main(["content", "validate", "--content-dir", str(good), "--today", "2026-12-04"]) == 0
    assert "1 bulletins" in capsys.readouterr().out


def test_bulletins_are_not_faqs(tmp_path: Path) -> None:
    """The FAQ loader never sees the bulletin folder (they are not trained on or served as answers)."""
    from bot.content.loader import content_files

    assert not any("bulletin" in str(path) for path, _kind in content_files(CONTENT_DIR))
