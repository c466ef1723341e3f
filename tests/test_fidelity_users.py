"""Fidelity of the /users body: gender's spellings, the one rules table, hashedEmail / hashedPhone.

Sources: WebEngage's users doc as quoted in /work/shared/webengage-api.md ("User body": `birthDate`
in the eventTime format, `gender` male | female | other, `phone` E.164, `company`, `hashedEmail`,
`hashedPhone`, the opt-ins, `attributes`), and RudderStack's open-source WebEngage destination
(rudderlabs/rudder-transformer, src/v0/destinations/webengage/data/WEBENGAGEIdentifyConfig.json:
its gender multikeyMap, and hashedEmail / hashedPhone as top-level /users fields).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.test_sandbox import message, post
from tui.live.checks import body_findings
from tui.mapping.mapper import Mapped
from tui.mapping.preview import preview_event
from tui.mapping.validation import validate
from tui.sandbox import Sandbox
from tui.webengage.api import Endpoint
from tui.webengage.findings import Finding, Severity
from tui.webengage.request import Connection
from tui.webengage.user_rules import USER_RULES

# RudderStack's WEBENGAGEIdentifyConfig.json, gender's multikeyMap, value for value.
RUDDERSTACK_GENDERS = {
    **dict.fromkeys(["f", "F", "Female", "female", "FEMALE"], "female"),
    **dict.fromkeys(["m", "M", "Male", "male", "MALE"], "male"),
    **dict.fromkeys(["o", "O", "Other", "other", "OTHER", "Others", "OTHERS"], "other"),
}


def identify(**traits: Any) -> dict[str, Any]:
    return {"type": "identify", "user_id": "u-1", "traits": traits}


@pytest.mark.parametrize(("given", "sent"), sorted(RUDDERSTACK_GENDERS.items()))
def test_gender_is_normalised_as_rudderstack_does(
    sandbox_connection: Connection, given: str, sent: str
) -> None:
    """Every spelling in RudderStack's WebEngage gender map becomes its value, with no warning."""
    preview = preview_event(identify(gender=given), sandbox_connection)
    assert preview.request.body["gender"] == sent
    assert "invalid-gender" not in [f.code for f in preview.findings]


def test_a_gender_outside_the_map_warns_and_is_accepted(
    sandbox: Sandbox, sandbox_connection: Connection
) -> None:
    """WebEngage documents male | female | other, not a rejection: sent as is, with a warning."""
    preview = preview_event(identify(gender="unknown"), sandbox_connection)
    [warning] = [f for f in preview.findings if f.code == "invalid-gender"]
    assert warning.severity is Severity.WARNING and warning.path == "$.traits.gender"
    assert post(sandbox, preview.request.body, endpoint="users").status_code == 200


# One sample value of each JSON type, and the strings the rules care about.
SAMPLES: list[Any] = [
    "text",
    "",
    "1990-05-17",
    "1990-05-17T00:00:00+0000",
    "2026-13-40T99:00:00+0000",
    "male",
    "Male",
    "+551155256325",
    "98123 45678",
    42,
    1.5,
    True,
    [],
    ["a"],
    {},
    {"name": "Example Perfumery"},
]
FIELDS = [field for field in USER_RULES if field not in ("userId", "anonymousId")]


def _rule_findings(body: dict[str, Any]) -> list[Finding]:
    found = validate(Mapped(endpoint=Endpoint.USERS, event_name="identify", body=body))
    return [f for f in found if f.code.startswith("invalid-")]


@pytest.mark.parametrize("field", FIELDS)
def test_preview_errors_exactly_where_the_sandbox_answers_400(sandbox: Sandbox, field: str) -> None:
    """For every /users field and value: an error in the preview's validation exactly when the
    sandbox answers 400, and the sandbox's message is the preview's (WebEngage's users doc
    gives each field's type; `tui.webengage.user_rules` is the one table both apply)."""
    for value in SAMPLES:
        body = {"userId": "u-1", field: value}
        errors = [f for f in _rule_findings(body) if f.severity is Severity.ERROR]
        response = post(sandbox, body, endpoint="users")
        assert (response.status_code == 400) == bool(errors), (field, value, response.text)
        if errors:
            assert message(response) == f"Invalid request: {errors[0].message}."
            assert errors[0].path == f"$.{field}"


