"""Every Swedish text has its English (issue 13, point 9).

(a) No domain error is raised (or made) with a free string: services/ and libs/ are read as Python
    source, and a DomainError (or a subclass) given a string literal, an f-string or a sum of them,
    as its message or as a value of its field errors, fails, as does a literal put into a dict of
    field errors (`errors["x"] = "..."`). Their texts live, keyed, in the texts modules.
(b) Every text in every service's texts module (and fickan_common's) and every BFF's has a Swedish
    and an English, the keys are unique across the platform, the English is not the Swedish (unless
    listed below as the same in both languages), and both have the same {placeholders}.
"""

from __future__ import annotations

import ast
import importlib
import string
from pathlib import Path

import pytest

from fickan_common import errors
from fickan_common import texts as common_texts
from fickan_common.texts import Text, texts_of

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("identity", "applications", "notifications", "contact", "insights")
BFF_TEXTS = ("bff_mobile.texts", "bff_watch.texts")


def _sources() -> list[Path]:
    roots = [ROOT / "services", ROOT / "libs"]
    found = []
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            parts = set(path.relative_to(ROOT).parts)
            if "tests" in parts or "contracts" in parts:
                continue
            found.append(path)
    return found


def _error_names(modules: list[tuple[Path, ast.Module]]) -> set[str]:
    """fickan_common.errors' DomainError and subclasses, and classes the sources derive from them."""
    names = {name for name, value in vars(errors).items() if isinstance(value, type) and issubclass(value, Exception)}
    names &= {cls.__name__ for cls in _subclasses(errors.DomainError)} | {"DomainError"}
    grew = True
    while grew:
        grew = False
        for _, tree in modules:
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in names:
                    if any(_name(base) in names for base in node.bases):
                        names.add(node.name)
                        grew = True
    return names


def _subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _subclasses(sub)
    return found


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _free_string(node: ast.expr | None) -> bool:
    """A string written here: a literal, an f-string, a sum or a .format/.join of one."""
    if node is None:
        return False
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return _free_string(node.left) or _free_string(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("format", "join"):
        return node.func.attr == "format" and _free_string(node.func.value)
    if isinstance(node, ast.IfExp):
        return _free_string(node.body) or _free_string(node.orelse)
    if isinstance(node, ast.BoolOp):
        return any(_free_string(value) for value in node.values)
    return False


def _free_strings_in_fields(node: ast.expr | None) -> bool:
    if isinstance(node, ast.Dict):
        return any(_free_string(value) for value in node.values)
    if isinstance(node, ast.Call) and _name(node.func) == "fromkeys" and len(node.args) > 1:
        return _free_string(node.args[1])
    return False


def _offences(path: Path, tree: ast.Module, names: set[str]) -> list[str]:
    found = []
    where = path.relative_to(ROOT)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _name(node.func) in names:
            message = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "message"), None)
            fields = node.args[1] if len(node.args) > 1 else None
            fields = fields or next((k.value for k in node.keywords if k.arg == "field_errors"), None)
            if _free_string(message) or _free_strings_in_fields(fields):
                found.append(f"{where}:{node.lineno}: {_name(node.func)} with a free string")
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if (
                isinstance(target, ast.Subscript)
                and isinstance(target.value, ast.Name)
                and target.value.id in ("errors", "field_errors", "problems")
                and _free_string(node.value)
            ):
                found.append(f"{where}:{node.lineno}: a field error with a free string")
    return found


def test_no_domain_error_is_raised_with_a_free_string():
    modules = [(path, ast.parse(path.read_text(encoding="utf-8"), str(path))) for path in _sources()]
    names = _error_names(modules)
    assert {"ValidationFailed", "Conflict", "NotFound", "Unavailable"} <= names
    offences = [line for path, tree in modules for line in _offences(path, tree, names)]
    assert not offences, "use a keyed text from the service's texts module:\n" + "\n".join(offences)


def test_the_scan_catches_what_it_is_meant_to():
    """The check above can fail: each way of writing a free string is caught, a text is not."""
    names = {"ValidationFailed", "Conflict"}
    caught = [
        'raise Conflict("Ansökan är redan skickad.")',
        'raise Conflict(f"Du har redan en ansökan för {month}.")',
        'raise Conflict("Kommunen finns inte: " + name)',
        'raise ValidationFailed(texts.FIX, {"amount": "Ange beloppet."})',
        'raise ValidationFailed(texts.FIX, dict.fromkeys(missing, "Saknas."))',
        'errors["unit"] = "Bara handläggare har en enhet."',
        'return Conflict("x")',
    ]
    for source in caught:
        assert _offences(ROOT / "x.py", ast.parse(source), names), source
    fine = [
        "raise Conflict(texts.ALREADY_SENT)",
        'raise ValidationFailed(texts.FIX, {"amount": texts.AMOUNT})',
        "raise Conflict(texts.TAKEN.format(when=when))",
        'errors["unit"] = texts.UNIT_NEEDED',
    ]
    for source in fine:
        assert not _offences(ROOT / "x.py", ast.parse(source), names), source


