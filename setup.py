"""The build hook that puts the graph into the package.

ontology/, data/, queries/ and seeds/ stay at the top of the repository, where
a reader finds them; building a wheel copies them into msskg/_bundle/, where
msskg.graph.files finds them beside its own modules. An editable install
copies nothing: it reads the working tree."""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
BUNDLED = {
    "ontology": ("*.ttl", "*.jsonld", "README.md"),
    "data": ("*.ttl", "README.md"),
    "queries": ("*.rq", "README.md"),
    "seeds": ("*.txt", "README.md"),
}


class BuildWithGraph(build_py):  # type: ignore[misc]
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "msskg" / "_bundle"
        for folder, patterns in BUNDLED.items():
            files = sorted({p for pattern in patterns for p in (HERE / folder).glob(pattern)})
            if not files:
                raise SystemExit(f"msskg build: nothing to bundle in {HERE / folder}")
            (target / folder).mkdir(parents=True, exist_ok=True)
            for path in files:
                shutil.copyfile(path, target / folder / path.name)


setup(cmdclass={"build_py": BuildWithGraph})
