"""Which packages the wheel holds, and under which names (the rest is in pyproject.toml).

The checkout's folders ``specs/`` and ``generated/`` install as ``aoai_conformance_specs``
and ``aoai_conformance_generated``: top-level names as generic as ``specs`` collide with
other distributions in site-packages. ``conformance`` and ``generator`` keep their names
(see ARCHITECTURE.md, "Installed names"). The table is ``generator.paths.INSTALLED_NAMES``;
it is repeated here because the build must not import the project.
"""

from setuptools import find_namespace_packages, setup

RENAMED = {"specs": "aoai_conformance_specs", "generated": "aoai_conformance_generated"}

# Namespace packages too: data folders without an ``__init__.py`` (generator/templates,
# specs/overlays, specs/profiles) are listed, so their files (package-data in pyproject.toml)
# go into the wheel without setuptools' "package would be ignored" warning.
EXCLUDE = ["*.__pycache__", "*.__pycache__.*"]


def _packages(folder: str) -> list[str]:
    return find_namespace_packages(include=[folder, f"{folder}.*"], exclude=EXCLUDE)


packages = _packages("conformance") + _packages("generator")
for folder, name in RENAMED.items():
    found = _packages(folder)
    packages += [name + package[len(folder) :] for package in found]

setup(packages=sorted(packages), package_dir={name: folder for folder, name in RENAMED.items()})
