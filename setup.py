"""The one compiled part: the detection gate's scan in C (``collector/detect/_gatescan.c``).

Optional: it builds where Debian's libhyperscan-dev is installed (``deploy/system-deps.sh`` installs it on
x86-64); where it cannot be built the install goes on and the gate uses the ``hyperscan`` Python binding.
Everything else about the package is in pyproject.toml.
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("collector.detect._gatescan", ["collector/detect/_gatescan.c"], libraries=["hs"],
                             include_dirs=["/usr/include/hs"], extra_compile_args=["-O2"], optional=True)])
