"""Package discovery plus the built-in deck: content/ ships inside the wheel as lossquiz.content."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["lossquiz", "lossquiz.*"]), "lossquiz.content"],
    package_dir={"lossquiz.content": "content"},
)
