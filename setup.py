"""The compiled parts of detection, both optional: the gate's scan and the exact checks' loop, in C.

``collector/detect/_gatescan.c`` builds where Debian's libhyperscan-dev is installed (``deploy/system-deps.sh``
installs it on x86-64); without it the gate uses the ``hyperscan`` Python binding. ``collector/detect/_finder.c``
needs only Python's headers; without it the checks run in base.py's Python loop (same results, slower). Where
either cannot be built the install goes on. Everything else about the package is in pyproject.toml.
"""

from setuptools import Extension, setup

setup(ext_modules=[
    Extension("collector.detect._gatescan", ["collector/detect/_gatescan.c"], libraries=["hs"],
              include_dirs=["/usr/include/hs"], extra_compile_args=["-O2"], optional=True),
    Extension("collector.detect._finder", ["collector/detect/_finder.c"], depends=["collector/detect/_shapes.h"],
              extra_compile_args=["-O2"], optional=True),
])
