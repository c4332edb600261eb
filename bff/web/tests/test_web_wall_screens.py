"""The wall screen with a revocable screen link instead of a login: an agent creates a link for the
screen in reception, the screen (no login) shows the board, and once revoked it shows it no more."""

from __future__ import annotations

import re

from conftest import Platform, csrf_of, login, page
from flask import Flask

PNR_BENGT = "198501032380"  # a test number of Skatteverket's


def test_a_screen_link_shows_the_board_until_it_is_revoked(app: Flask, platform: Platform) -> None:
    platform.identity.give_roles(PNR_BENGT, "Bengt Vägledare", ["contact_agent"], answer_group="BBMT")
    bengt, screen = app.test_client(), app.test_client()
    login(bengt, PNR_BENGT)
    listed = page(bengt, "/personal/tavla/skarmar")
    created = bengt.post("/personal/tavla/skarmar", data={"csrf_token": csrf_of(listed), "name": "Entrén"})
    html = created.get_data(as_text=True)
    assert created.status_code == 200 and "Den visas bara nu." in html
    link = re.search(r"data-screen-link>([^<]+)<", html).group(1)
    path = link.split("localhost", 1)[1]
    assert path.startswith("/tavla/")

    shown = screen.get(path)
    assert shown.status_code == 200 and "Kontaktcenter just nu" in shown.get_data(as_text=True)
    stream = screen.get(path + "/strom", buffered=False)
    assert stream.status_code == 200 and stream.mimetype == "text/event-stream"
    stream.close()
    assert link not in page(bengt, "/personal/tavla/skarmar")  # the link is shown once

    screen_id = re.search(
        r"/personal/tavla/skarmar/([0-9a-f-]{36})/aterkalla", page(bengt, "/personal/tavla/skarmar")
    ).group(1)
    revoked = bengt.post(
        f"/personal/tavla/skarmar/{screen_id}/aterkalla",
        data={"csrf_token": csrf_of(page(bengt, "/personal/tavla/skarmar"))},
    )
    assert revoked.status_code == 302
    assert screen.get(path).status_code == 403
    assert screen.get(path + "/strom").status_code == 403
    assert screen.get("/tavla/gissad-nyckel").status_code == 403
