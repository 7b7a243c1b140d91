"""The launched app answers through gradio_client and keeps tracebacks and server paths off the page."""


def test_client_connects_and_lists_endpoints(client):
    info = client.view_api(print_info=False, return_format="dict")
    assert "named_endpoints" in info


def test_page_served_without_server_paths(live_app):
    import urllib.request

    html = urllib.request.urlopen(live_app.url, timeout=30).read().decode()
    assert "Fine-Tuning Studio" in html
    assert str(live_app.root) not in html
