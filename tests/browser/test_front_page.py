"""The service's front page, as a visitor's browser shows it."""


def test_front_page_points_at_the_api_and_loads_cleanly(live_server, page, screenshots):
    response = page.goto(live_server.url + "/")
    assert response.status == 200
    assert page.locator("h1").inner_text() == "commentsvc is running"
    page.get_by_role("link", name="OpenAPI document").click()
    assert '"openapi": "3.1' in page.content() or '"openapi":"3.1' in page.content()
    page.go_back()
    page.screenshot(path=screenshots / "front-page.png", full_page=True)
    assert page.problems == []
