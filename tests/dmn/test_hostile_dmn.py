"""DMN files go through the hardened XML reader: entities, DTDs and bombs are refused."""

from __future__ import annotations

import pytest

from bpmn_engine.dmn.reader import DmnParseError, parse_dmn

pytestmark = pytest.mark.pure
DMN = 'xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" namespace="n"'


def _refused_codes(text: str) -> list[str]:
    with pytest.raises(DmnParseError) as caught:
        parse_dmn(text.encode())
    assert "root:" not in str(caught.value) and "DMN document" in str(caught.value)
    return [issue.code for issue in caught.value.issues]


def test_a_dmn_with_an_external_entity_is_refused_and_the_file_never_read() -> None:
    text = f"""<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<definitions {DMN} id="d" name="d"><decision id="x" name="&x;"/></definitions>"""
    assert _refused_codes(text) == ["doctype-forbidden"]


def test_a_dmn_billion_laughs_is_refused() -> None:
    entities = '<!ENTITY l0 "lol">' + "".join(
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)
    )
    text = f'<?xml version="1.0"?><!DOCTYPE d [{entities}]><definitions {DMN} id="d" name="&l9;"/>'
    assert _refused_codes(text) == ["doctype-forbidden"]
