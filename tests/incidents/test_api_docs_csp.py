"""The API docs page works under our strict Content-Security-Policy."""

import pytest


@pytest.mark.django_db
def test_api_docs_have_no_inline_style_or_script(client, personas):
    client.force_login(personas.manager)
    response = client.get("/api/docs/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<style" not in body
    assert "<script>" not in body
    assert "/static/css/api-docs.css" in body
    assert "style-src 'self'" in response["Content-Security-Policy"]