def _service_texts() -> dict[str, dict[str, Text]]:
    found = {"fickan_common.texts": texts_of(common_texts)}
    for service in SERVICES:
        module = importlib.import_module(f"{service}.texts")
        found[module.__name__] = texts_of(module)
    return found


# Texts that are rightly the same in both languages (names, codes, numbers).
SAME_IN_BOTH: set[str] = set()


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def _check_pair(where: str, sv: str, en: str) -> list[str]:
    problems = []
    if not sv.strip() or not en.strip():
        problems.append(f"{where}: a language is empty")
    elif sv == en and where not in SAME_IN_BOTH:
        problems.append(f"{where}: the English is the Swedish")
    if _placeholders(sv) != _placeholders(en):
        problems.append(f"{where}: placeholders differ: {_placeholders(sv)} / {_placeholders(en)}")
    if "(" in sv and sv.rstrip(".").endswith(")") and en in sv:
        problems.append(f"{where}: the Swedish still carries the English")
    return problems


def test_every_service_text_has_both_languages_and_a_unique_key():
    by_module = _service_texts()
    assert all(by_module.values()), [name for name, found in by_module.items() if not found]
    problems, owners = [], {}
    for module, found in by_module.items():
        prefix = module.split(".")[0] if module != "fickan_common.texts" else "common"
        for name, text in found.items():
            where = f"{module}.{name}"
            problems += _check_pair(where, text.sv, text.en)
            if not text.key.startswith(f"{prefix}."):
                problems.append(f"{where}: the key {text.key!r} does not start with {prefix!r}.")
            earlier = owners.setdefault(text.key, (where, text))
            if earlier[1] != text:
                problems.append(f"{where}: the key {text.key!r} is also {earlier[0]}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("module_name", BFF_TEXTS)
def test_every_text_of_the_mobile_and_watch_bffs_has_both_languages(module_name):
    module = importlib.import_module(module_name)
    pairs = {
        name: value
        for name, value in vars(module).items()
        if isinstance(value, tuple) and hasattr(value, "sv") and hasattr(value, "en")
    }
    assert pairs
    problems = [p for name, value in pairs.items() for p in _check_pair(f"{module_name}.{name}", value.sv, value.en)]
    assert not problems, "\n".join(problems)


# The web's texts that are rightly the same in both languages (names, "Status", "Video", formats).
WEB_SAME_IN_BOTH = {
    "site_name",
    "notices_col_push",
    "notices_lang_sv",
    "notices_lang_en",
    "household_with_children",
    "long_date",
    "service_between",
    "overview_col_status",
    "application_status",
    "wall_age_minutes",
    "wall_age_hours",
    "booking_kind_video",
    "desk_contact_filter_status",
    "desk_contact_col_status",
    "contact_stats_period",
    "guide_kind_information",
    "staff_insights_col_guide",
}


def test_every_text_of_the_web_bff_has_both_languages():
    from bff_web.texts import TEXTS

    assert set(TEXTS["sv"]) == set(TEXTS["en"]), set(TEXTS["sv"]) ^ set(TEXTS["en"])
    problems = []
    for key, sv in TEXTS["sv"].items():
        en = TEXTS["en"][key]
        if not sv.strip() or not en.strip():
            problems.append(f"bff_web {key}: a language is empty")
        elif sv == en and key not in WEB_SAME_IN_BOTH:
            problems.append(f"bff_web {key}: the English is the Swedish")
        if _placeholders(sv) != _placeholders(en):
            problems.append(f"bff_web {key}: placeholders differ")
    assert not problems, "\n".join(problems)


def test_a_formatted_text_fills_each_language_with_its_own_words():
    from datetime import date

    said = Text("x.paid", "Vi betalar {amount} den {day}.", "We pay {amount} on {day}.").format(
        amount=common_texts.kr(12500), day=common_texts.day(date(2026, 12, 3))
    )
    assert said.sv == "Vi betalar 12\u00a0500 kr den 3 december 2026."
    assert said.en == "We pay SEK 12,500 on 3 December 2026." and said.key == "x.paid"


def test_every_field_message_of_the_mobile_bff_has_its_english():
    from bff_mobile import texts as mobile

    fields = {
        name: value for name, value in vars(mobile).items() if name.startswith("FIELD_") and isinstance(value, str)
    }
    assert fields
    missing = [name for name, sv in fields.items() if sv not in mobile.FIELD_EN]
    assert not missing, missing
    problems = [p for sv, en in mobile.FIELD_EN.items() for p in _check_pair(f"bff_mobile field {sv!r}", sv, en)]
    assert not problems, "\n".join(problems)
    filled = mobile.FIELD_TOO_LONG.format(max=200)
    assert mobile.field_en(filled) == "The text may be at most 200 characters."
    from bff_mobile.schemas.faults import RATING

    assert RATING.hint and RATING.hint_en and mobile.field_en(RATING.hint) == RATING.hint_en
