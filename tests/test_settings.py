"""The settings table: one row per setting, values from flag, environment or default."""

import dataclasses

import pytest

from nkd.errors import SettingError
from nkd.settings import SPECS, Settings, load_settings


def test_every_row_is_a_field_and_every_field_a_row():
    assert [spec.name for spec in SPECS] == [f.name for f in dataclasses.fields(Settings)]


def test_defaults_come_from_the_settings_class():
    defaults = load_settings(environ={})
    for spec in SPECS:
        assert getattr(defaults, spec.name) == spec.default


@pytest.mark.parametrize("spec", SPECS, ids=[spec.name for spec in SPECS])
def test_each_row_is_consistent(spec):
    # The default is of the row's type and within its bounds, and its text reads back as itself.
    assert type(spec.default) is spec.type
    spec.check(spec.default)
    text = str(spec.default).lower() if spec.type is bool else str(spec.default)
    assert spec.parse(text) == spec.default


@pytest.mark.parametrize("spec", [s for s in SPECS if s.minimum is not None or s.above is not None],
                         ids=lambda spec: spec.name)
def test_the_bounds_of_a_row_are_checked_from_flags_and_environment(spec):
    lowest = spec.minimum if spec.minimum is not None else spec.above
    too_low = spec.type(lowest - 1 if spec.minimum is not None else lowest)
    with pytest.raises(SettingError) as caught:
        load_settings({spec.name: str(too_low)}, environ={})
    assert spec.name in caught.value.message
    with pytest.raises(SettingError):
        load_settings(environ={spec.env: str(too_low)})
    if spec.minimum is not None:
        assert getattr(load_settings({spec.name: str(spec.type(spec.minimum))}, environ={}), spec.name) == spec.minimum


def test_settings_are_hashable_and_compare_by_value():
    # Checked queries are remembered per settings: equal settings must hash alike.
    assert hash(load_settings(environ={})) == hash(Settings())
    assert load_settings({"threads": "3"}, environ={}) == Settings(threads=3)


def test_store_graphs_must_be_absolute_iris():
    with pytest.raises(SettingError) as caught:
        load_settings({"store_graphs": "https://example.org/g relative/g"}, environ={})
    assert "'relative/g' is not an absolute IRI" in caught.value.message
    assert load_settings({"store_graphs": " urn:x:a  https://example.org/b "}, environ={}).store_graphs == \
        "urn:x:a https://example.org/b"


def test_flag_beats_environment_beats_default():
    assert load_settings(environ={"NKD_QUERY_TIMEOUT_S": "5"}).query_timeout_s == 5.0
    assert load_settings({"query_timeout_s": "7"}, environ={"NKD_QUERY_TIMEOUT_S": "5"}).query_timeout_s == 7.0
    assert load_settings({"query_timeout_s": None}, environ={}).query_timeout_s == 30.0


@pytest.mark.parametrize("value, expected", [("true", True), ("0", False), ("off", False), ("YES", True)])
def test_booleans_read_as_people_write_them(value, expected):
    assert load_settings(environ={"NKD_CORS": value}).cors is expected


def test_public_base_gets_its_trailing_slash():
    assert load_settings({"public_base": "https://example.org/kg"}, environ={}).public_base == "https://example.org/kg/"


@pytest.mark.parametrize("overrides, environ, named", [
    ({}, {"NKD_PORT": "eighty"}, "NKD_PORT"),
    ({"workers": "0"}, {}, "workers"),
    ({"public_base": "ftp://x/"}, {}, "--public-base"),
    ({"cors": "maybe"}, {}, "--cors"),
    ({"no_such_setting": "1"}, {}, "no_such_setting"),
])
def test_a_bad_value_names_the_setting_and_where_it_came_from(overrides, environ, named):
    with pytest.raises(SettingError) as caught:
        load_settings(overrides, environ=environ)
    assert named in caught.value.message


def test_the_settings_page_shows_code_as_code_and_is_linked_from_the_landing_page(client):
    page = client.get("/-/settings", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "<td>Interface <code>nkd serve</code> listens on.</td>" in page
    # Each row's values and every flag, as the table says them.
    assert "<td>an integer ≥ 1</td><td><code>--port</code></td>" in page
    assert "<code>--query-timeout-s, --timeout</code>" in page and "<td>a number &gt; 0</td>" in page
    assert "`" not in page
    # A public site's main navigation has no settings; the landing page links them.
    navigation = page.split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]
    assert "/-/settings" not in navigation
    assert 'href="/-/settings"' in client.get("/", headers={"Accept": "text/html"}).get_data(as_text=True)


def test_code_spans_escape_everything_else(app):
    from nkd.web.system import code_spans

    assert str(code_spans("a `<b>` & <i>")) == "a <code>&lt;b&gt;</code> &amp; &lt;i&gt;"
