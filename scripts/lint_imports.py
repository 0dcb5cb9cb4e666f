"""Run import-linter on .importlinter with only the apps that exist.

.importlinter names every app of the layers, also those still being built
(bulletin, inquiries, customization, uploads); import-linter refuses a root
package it cannot find, so this drops the missing ones from ``root_packages``
(their layers are optional, in parentheses) and from the ``modules`` of
independence contracts (which know no optional modules), then runs
``lint-imports`` on the result. Exit status: lint-imports' own (0 kept, 1 broken).
"""

from __future__ import annotations

import configparser
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter", encoding="utf-8")
    names = config["importlinter"]["root_packages"].split()
    present = [n for n in names if (ROOT / n / "__init__.py").exists()]
    config["importlinter"]["root_packages"] = "\n" + "\n".join(present)
    for section in config.sections():
        if section.startswith("importlinter:contract:") and "modules" in config[section]:
            kept = [m.strip("()") for m in config[section]["modules"].split()]
            kept = [m for m in kept if m.split(".")[0] in present]
            config[section]["modules"] = "\n" + "\n".join(kept)
    with tempfile.NamedTemporaryFile("w", suffix=".ini", encoding="utf-8", delete=False) as handle:
        config.write(handle)
    from importlinter.cli import lint_imports

    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    try:
        return lint_imports(config_filename=handle.name, no_cache=True, no_logo=True)
    finally:
        Path(handle.name).unlink()


if __name__ == "__main__":
    sys.exit(main())
