"""Fill Solara's front-end asset cache from the npm registry, for machines without a CDN.

Solara's page loads its JavaScript and CSS from a public CDN through a caching proxy
(``/_solara/cdn/<package>@<version>/<file>``). Where only the package registries are
reachable, the page stays on "Loading app". This script reads which packages the installed
Solara asks for -- from its page template and from its grid-layout widget (Solara's
``GridDraggable``, used by Mesa's ``SolaraViz``) -- and unpacks each one with ``npm pack``
into the proxy's cache folder
(``$SOLARA_ASSETS_PROXY_CACHE_DIR``, by default ``<prefix>/share/solara/cdn``). Packages
already cached are skipped, so running it twice costs nothing.

Run it as ``python -m ecosim.ui.assets``. A machine with internet access never needs it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path

import ipyvue
import jinja2
import solara
from jinja2 import nodes
from solara.server import settings as server_settings

__all__ = ["cache_dir", "fill_cache", "main", "required_packages"]

_SOLARA = Path(solara.__file__).parent
TEMPLATE = _SOLARA / "server" / "templates" / "solara.html.j2"
"""Solara's page template: the app's CSS, fonts, JavaScript and require.js."""

WIDGETS = (_SOLARA / "widgets" / "vue" / "gridlayout.vue",)
"""Solara widgets that load a package of their own (the draggable grid)."""

_CDN = "\0cdn"
_PACKAGE = r"((?:@[\w.-]+/)?[\w.-]+)@([\w.-]+)/"
_TEMPLATE_URL = re.compile(re.escape(_CDN) + "/" + _PACKAGE)
_WIDGET_URL = re.compile(r"\$\{this\.getCdn\(\)\}/" + _PACKAGE)


def required_packages(vue3: bool | None = None) -> list[str]:
    """Return the npm packages (``name@version``) that Solara's page and grid load.

    Parameters
    ----------
    vue3 : bool, optional
        Whether the Vue 3 branch of the template applies; by default as Solara decides it,
        from the installed ipyvue.

    Returns
    -------
    list of str
        Sorted, without duplicates, e.g. ``["@widgetti/solara-vuetify-app@10.1.1", ...]``.
    """
    if vue3 is None:
        vue3 = ipyvue.__version__.startswith("3")
    text = "".join(_template_text(jinja2.Environment().parse(TEMPLATE.read_text()), vue3))
    found = {f"{name}@{version}" for name, version in _TEMPLATE_URL.findall(text)}
    for widget in WIDGETS:
        found |= {f"{name}@{version}" for name, version in _WIDGET_URL.findall(widget.read_text())}
    return sorted(found)


def _template_text(node: nodes.Node, vue3: bool) -> Iterator[str]:
    """Yield the template's text with ``{{cdn}}`` marked, leaving out the inactive Vue branch."""
    if isinstance(node, nodes.If):
        if any(name.name == "vue3" for name in node.test.find_all(nodes.Name)):
            branches = [node.body if vue3 else node.else_]
        else:
            branches = [node.body, *(elif_.body for elif_ in node.elif_), node.else_]
        for child in (child for branch in branches for child in branch):
            yield from _template_text(child, vue3)
    elif isinstance(node, nodes.TemplateData):
        yield node.data
    elif isinstance(node, nodes.Name) and node.name == "cdn":
        yield _CDN
    elif isinstance(node, nodes.Getattr) and isinstance(node.node, nodes.Name):
        if node.node.name == "assets":
            yield str(getattr(server_settings.assets, node.attr, ""))
    else:
        for child in node.iter_child_nodes():
            yield from _template_text(child, vue3)


def cache_dir() -> Path:
    """Return the folder Solara's CDN proxy serves cached files from."""
    return Path(server_settings.assets.proxy_cache_dir)


def fill_cache(packages: list[str], cache: Path, npm: str = "npm") -> dict[str, str]:
    """Unpack each package into ``cache/<name>@<version>/`` unless it is there already.

    Parameters
    ----------
    packages : list of str
        npm package specifications ``name@version``.
    cache : Path
        Solara's CDN proxy cache folder.
    npm : str
        The npm executable.

    Returns
    -------
    dict of str to str
        For each package, ``"cached"`` (already complete) or ``"fetched"``.

    Raises
    ------
    RuntimeError
        If npm fails; the message holds npm's own.
    """
    cache.mkdir(parents=True, exist_ok=True)
    result = {}
    for package in packages:
        target = cache / package
        if (target / "package.json").is_file():
            result[package] = "cached"
            continue
        with tempfile.TemporaryDirectory(dir=cache, prefix=".npm-pack-") as work:
            unpacked = _npm_pack(package, Path(work), npm)
            _install(unpacked, target)
        result[package] = "fetched"
    return result


def _npm_pack(package: str, work: Path, npm: str) -> Path:
    command = [npm, "pack", package, "--json", "--pack-destination", str(work)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"npm pack {package} failed:\n{done.stderr.strip()}")
    tarball = work / json.loads(done.stdout)[0]["filename"]
    unpacked = work / "unpacked"
    with tarfile.open(tarball) as archive:
        archive.extractall(unpacked, filter="data")
    (root,) = unpacked.iterdir()  # npm puts everything in one top folder, usually package/
    return root


def _install(unpacked: Path, target: Path) -> None:
    """Move an unpacked package into place; package.json, the completion mark, goes last."""
    target.parent.mkdir(parents=True, exist_ok=True)
    manifest = unpacked / "package.json"
    kept = manifest.read_bytes()
    manifest.unlink()
    if target.exists():  # files the proxy cached one by one: complete them
        shutil.copytree(unpacked, target, dirs_exist_ok=True)
    else:
        os.replace(unpacked, target)
    (target / "package.json").write_bytes(kept)


def main(argv: list[str] | None = None) -> int:
    """Fill the cache and report each package; return the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m ecosim.ui.assets",
        description="Fill Solara's asset cache from the npm registry (for machines without a CDN).",
    )
    parser.add_argument("--cache", type=Path, default=cache_dir(), help="cache folder")
    parser.add_argument("--npm", default="npm", help="npm executable")
    parser.add_argument("--list", action="store_true", help="only list the packages needed")
    args = parser.parse_args(argv)
    packages = required_packages()
    if args.list:
        print("\n".join(packages))
        return 0
    if shutil.which(args.npm) is None:
        print(f"ecosim ui assets: {args.npm} not found; install Node.js and npm", file=sys.stderr)
        return 1
    try:
        result = fill_cache(packages, args.cache, args.npm)
    except RuntimeError as error:
        print(f"ecosim ui assets: {error}", file=sys.stderr)
        return 1
    for package, status in result.items():
        print(f"{status:8} {package}")
    print(f"Solara asset cache: {args.cache}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
