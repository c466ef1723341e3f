"""Blueprints: the Default one reproduces the integration spec's table; user files load or fail clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.mapping.blueprint import (
    Blueprint,
    BlueprintError,
    blueprint_from_toml,
    default_blueprint,
    default_blueprint_text,
    load_blueprint,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "blueprints"

# The integration spec's "Event Mapping" table, row by row (seeds/webengage-integration.txt).
SPEC_TABLE = [
    ("page", "Page Viewed"),
    ("Signed Up", "Signed Up"),
    ("Logged In", "Logged In"),
    ("Products Searched", "Searched"),
    ("Product Viewed", "Product Viewed"),
    ("Product Added", "Added to Cart"),
    ("Product Removed", "Removed from Cart"),
    ("Checkout Started", "Checkout Started"),
    ("Order Completed", "Order Completed"),
    ("Order Refunded", "Order Refunded"),
]


def test_default_blueprint_reproduces_the_spec_table_exactly() -> None:
    blueprint = default_blueprint()
    rows = [("page", blueprint.page_event_name), *blueprint.event_names.items()]
    assert rows == SPEC_TABLE
    assert blueprint.signal_events() == [signal for signal, _ in SPEC_TABLE]


def test_default_blueprint_renames_and_steps() -> None:
    blueprint = default_blueprint()
    assert blueprint.name == "Default" and blueprint.source == "built-in"
    assert blueprint.property_renames == {"order_id": "orderId", "revenue": "amount"}
    assert (blueprint.flatten_separator, blueprint.rewrite_dates, blueprint.drop_nulls) == (
        "_",
        True,
        True,
    )


def test_default_blueprint_user_fields_follow_the_spec() -> None:
    fields = default_blueprint().user_fields
    assert fields["first_name"] == fields["firstName"] == "firstName"
    assert fields["last_name"] == fields["lastName"] == "lastName"
    assert fields["birthday"] == fields["birth_date"] == fields["birthDate"] == "birthDate"
    for flag in ("emailOptIn", "smsOptIn", "whatsappOptIn", "rcsOptIn"):
        snake = flag.replace("OptIn", "_opt_in")
        assert fields[flag] == fields[snake] == flag
    for same in ("email", "phone", "gender", "company"):
        assert fields[same] == same


def test_event_name_lookup() -> None:
    blueprint = default_blueprint()
    assert blueprint.webengage_event_name("page", None) == ("Page Viewed", True)
    assert blueprint.webengage_event_name("track", "Product Added") == ("Added to Cart", True)
    assert blueprint.webengage_event_name("track", "Wishlist Shared") == ("Wishlist Shared", False)


def test_a_copy_of_the_default_file_loads_the_same(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(default_blueprint_text())
    loaded = load_blueprint(path)
    assert loaded.source == str(path)
    assert loaded.model_copy(update={"source": "built-in"}) == default_blueprint()


def test_custom_blueprint_loads() -> None:
    blueprint = load_blueprint(FIXTURES / "custom.toml")
    assert blueprint.name == "Shop (custom)"
    assert blueprint.page_event_name == "Page Visited"
    assert blueprint.event_names["Wishlist Shared"] == "Wishlist Shared"
    assert blueprint.property_renames["product_id"] == "productId"


def test_malformed_blueprint_names_file_and_position() -> None:
    path = FIXTURES / "malformed.toml"
    with pytest.raises(BlueprintError) as caught:
        load_blueprint(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: not valid TOML")
    assert "line 5" in message


def test_unknown_key_is_named() -> None:
    with pytest.raises(BlueprintError, match="unknown key 'event_name'"):
        load_blueprint(FIXTURES / "unknown-key.toml")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "missing key 'name'"),
        ('name = "x"\n[event_names]\nA = 3', "event_names.A"),
        ('name = "x"\n[event_names]\nA = " "', "maps to an empty name"),
        ('name = "x"\n[user_fields]\nmail = "eMail"', "not a /users field"),
        ('name = "x"\nrewrite_dates = "yes"', "rewrite_dates"),
        ('name = "x"\nsource = "y"', "unknown key 'source'"),
        ('name = "  "', "name: must not be empty"),
    ],
)
def test_bad_blueprints_say_what_is_wrong(text: str, problem: str) -> None:
    with pytest.raises(BlueprintError) as caught:
        blueprint_from_toml(text, "bp.toml")
    assert str(caught.value).startswith("bp.toml: ")
    assert problem in str(caught.value)


def test_unreadable_blueprint_files(tmp_path: Path) -> None:
    with pytest.raises(BlueprintError, match="no such file"):
        load_blueprint(tmp_path / "none.toml")
    with pytest.raises(BlueprintError, match="is a directory"):
        load_blueprint(tmp_path)
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(BlueprintError, match="not UTF-8"):
        load_blueprint(binary)


def test_blueprint_is_frozen() -> None:
    assert Blueprint.model_config.get("frozen") is True


@pytest.mark.parametrize(
    "nested", ["x = " + "[" * 10_000 + "]" * 10_000, "x = " + "{a = " * 10_000 + "1" + "}" * 10_000]
)
def test_a_blueprint_nested_absurdly_deep_is_a_blueprint_error(nested: str) -> None:
    with pytest.raises(BlueprintError) as caught:
        blueprint_from_toml(f'name = "x"\n{nested}\n', "deep.toml")
    assert str(caught.value) == "deep.toml: nested too deeply to read (not a blueprint)"


def test_a_blueprint_is_read_with_a_limit() -> None:
    with pytest.raises(BlueprintError) as caught:
        load_blueprint(Path("/dev/zero"))
    assert str(caught.value) == "/dev/zero: is larger than 4 MiB: too large for a blueprint"
