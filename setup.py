"""Compiles the translation catalogues into every build, so a wheel carries its ``.mo`` files.

The ``.mo`` files are not in git (``make translations`` makes them in the checkout); everything else about
the package is in pyproject.toml. Babel comes from ``[build-system] requires``.
"""
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

CATALOGUES = Path("gatherings", "translations")


def compile_catalogues(target: Path) -> list[str]:
    """Compile every ``<lang>/LC_MESSAGES/messages.po`` under the source catalogues into ``target``; the files made."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    made = []
    for po_path in sorted(CATALOGUES.glob("*/LC_MESSAGES/*.po")):
        mo_path = target / po_path.relative_to(CATALOGUES).with_suffix(".mo")
        with po_path.open("rb") as po:
            catalogue = read_po(po, locale=po_path.parts[-3])
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with mo_path.open("wb") as mo:
            write_mo(mo, catalogue, use_fuzzy=True)  # as `make translations` (pybabel compile --use-fuzzy)
        made.append(str(mo_path))
    return made


class BuildWithCatalogues(build_py):
    """``build_py`` that also writes the compiled catalogues next to their ``.po`` files."""

    def run(self):
        super().run()
        # An editable install runs from the checkout: compile there (git ignores *.mo), as `make translations` does.
        target = CATALOGUES if self.editable_mode else Path(self.build_lib, CATALOGUES)
        self.compiled = compile_catalogues(target)

    def get_outputs(self, include_bytecode=True):
        return super().get_outputs(include_bytecode) + list(getattr(self, "compiled", []))


setup(cmdclass={"build_py": BuildWithCatalogues})
