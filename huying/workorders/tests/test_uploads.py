"""Uploads of work orders are only reachable through the permission-checked view, get
unguessable names, and one request never stores more than the per-request limits
(docs/operations.md "Uploaded files"). alice: a member · charlie: unit staff without an
assignment · dora: public · the dispatcher and the administrator see the district's orders."""

from __future__ import annotations

import base64
import importlib
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import clear_url_caches

from conftest import Tree
from huying.accounts.models import User
from huying.handling import actions as engine
from huying.open311.tests.helpers import post_data
from huying.workorders import actions
from huying.workorders.choices import Channel
from huying.workorders.models import Attachment, WorkOrder
from huying.workorders.tests.conftest import URL, build_shared_unit_staff, order_data

pytestmark = pytest.mark.django_db

# The dispatcher and the street handler are built once per module with the tree and people
# (SHARED_PEOPLE_MODULES, root conftest.py).
build_shared_data = build_shared_unit_staff

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
MB = 1024 * 1024


def png(name: str = "现场.png", size: int = 0) -> actions.UploadedAttachment:
    raw = PNG + b"\x00" * max(0, size - len(PNG))
    return actions.UploadedAttachment(name, ContentFile(raw, name=name))


def stored_files(settings: Any) -> list[Path]:
    media = Path(settings.MEDIA_ROOT)
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


@pytest.fixture
def order(tree: Tree, dispatcher: User) -> WorkOrder:
    return actions.do_intake(dispatcher, order_data(), Channel.HOTLINE, files=[png(), png("b.png")]).order


def test_attachments_are_served_only_to_those_who_see_the_order(
    client: Client, order: WorkOrder, dispatcher: User, admin: User, alice: User, charlie: User, dora: User
) -> None:
    urls = [f"/workorders/attachments/{a.pk}/" for a in order.attachments.all()]
    assert len(urls) == 2
    for url in urls:
        client.logout()
        assert client.get(url).status_code == 404
        for outsider in (alice, charlie, dora):
            client.force_login(outsider)
            assert client.get(url).status_code == 404
        for reader in (dispatcher, admin):
            client.force_login(reader)
            response = client.get(url)
            assert response.status_code == 200
            assert b"".join(response.streaming_content) == PNG
            assert response["Content-Type"] == "image/png"
            assert response["X-Content-Type-Options"] == "nosniff"
            assert response["Content-Disposition"].startswith("inline;")
            assert response["Cache-Control"].startswith("private")


def test_an_unknown_stored_type_is_sent_as_a_download(client: Client, order: WorkOrder, dispatcher: User) -> None:
    attachment = order.attachments.first()
    assert attachment is not None
    # An old row whose recorded type a browser would render: never inline, never as HTML.
    Attachment.objects.filter(pk=attachment.pk).update(original_name="x.html")
    Attachment.objects.filter(pk=attachment.pk).update(content_type="application/pdf")
    client.force_login(dispatcher)
    response = client.get(f"/workorders/attachments/{attachment.pk}/")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")


def test_stored_names_are_random_and_say_nothing_of_the_order(order: WorkOrder) -> None:
    names = [a.file.name for a in order.attachments.all()]
    assert len(set(names)) == 2
    for name in names:
        assert re.fullmatch(r"workorders/\d{4}/\d{2}/[A-Za-z0-9_-]{32}\.png", name), name
        assert order.number not in name and f"-{order.pk}." not in name


def test_media_url_is_not_served_even_with_debug(client: Client, order: WorkOrder, settings: Any) -> None:
    import huying.urls

    name = order.attachments.first().file.name  # type: ignore[union-attr]
    assert (Path(settings.MEDIA_ROOT) / name).is_file()
    settings.DEBUG = True
    try:
        importlib.reload(huying.urls)  # the URLconf as `make run` builds it
        clear_url_caches()
        assert client.get(f"/media/{name}").status_code == 404
    finally:
        settings.DEBUG = False
        importlib.reload(huying.urls)
        clear_url_caches()


