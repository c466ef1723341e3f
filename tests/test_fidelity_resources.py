"""A path under /v1/accounts/<license>/ that names no resource: WebEngage's 400, and the hint for it.

Source: WebEngage's REST API docs as quoted in /work/shared/webengage-api.md: the four resources
are `events`, `users`, `bulk-events`, `bulk-users` under `/v1/accounts/<license>/` ("Endpoints");
"400: invalid parameters" and error bodies `{"response": {"status": "error", "message": "..."}}`
("Responses"); 404 is a wrong data-centre host or license code.
"""

from __future__ import annotations

import httpx
import pytest

from tests.test_sandbox import GLOBAL_HOST, message, post
from tui.sandbox import DEMO_API_KEY, DEMO_LICENSE_CODE, Sandbox
from tui.webengage.api import Endpoint
from tui.webengage.classify import classify_response
from tui.webengage.client import WebEngageClient
from tui.webengage.outcomes import Outcome
from tui.webengage.request import Connection, build_request

EVENT = {"userId": "u-1", "eventName": "Order Completed"}


@pytest.mark.parametrize("resource", ["event", "user", "bulk-event", "Events", "we_events"])
def test_an_unknown_resource_is_a_400_with_webengages_error_body(
    sandbox: Sandbox, resource: str
) -> None:
    response = post(sandbox, EVENT, endpoint=resource)
    assert response.status_code == 400
    body = response.json()
    assert body["response"]["status"] == "error" and set(body) == {"response"}
    said = message(response)
    assert said.startswith("Invalid resource/parameters")
    assert f"'{resource}'" in said and "events, users, bulk-events, bulk-users" in said
    assert sandbox.accepted() == []
    outcome, kept = classify_response(400, response.text)
    assert (outcome, kept) == (Outcome.BAD_REQUEST, said)  # even for a we_ path: not a name


def test_404_stays_for_a_wrong_url_or_license_and_401_for_a_wrong_key(sandbox: Sandbox) -> None:
    auth = {"Authorization": f"Bearer {DEMO_API_KEY}", "Host": GLOBAL_HOST}
    for path in (
        f"/v1/accounts/{DEMO_LICENSE_CODE}/events/extra",
        f"/v1/account/{DEMO_LICENSE_CODE}/events",
        f"/v2/accounts/{DEMO_LICENSE_CODE}/events",
        f"/v1/accounts/{DEMO_LICENSE_CODE}",
    ):
        assert httpx.post(sandbox.url + path, json=EVENT, headers=auth).status_code == 404, path
    # The license code and the key are checked before the resource.
    assert post(sandbox, EVENT, endpoint="event", license_code="nope~1").status_code == 404
    assert post(sandbox, EVENT, endpoint="event", key="wrong-key-0123456789").status_code == 401
    assert post(sandbox, EVENT, endpoint="event", key=None).status_code == 401


async def test_the_client_says_the_path_is_not_a_resource(
    sandbox: Sandbox, sandbox_connection: Connection
) -> None:
    """Delivered to `/event` (a hand-edited URL, a proxy's rewrite): bad_request, and the hint names
    the four resources instead of only "check the license code and the body"."""
    request = build_request(sandbox_connection, Endpoint.EVENTS, EVENT)
    wrong = request.model_copy(update={"url": request.url.removesuffix("/events") + "/event"})
    async with WebEngageClient(sandbox_connection) as client:
        entry = await client.deliver(wrong)
    assert (entry.outcome, entry.status) == (Outcome.BAD_REQUEST, 400)
    assert entry.hint is not None
    assert "not a WebEngage resource" in entry.hint.detail
    assert "events, users, bulk-events, bulk-users" in entry.hint.detail
    assert "Invalid resource/parameters" in entry.hint.detail  # WebEngage's own words, quoted
    assert f"/v1/accounts/{sandbox_connection.license_code}/events" in entry.hint.fix
    assert sandbox.accepted() == []
