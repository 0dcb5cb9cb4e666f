"""What a fresh clone needs (issue 9): the layers hold, the mail settings
carry no deprecation, and ``make test``'s browser set-up takes the right
branch. The scripts run for real; only the package managers they would call
are stand-ins, so this machine's packages are left alone."""

from __future__ import annotations

import configparser
import os
import subprocess
import sys
from pathlib import Path

import grimp
import pytest
from django.apps import apps
from django.core import mail
from django.test import override_settings

from mail.backends import EmlFileBackend

ROOT = Path(__file__).resolve().parents[2]
GROUND_FLOOR = {"tenants", "audit"}


def our_apps() -> list[str]:
    """Top-level packages of INSTALLED_APPS that live in this repository."""
    return sorted(
        {c.name.split(".")[0] for c in apps.get_app_configs() if (ROOT / c.name.split(".")[0]).is_dir()}
    )


def test_every_app_of_ours_is_in_the_layers_contract():
    """A new app left out of .importlinter would escape every contract."""
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter", encoding="utf-8")
    listed = set(config["importlinter"]["root_packages"].split())
    assert set(our_apps()) <= listed, set(our_apps()) - listed


def test_ground_floor_imports_no_app_above_it():
    """tenants and audit are what every chapter builds on: they import no
    app of ours but each other (audit uses tenants' scoping)."""
    graph = grimp.build_graph(*our_apps(), cache_dir=None)
    offending = [
        (module, imported)
        for package in GROUND_FLOOR
        for module in graph.find_children(package) | graph.find_descendants(package) | {package}
        for imported in graph.find_modules_directly_imported_by(module)
        if imported.split(".")[0] not in GROUND_FLOOR
    ]
    assert offending == []


