"""The layering of ARCHITECTURE.md holds: the BPMN core imports no framework."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.pure


def test_import_contracts_hold():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint_imports)], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" not in result.stdout.lower().replace("0 broken", "")


EVAL_CALL = re.compile(r"(^|[^_.a-zA-Z])(eval|exec)\(")


def test_no_eval_or_exec_in_product_code():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for folder in ("bpmn_engine", "tasklist", "api", "config")
        for path in (ROOT / folder).rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if EVAL_CALL.search(line) and not line.strip().startswith("#")
    ]
    assert offenders == []


UNLAYERED = {"__init__", "apps", "errors", "migrations", "jobs"}


def test_every_engine_module_has_a_place_in_the_layers_contract():
    """A new package or module under bpmn_engine must be placed in the layers contract
    (pyproject.toml; docs/development.md says where), or the contract checks nothing."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    [layers] = [c for c in contracts if c["type"] == "layers" and "containers" not in c]
    placed = {
        name.strip().strip("()")
        for layer in layers["layers"]
        for name in layer.replace("|", ":").split(":")
    }
    engine = ROOT / "bpmn_engine"
    present = {
        path.stem if path.is_file() else path.name
        for path in engine.iterdir()
        if (path.suffix == ".py" or (path / "__init__.py").exists())
    }
    unplaced = sorted(name for name in present - UNLAYERED if f"bpmn_engine.{name}" not in placed)
    assert unplaced == []


def test_every_runtime_module_has_a_place_in_the_runtime_layers_contract():
    """The runtime's own layers contract (no import cycle inside the runtime) covers every
    module and package of ``bpmn_engine/runtime``."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    [layers] = [c for c in contracts if c.get("containers") == ["bpmn_engine.runtime"]]
    placed = {
        name.strip().strip("()")
        for layer in layers["layers"]
        for name in layer.replace("|", ":").split(":")
    }
    runtime = ROOT / "bpmn_engine" / "runtime"
    present = {
        path.stem if path.is_file() else path.name
        for path in runtime.iterdir()
        if (path.suffix == ".py" or (path / "__init__.py").exists())
    }
    assert sorted(present - {"__init__"} - placed) == []