@pytest.mark.parametrize(
    ("traits", "field", "said"),
    [
        ({"birthday": "01/02/1990"}, "birthDate", "birthDate must be a date like"),
        (
            {"company": {"name": "Example Perfumery"}},
            "company",
            "company must be a string, not an object",
        ),
        ({"email_opt_in": "yes"}, "emailOptIn", 'emailOptIn must be true or false, not "yes"'),
        ({"smsOptIn": 1}, "smsOptIn", "smsOptIn must be true or false, not a number"),
        ({"first_name": ["A"]}, "firstName", "firstName must be a string, not an array"),
        ({"hashed_email": 5}, "hashedEmail", "hashedEmail must be a string, not a number"),
    ],
)
def test_identify_that_the_sandbox_refuses_is_an_error_in_the_preview(
    sandbox: Sandbox,
    sandbox_connection: Connection,
    traits: dict[str, Any],
    field: str,
    said: str,
) -> None:
    """Issue 12: an unparseable birthDate, company as an object, emailOptIn "yes" were warnings
    (exit 0) while the sandbox answered 400; now they are errors, in the sandbox's words."""
    preview = preview_event(identify(**traits), sandbox_connection)
    [error] = [f for f in preview.findings if f.code == f"invalid-{field.lower()}"]
    assert error.severity is Severity.ERROR and preview.has_errors
    assert error.path == f"$.traits.{next(iter(traits))}"
    assert said in error.message
    response = post(sandbox, preview.request.body, endpoint="users")
    assert response.status_code == 400
    assert message(response) == f"Invalid request: {error.message}."


def test_iso_birthday_is_rewritten_and_accepted(
    sandbox: Sandbox, sandbox_connection: Connection
) -> None:
    preview = preview_event(identify(birthday="1990-05-17", gender="Others"), sandbox_connection)
    assert preview.request.body["birthDate"] == "1990-05-17T00:00:00+0000"
    assert not preview.has_errors
    assert post(sandbox, preview.request.body, endpoint="users").status_code == 200


@pytest.mark.parametrize(
    ("trait", "field"),
    [
        ("hashedEmail", "hashedEmail"),
        ("hashed_email", "hashedEmail"),
        ("hashedPhone", "hashedPhone"),
        ("hashed_phone", "hashedPhone"),
    ],
)
def test_hashed_ids_are_top_level_user_fields(
    sandbox: Sandbox, sandbox_connection: Connection, trait: str, field: str
) -> None:
    """WebEngage's users and bulk-users docs list hashedEmail and hashedPhone among the /users
    fields (webengage-api.md, "User body"); RudderStack's destination sends them at the top level
    (WEBENGAGEIdentifyConfig.json: destKey hashedEmail / hashedPhone)."""
    digest = "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"
    preview = preview_event(identify(**{trait: digest, "plan": "gold"}), sandbox_connection)
    body = preview.request.body
    assert body[field] == digest and "attributes" in body
    assert trait not in body["attributes"] and field not in body["attributes"]
    assert preview.findings == []
    assert post(sandbox, body, endpoint="users").status_code == 200
    assert sandbox.accepted()[-1]["body"][field] == digest
    bulk = httpx.post(
        f"{sandbox.url}/v1/accounts/{sandbox_connection.license_code}/bulk-users",
        json={"users": [body]},
        headers={"Authorization": f"Bearer {sandbox_connection.api_key.get_secret_value()}"},
    )
    assert bulk.status_code == 200
    assert sandbox.accepted()[-1]["body"]["users"][0][field] == digest


def test_a_body_sent_as_is_is_checked_as_it_is(sandbox: Sandbox) -> None:
    """The relay's checks (`body_findings`) see the body WebEngage gets: "F" and "1990-05-17" are
    not normalised there, so they are a warning and an error, once each, as the sandbox has it."""
    body = {"userId": "u-1", "gender": "F", "birthDate": "1990-05-17", "emailOptIn": True}
    found = {f.code: f for f in body_findings(Endpoint.USERS, body)}
    assert sorted(found) == ["invalid-birthdate", "invalid-gender"]
    assert found["invalid-gender"].severity is Severity.WARNING
    error = found["invalid-birthdate"]
    assert error.severity is Severity.ERROR and error.path == "$.birthDate"
    assert "yyyy-MM-ddTHH:mm:ss+0000" in error.fix
    response = post(sandbox, body, endpoint="users")
    assert response.status_code == 400
    assert message(response) == f"Invalid request: {error.message}."
    bulk = body_findings(Endpoint.BULK_USERS, {"users": [{"userId": "v"}, body]})
    assert [(f.code, f.path) for f in bulk if f.severity is Severity.ERROR] == [
        ("invalid-birthdate", "$.users[1].birthDate")
    ]
