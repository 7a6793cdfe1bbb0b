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
    assert "`" not in page
    # A public site's main navigation has no settings; the landing page links them.
    navigation = page.split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]
    assert "/-/settings" not in navigation
    assert 'href="/-/settings"' in client.get("/", headers={"Accept": "text/html"}).get_data(as_text=True)


def test_code_spans_escape_everything_else(app):
    from nkd.web.system import code_spans

    assert str(code_spans("a `<b>` & <i>")) == "a <code>&lt;b&gt;</code> &amp; &lt;i&gt;"
