"""`clean_media`: uploads no row refers to are found and, on request, removed; referenced
and young files are never touched."""

from __future__ import annotations

import os
import time
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from huying.accounts.models import User
from huying.workorders import actions
from huying.workorders.choices import Channel
from huying.workorders.tests.conftest import order_data

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _age(path: Path, hours: float) -> None:
    past = time.time() - hours * 3600
    os.utime(path, (past, past))


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def test_orphans_are_reported_then_removed(media: Path, tree: Any, admin: User) -> None:
    tree.district_gov.division_code = "440103"
    tree.district_gov.save(update_fields=["division_code"])
    upload = actions.UploadedAttachment(name="photo.png", file=ContentFile(PNG, name="photo.png"))
    order = actions.do_intake(admin, order_data(district="440103"), Channel.HOTLINE, files=[upload]).order
    kept = media / order.attachments.get().file.name
    orphan = media / "workorders" / "2026" / "01" / "lost.png"
    young = media / "workorders" / "2026" / "01" / "in-flight.png"
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(PNG)
    young.write_bytes(PNG)
    _age(orphan, 48)
    _age(kept, 48)

    out = StringIO()
    call_command("clean_media", stdout=out)
    assert "orphan workorders/2026/01/lost.png" in out.getvalue()
    assert "1 orphan files found" in out.getvalue()
    assert orphan.exists() and kept.exists() and young.exists()

    call_command("clean_media", "--delete", stdout=StringIO())
    assert not orphan.exists()
    assert kept.exists() and young.exists()


def test_negative_age_is_refused(media: Path) -> None:
    with pytest.raises(CommandError, match="--min-age"):
        call_command("clean_media", "--min-age", "-1")