# --- per-request limits ------------------------------------------------------------------
def test_six_files_are_refused_and_nothing_is_stored(tree: Tree, dispatcher: User, settings: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        actions.do_intake(dispatcher, order_data(), Channel.HOTLINE, files=[png(f"{i}.png") for i in range(6)])
    assert [e.code for e in caught.value.error_dict["attachments"]] == ["too_many"]
    assert not WorkOrder.objects.exists() and not Attachment.objects.exists()
    assert stored_files(settings) == []


def test_twenty_one_megabytes_are_refused_and_nothing_is_stored(tree: Tree, dispatcher: User, settings: Any) -> None:
    files = [png("a.png", 7 * MB), png("b.png", 7 * MB), png("c.png", 7 * MB)]
    with pytest.raises(ValidationError) as caught:
        actions.do_intake(dispatcher, order_data(), Channel.HOTLINE, files=files)
    assert [e.code for e in caught.value.error_dict["attachments"]] == ["too_large"]
    assert not WorkOrder.objects.exists() and stored_files(settings) == []
    # Five files within the limits are taken.
    order = actions.do_intake(dispatcher, order_data(), Channel.HOTLINE, files=[png(f"{i}.png") for i in range(5)])
    assert order.order.attachments.count() == 5


def test_the_hotline_api_answers_422_in_the_error_format(client: Client, tree: Tree, dispatcher_token: str) -> None:
    item = {"filename": "a.png", "content_base64": base64.b64encode(PNG).decode()}
    response = client.post(
        f"{URL}/intake/hotline",
        order_data(attachments=[item] * 6),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {dispatcher_token}",
    )
    assert response.status_code == 422
    body = response.json()
    assert set(body) == {"message", "errors"} and list(body["errors"]) == ["attachments"]
    assert not WorkOrder.objects.exists()


def test_open311_media_over_the_limit_is_refused(client: Client, tree: Tree, api_key: str, settings: Any) -> None:
    media = [SimpleUploadedFile(f"{i}.png", PNG, content_type="image/png") for i in range(6)]
    response = client.post("/open311/v2/requests.json", {**post_data(api_key), "media": media})
    assert response.status_code == 400
    assert response.json()[0]["description"].startswith("media")
    assert not WorkOrder.objects.exists() and stored_files(settings) == []


def test_the_public_form_shows_the_limit_on_the_photos(client: Client, tree: Tree, settings: Any) -> None:
    from huying.workorders.tests.test_public_pages import REPORT, report_form

    photos = [SimpleUploadedFile(f"{i}.png", PNG, content_type="image/png") for i in range(6)]
    response = client.post(REPORT, {**report_form(client), "photos": photos})
    assert response.status_code == 400
    assert "一次最多上传 5 个文件" in response.content.decode()
    assert not WorkOrder.objects.exists() and stored_files(settings) == []


def test_evidence_over_the_limit_is_refused(
    tree: Tree, order: WorkOrder, dispatcher: User, street_handler: User
) -> None:
    lead = actions.do_dispatch(dispatcher, order, tree.street)[0]
    engine.do_accept(street_handler, lead)
    lead.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        actions.do_resolve(street_handler, lead, result="已清理", files=[png(f"{i}.png") for i in range(6)])
    assert "photos" in caught.value.message_dict
    assert order.attachments.count() == 2


@pytest.fixture
def api_key(dispatcher: User) -> str:
    from huying.accounts.actions import do_create_api_token

    return do_create_api_token(dispatcher, dispatcher, "open311 test")[1]


def test_an_oversized_body_is_refused_before_it_is_read(client: Client, tree: Tree, dispatcher_token: str) -> None:
    too_big = str(21 * MB + 2 * MB + 1)  # the files' limit plus the room for the form
    response = client.post(
        f"{URL}/intake/hotline",
        {},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {dispatcher_token}",
        CONTENT_LENGTH=too_big,
    )
    assert response.status_code == 413
    assert list(response.json()["errors"]) == ["attachments"]
    page = client.post("/workorders/report/", {}, CONTENT_LENGTH=too_big)
    assert page.status_code == 413
    assert not WorkOrder.objects.exists()
