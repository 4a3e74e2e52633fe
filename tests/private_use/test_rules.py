"""The private-use rules file: what the shipped rules find, and a broken file's errors naming file,
line and field (from the pure module, and from the configuration at the start)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger.config import ConfigError, from_environment
from ledger.private_use.rules import DEFAULT_RULES, RulesError, load_rules, parse_rules


@pytest.fixture(scope="module")
def shipped():
    return load_rules()


@pytest.mark.parametrize(("text", "name"), [
    ("Samtal till 0939-10 20 30", "premium_rate_0939"),
    ("Samtal 0939102030", "premium_rate_0939"),
    ("Samtal till +46 939 10 20 30", "premium_rate_0939"),
    ("Samtal 0046939102030", "premium_rate_0939"),
    ("Samtal till 0900-123 45 67", "premium_rate_0900"),
    ("Röstbrevlåda 0944-55 00 00", "premium_rate_0944"),
    ("Betalsamtal, röstbrevlåda", "premium_rate_text"),
    ("BETAL-SMS 72550", "third_party_content"),
    ("INNEHÅLLSTJÄNST, SPEL", "third_party_content"),  # Swedish capitals, whatever the database
    ("Tredjepartstjänster mars", "third_party_content"),
])
def test_the_shipped_rules_find_premium_rate_numbers_and_third_party_content(shipped, text, name) -> None:
    found = shipped.match(text, None, None)
    assert found is not None and found.name == name


@pytest.mark.parametrize("text", ["Samtal inom Sverige", "Abonnemang Obegränsad", "Samtal till 070-093 91 23",
                                  "Samtal till 0709391234", "Mobilt bredband 100 GB", ""])
def test_ordinary_lines_are_no_indicator(shipped, text) -> None:
    assert shipped.match(text, "MOB-SAMTAL", "Samtal") is None


def test_item_codes_and_charge_types_match_whole_and_in_any_case(shipped) -> None:
    assert shipped.match(None, "tp-sms", None).kind == "operator_charge"
    assert shipped.match(None, None, "Tredjepart").kind == "operator_charge"
    assert shipped.match(None, "TP-SMS-2", None) is None  # a code is matched whole
    assert shipped.match(None, "0939", None).name == "premium_rate_0939"  # a prefix as an item code


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = '''# comment
[[indicator]]
name = "kiosk"
kind = "third_party_content"
words = ["kiosk"]

[[indicator]]
name = "lotto"
kind = "premium_rate"
fields = ["item_code"]
codes = ["LOTTO"]
'''


@pytest.mark.parametrize(("change", "line", "field", "says"), [
    (('kind = "premium_rate"', 'kind = "premium"'), 9, "kind", "'premium' is not a kind of indicator"),
    (('fields = ["item_code"]', 'fields = ["number"]'), 10, "fields", "'number' is not a field a rule can match"),
    (('words = ["kiosk"]', 'wrods = ["kiosk"]'), 5, "wrods", "not a field of an indicator"),
    (('name = "lotto"', 'name = "kiosk"'), 7, "name", "'kiosk' is also the name of the indicator on line 2"),
    (('name = "lotto"\n', ''), 7, "name", "every indicator needs one"),
    (('codes = ["LOTTO"]', 'codes = "LOTTO"'), 11, "codes", "must be a list of texts"),
    (('codes = ["LOTTO"]', 'prefixes = ["939"]'), 11, "prefixes", "'939' is not a number prefix"),
    (('codes = ["LOTTO"]', 'pattern = "lotto("'), 11, "pattern", "not a regular expression"),
    (('codes = ["LOTTO"]\n', ''), 7, None, "says nothing to match"),
    (('[[indicator]]\nname = "kiosk"', '[[indicators]]\nname = "kiosk"'), 2, "indicators", "not known here"),
    (('kind = "premium_rate"', 'kind = premium_rate'), 9, None, "not TOML (Invalid value)"),
])
def test_a_mistake_is_named_by_file_line_and_field(tmp_path, change, line, field, says) -> None:
    assert parse_rules(GOOD, "good.toml").indicators[1].codes == {"lotto"}
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(RulesError) as raised:
        load_rules(path)
    message = raised.value.message
    assert message.startswith(f"{path}, line {line}")
    assert (f"field {field}:" in message) == (field is not None)
    assert says in message
    assert raised.value.params["file"] == str(path) and raised.value.params["line"] == line


def test_a_missing_or_empty_file_is_refused(tmp_path) -> None:
    with pytest.raises(RulesError, match="cannot be read"):
        load_rules(tmp_path / "nowhere.toml")
    with pytest.raises(RulesError, match=r"empty\.toml, line 1: the file holds no \[\[indicator\]\]"):
        load_rules(write(tmp_path, "# nothing\n").rename(tmp_path / "empty.toml"))


def test_the_start_stops_on_a_broken_rules_file_naming_it(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    broken = write(tmp_path, GOOD.replace('kind = "premium_rate"', 'kind = "premium"'))
    monkeypatch.setenv("LEDGER_PRIVATE_USE_RULES", str(broken))
    with pytest.raises(ConfigError) as raised:
        from_environment(tmp_path)
    assert str(raised.value).startswith(f"LEDGER_PRIVATE_USE_RULES: {broken}, line 9, field kind:")
    monkeypatch.setenv("LEDGER_PRIVATE_USE_RULES", str(write(tmp_path, GOOD)))
    assert from_environment(tmp_path)["LEDGER_PRIVATE_USE_RULES"] == str(tmp_path / "rules.toml")
    monkeypatch.delenv("LEDGER_PRIVATE_USE_RULES")
    assert from_environment(tmp_path)["LEDGER_PRIVATE_USE_RULES"] == ""
    assert load_rules(None).source == str(DEFAULT_RULES)
