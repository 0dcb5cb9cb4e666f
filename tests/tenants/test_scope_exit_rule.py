"""Issue 20, one way out of a scope: ``operator_scope()`` is the only exit;
``make lint`` and .ci/run refuse django-scopes' own (they skip the RLS
bypass). The check runs as CI runs it, on a planted file and on the tree."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
CHECK = ROOT / "scripts" / "check_scope_exits.py"
RUFF = Path(sys.executable).parent / "ruff"


def _check(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(CHECK), *map(str, paths)], capture_output=True, text=True, timeout=60, check=False
    )


def test_issue20_the_rule_catches_a_planted_with_scopes_disabled(tmp_path):
    planted = tmp_path / "sweep.py"
    planted.write_text(
        "from notifications.models import Delivery\n"
        "\n"
        "\n"
        "def stuck():\n"
        "    return list(Delivery.objects.with_scopes_disabled().filter(status='pending'))\n",
        encoding="utf-8",
    )
    result = _check(planted)
    assert result.returncode == 1
    assert f"{planted}:5: .with_scopes_disabled()" in result.stdout
    assert "operator_scope()" in result.stdout


def test_issue20_the_rule_catches_django_scopes_own_functions(tmp_path):
    planted = tmp_path / "job.py"
    planted.write_text(
        "import django_scopes\n"
        "from django_scopes import scopes_disabled\n"
        "\n"
        "with scopes_disabled(), django_scopes.scope(tenant=1):\n"
        "    pass\n",
        encoding="utf-8",
    )
    result = _check(planted)
    assert result.returncode == 1
    assert f"{planted}:2: from django_scopes import scopes_disabled" in result.stdout
    assert f"{planted}:4: django_scopes.scope" in result.stdout
    # ruff's banned-api rule (pyproject.toml) says the same in editors.
    ruff = subprocess.run(
        [str(RUFF), "check", "--no-cache", "--select", "TID251", "--config", str(ROOT / "pyproject.toml"), str(planted)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert ruff.returncode == 1
    assert "`django_scopes.scopes_disabled` is banned" in ruff.stdout


def test_issue20_operator_scope_passes_and_the_tree_is_clean(tmp_path):
    fine = tmp_path / "fine.py"
    fine.write_text(
        "from tenants.scoping import operator_scope\n\nwith operator_scope():\n    pass\n", encoding="utf-8"
    )
    assert _check(fine).returncode == 0
    tree = _check()
    assert tree.returncode == 0, tree.stdout