def test_import_contracts_are_kept():
    """`make lint`'s layer contracts (.importlinter) pass on this tree."""
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize("settings_module", ["portal.settings.local", "portal.settings.production"])
def test_manage_check_has_no_deprecated_mail_setting(settings_module, tmp_path):
    """MAILERS, not EMAIL_BACKEND (deprecated in Django 6.1), in every settings module."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings_module,
        "SECRET_KEY": "x" * 50,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'check.sqlite3'}",
        # What production requires besides (issue 20, test_production_settings.py).
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "PORTAL_BASE_URL": "https://portal.example.com",
        "STORAGE_BACKEND": "s3",
        "AWS_STORAGE_BUCKET_NAME": "portal-uploads",
    }
    result = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", "manage.py", "check"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_production_mail_goes_through_an_anymail_backend_under_mailers(alice, django_capture_on_commit_callbacks):
    """anymail's backends are ordinary Django mail backends: the outbox
    delivers through one configured in MAILERS (anymail's test ESP here)."""
    from mail.services import send_mail

    with (
        override_settings(MAILERS={"default": {"BACKEND": "anymail.backends.test.EmailBackend"}}),
        django_capture_on_commit_callbacks(execute=True),
    ):
        send_mail(template="test_notice", to=alice.email, context={"name": "x", "title": "t"}, tenant=alice.tenant)
    assert [m.to for m in mail.outbox] == [[alice.email]]
    assert mail.outbox[0].anymail_test_params["to"][0].addr_spec == alice.email


def test_demo_mail_is_an_eml_file_where_mailers_options_say(tmp_path):
    backend = EmlFileBackend(alias="default", file_path=str(tmp_path / "mail"))
    sent = backend.send_messages([mail.EmailMessage("件名", "本文", "from@example.com", ["to@example.com"])])
    files = list((tmp_path / "mail").glob("*.eml"))
    assert sent == 1 and len(files) == 1
    assert b"to@example.com" in files[0].read_bytes()


def run_ensure_browser(tmp_path: Path, *, chromium: Path, uid: str, apt_ok: bool, playwright_ok: bool):
    """scripts/ensure_browser.sh with stand-in apt-get and playwright that
    log their calls; a successful apt-get "installs" the chromium file."""
    log = tmp_path / "calls.log"
    apt = tmp_path / "apt-get"
    apt.write_text(
        "#!/bin/sh\n"
        f'echo "apt-get $*" >> {log}\n'
        + (f'case "$*" in *install*chromium*) printf "#!/bin/sh\\n" > {chromium}; chmod +x {chromium};; esac\n'
           if apt_ok else 'case "$*" in *install*) exit 100;; esac\n')
    )
    playwright = tmp_path / "playwright"
    playwright.write_text(f'#!/bin/sh\necho "playwright $*" >> {log}\nexit {0 if playwright_ok else 1}\n')
    for script in (apt, playwright):
        script.chmod(0o755)
    env = {
        **os.environ,
        "CHROMIUM_PATH": str(chromium),
        "APT_GET": str(apt),
        "PLAYWRIGHT": str(playwright),
        "ENSURE_BROWSER_UID": uid,
    }
    result = subprocess.run(
        ["bash", "scripts/ensure_browser.sh"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    calls = log.read_text() if log.exists() else ""
    return result, calls


def test_ensure_browser_does_nothing_when_chromium_is_there(tmp_path):
    chromium = tmp_path / "chromium"
    chromium.write_text("#!/bin/sh\n")
    chromium.chmod(0o755)
    result, calls = run_ensure_browser(tmp_path, chromium=chromium, uid="1000", apt_ok=True, playwright_ok=True)
    assert result.returncode == 0 and calls == ""
    assert f"Chromium at {chromium}" in result.stdout


def test_ensure_browser_as_root_installs_debians_chromium_and_the_japanese_font(tmp_path):
    chromium = tmp_path / "chromium"
    result, calls = run_ensure_browser(tmp_path, chromium=chromium, uid="0", apt_ok=True, playwright_ok=True)
    assert result.returncode == 0, result.stderr
    assert "install -y -qq --no-install-recommends chromium fonts-noto-cjk" in calls
    assert "playwright" not in calls
    assert chromium.exists()


def test_ensure_browser_without_root_uses_playwrights_own_chromium(tmp_path):
    result, calls = run_ensure_browser(
        tmp_path, chromium=tmp_path / "chromium", uid="1000", apt_ok=True, playwright_ok=True
    )
    assert result.returncode == 0
    assert calls == "playwright install chromium\n"


def test_ensure_browser_that_can_install_nothing_still_lets_the_suite_run(tmp_path):
    """Neither works: the script says so and exits 0; the browser tests then
    skip with the reason (tests/e2e/conftest.py) instead of erroring."""
    result, calls = run_ensure_browser(
        tmp_path, chromium=tmp_path / "chromium", uid="0", apt_ok=False, playwright_ok=False
    )
    assert result.returncode == 0
    assert "apt-get" in calls and "playwright install chromium" in calls
    assert "browser tests will be skipped" in result.stderr


def make(*args: str, path_prefix: Path | None = None) -> subprocess.CompletedProcess:
    # As a first command would: not inside another make (which adds its
    # "Entering directory" lines and flags).
    env = {k: v for k, v in os.environ.items() if k not in {"MAKELEVEL", "MAKEFLAGS", "MFLAGS"}}
    if path_prefix is not None:
        env["PATH"] = f"{path_prefix}:{env['PATH']}"
    return subprocess.run(["make", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_makefile_passes_over_a_uv_shim_that_does_not_run(tmp_path):
    """A pyenv shim for another Python exposes `uv` but exits 127: the
    Makefile decides by running `uv --version` and falls back to `python3 -m uv`."""
    shim = tmp_path / "uv"
    shim.write_text('#!/bin/sh\necho "pyenv: uv: command not found" >&2\nexit 127\n')
    shim.chmod(0o755)
    dry_run = make("-n", "sync", path_prefix=tmp_path)
    assert dry_run.returncode == 0, dry_run.stderr
    assert "python3 -m uv sync --frozen" in dry_run.stdout
    assert not any(line.startswith("uv ") for line in dry_run.stdout.splitlines())


def test_makefile_names_the_python_version_needed_in_one_line():
    result = make("bootstrap", "REQUIRES_PYTHON=>=3.99")
    assert result.returncode != 0
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Python >=3.99 is needed (pyproject.toml); found Python 3.")
