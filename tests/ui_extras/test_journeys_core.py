"""Journeys (tui.delivery.journeys): loading, test-user ids, and a real run against the sandbox."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

import tui
from tui.delivery.journeys import (
    DEFAULT_ID_PREFIX,
    JourneyError,
    StepResult,
    bundled_journeys_dir,
    journey_directories,
    load_journey,
    load_journeys,
    make_identity,
    materialise,
    run_journey,
    summary_line,
)
from tui.sandbox import Sandbox
from tui.store.settings import AppSettings
from tui.webengage.client import RetryPolicy, WebEngageClient
from tui.webengage.request import Connection

FIRST_PURCHASE = bundled_journeys_dir() / "first-purchase.toml"


def test_first_purchase_ships_in_order() -> None:
    journey = load_journey(FIRST_PURCHASE)
    assert journey.name == "first-purchase"
    kinds = [(s.type, s.event) for s in journey.steps]
    assert kinds == [
        ("page", None),
        ("track", "Product Viewed"),
        ("identify", None),
        ("track", "Signed Up"),
        ("track", "Product Added"),
        ("track", "Order Completed"),
    ]


def test_every_bundled_journey_loads() -> None:
    journeys, errors = load_journeys([bundled_journeys_dir()])
    assert errors == []
    assert {"first-purchase", "returning-login"} <= {j.name for j in journeys}


def test_the_journeys_ship_inside_the_package() -> None:
    package = Path(tui.__file__).resolve().parent
    assert package in bundled_journeys_dir().parents
    shipped = {path.name for path in bundled_journeys_dir().glob("*.toml")}
    assert {"first-purchase.toml", "returning-login.toml"} <= shipped


def test_the_users_journeys_are_listed_and_replace_a_shipped_one_of_the_same_name() -> None:
    settings = AppSettings()
    assert journey_directories(settings) == [settings.journeys_dir, bundled_journeys_dir()]
    settings.journeys_dir.mkdir(parents=True)
    own = 'title = "{title}"\n[[steps]]\ntype = "track"\nevent = "Logged In"\n'
    (settings.journeys_dir / "my-login.toml").write_text(own.format(title="Mine"))
    (settings.journeys_dir / "first-purchase.toml").write_text(own.format(title="My purchase"))
    journeys, errors = load_journeys(journey_directories(settings))
    assert errors == []
    by_name = {j.name: j for j in journeys}
    assert {"my-login", "first-purchase", "returning-login"} <= set(by_name)
    assert by_name["first-purchase"].title == "My purchase"


def test_ids_use_the_prefix_and_differ_per_run() -> None:
    one, two = make_identity(), make_identity()
    assert one.user_id.startswith(DEFAULT_ID_PREFIX)
    assert one.anonymous_id.startswith(DEFAULT_ID_PREFIX)
    assert one.user_id != two.user_id
    custom = make_identity("demo-", run_id="abc")
    assert (custom.user_id, custom.anonymous_id) == ("demo-abc", "demo-anon-abc")


@pytest.mark.parametrize("prefix", ["", "   ", "x" * 200])
def test_unsafe_prefixes_are_refused(prefix: str) -> None:
    with pytest.raises(ValueError, match="prefix"):
        make_identity(prefix)


def test_materialise_shares_anonymous_id_and_adds_user_id_from_sign_up() -> None:
    journey = load_journey(FIRST_PURCHASE)
    identity = make_identity(run_id="r1")
    start = datetime(2026, 6, 6, 18, 29, tzinfo=UTC)
    events = materialise(journey, identity, start=start)
    assert {e["anonymous_id"] for e in events} == {identity.anonymous_id}
    assert [("user_id" in e) for e in events] == [False, False, True, True, True, True]
    assert events[2]["traits"]["email"] == f"{identity.user_id}@example.test"
    assert events[-1]["properties"]["order_id"] == "ORD-r1"
    assert events[-1]["timestamp"] == "2026-06-06T18:29:00Z"
    assert events[0]["timestamp"] == "2026-06-06T18:28:55Z"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("name = [", "not valid TOML"),
        ('name = "x"\n', "steps"),
        ('name = "x"\nsteps = []\n', "no [[steps]]"),
        ('name = "x"\n[[steps]]\ntype = "track"\n', "without an event name"),
        ('name = "x"\n[[steps]]\ntype = "alias"\n', "steps.0.type"),
        ('name = "x"\nsurprise = 1\n[[steps]]\ntype = "page"\n', "surprise"),
    ],
)
def test_bad_journey_files_name_the_file_and_problem(
    tmp_path: Path, text: str, problem: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(JourneyError) as caught:
        load_journey(path)
    assert str(caught.value).startswith(str(path))
    assert problem in str(caught.value)


def test_a_broken_file_does_not_hide_the_good_ones(tmp_path: Path) -> None:
    (tmp_path / "broken.toml").write_text("name = [", encoding="utf-8")
    (tmp_path / "ok.toml").write_text('[[steps]]\ntype = "page"\n', encoding="utf-8")
    journeys, errors = load_journeys([tmp_path, tmp_path / "missing"])
    assert [j.name for j in journeys] == ["ok"]
    assert len(errors) == 1 and "broken.toml" in str(errors[0])


async def test_first_purchase_runs_to_the_end_against_the_sandbox(
    sandbox: Sandbox, sandbox_connection: Connection
) -> None:
    journey = load_journey(FIRST_PURCHASE)
    identity = make_identity(run_id="run1")
    seen: list[StepResult] = []
    async with WebEngageClient(sandbox_connection, retry=RetryPolicy(base_delay_s=0.01)) as client:
        results = await run_journey(
            journey, sandbox_connection, client, identity=identity, on_step=seen.append
        )
    assert [r.status for r in results] == ["accepted"] * 6, summary_line(results)
    assert summary_line(results) == "6/6 steps accepted"
    assert [s.status for s in seen if s.index == 0] == ["running", "accepted"]
    arrived = sandbox.accepted()
    assert [a["endpoint"] for a in arrived] == [
        "events",
        "events",
        "users",
        "events",
        "events",
        "events",
    ]
    bodies = [a["body"] for a in arrived]
    assert bodies[0] == {**bodies[0], "anonymousId": identity.anonymous_id}
    assert "userId" not in bodies[0]
    assert all(b.get("userId") == identity.user_id for b in bodies[2:])
    assert [b.get("eventName") for b in bodies if "eventName" in b] == [
        "Page Viewed",
        "Product Viewed",
        "Signed Up",
        "Added to Cart",
        "Order Completed",
    ]


async def test_a_rejected_step_stops_the_rest(
    sandbox: Sandbox, sandbox_connection: Connection
) -> None:
    wrong = sandbox_connection.model_copy(update={"license_code": "nope"})
    journey = load_journey(FIRST_PURCHASE)
    async with WebEngageClient(wrong, retry=RetryPolicy(base_delay_s=0.01)) as client:
        results = await run_journey(journey, wrong, client)
    assert results[0].status == "failed"
    assert {r.status for r in results[1:]} == {"skipped"}
    assert "step 1 (Anonymous page view) failed" in summary_line(results)
    assert sandbox.accepted() == []
