"""`survey serve --demo` data: campaigns, personal links and a staff log-in that work."""

from __future__ import annotations

import re

from survey.demo import create_demo_data


def test_demo_data_links_work_and_are_made_once(app, client):
    with app.app_context():
        links = dict(create_demo_data("http://localhost:5000"))
        assert create_demo_data("http://localhost:5000") == []  # not twice
    for label, link in links.items():
        path = re.search(r"http://localhost:5000(/\S*)", link).group(1)
        assert client.get(path).status_code == 200, label
    password = re.search(r"hr@demo\.kommune\.no / (\S+)\)", links["staff log-in"]).group(1)
    page = client.get("/logg-inn").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/logg-inn",
        data={"csrf_token": token, "email": "hr@demo.kommune.no", "password": password},
    )
    assert response.status_code == 302
    assert client.get("/admin/brukere").status_code == 200
