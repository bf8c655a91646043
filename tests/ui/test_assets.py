import re
import sys
from pathlib import Path

import pytest

from ecosim.ui import assets

FAKE_NPM = """#!{python}
import io, json, sys, tarfile
from pathlib import Path
spec, destination = sys.argv[2], Path(sys.argv[sys.argv.index("--pack-destination") + 1])
with open({log!r}, "a") as log:
    log.write(spec + "\\n")
if spec.startswith("missing"):
    sys.exit("npm error 404 Not Found - " + spec)
name = spec.replace("/", "-").replace("@", "") + ".tgz"
with tarfile.open(destination / name, "w:gz") as archive:
    for path, text in (("package/package.json", "{{}}"), ("package/dist/main.js", spec)):
        data = text.encode()
        info = tarfile.TarInfo(path)
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
print(json.dumps([{{"filename": name}}]))
"""


@pytest.fixture
def npm(tmp_path) -> tuple[str, Path]:
    log = tmp_path / "npm.log"
    script = tmp_path / "npm"
    script.write_text(FAKE_NPM.format(python=sys.executable, log=str(log)))
    script.chmod(0o755)
    return str(script), log


def test_the_packages_are_read_from_solaras_template():
    template = assets.TEMPLATE.read_text()
    app = re.search(r"@widgetti/solara-vuetify-app@([\w.-]+)/", template).group(1)
    require = re.search(r"requirejs@([\w.-]+)/", template).group(1)
    packages = assets.required_packages(vue3=False)
    assert f"@widgetti/solara-vuetify-app@{app}" in packages
    assert f"requirejs@{require}" in packages
    assert any(p.startswith("@widgetti/vue-grid-layout@") for p in packages)  # the grid
    assert any(p.startswith("font-awesome@") for p in packages)
    assert not any("vuetify3" in p for p in packages)
    with_vue3 = assets.required_packages(vue3=True)
    assert any("solara-vuetify3-app@" in p for p in with_vue3)
    assert not any("solara-vuetify-app@" in p for p in with_vue3)


def test_filling_the_cache_unpacks_each_package_once(tmp_path, npm):
    executable, log = npm
    cache = tmp_path / "cdn"
    packages = ["@widgetti/solara-vuetify-app@10.1.1", "requirejs@2.3.6"]
    assert assets.fill_cache(packages, cache, executable) == dict.fromkeys(packages, "fetched")
    main = cache / "@widgetti" / "solara-vuetify-app@10.1.1" / "dist" / "main.js"
    assert main.read_text() == "@widgetti/solara-vuetify-app@10.1.1"
    assert (cache / "requirejs@2.3.6" / "package.json").is_file()
    assert assets.fill_cache(packages, cache, executable) == dict.fromkeys(packages, "cached")
    assert log.read_text().split() == packages  # npm ran once per package
    assert not list(cache.glob(".npm-pack-*"))


def test_a_package_the_proxy_cached_file_by_file_is_completed(tmp_path, npm):
    executable, _ = npm
    partial = tmp_path / "cdn" / "requirejs@2.3.6"
    (partial / "dist").mkdir(parents=True)
    (partial / "other.js").write_text("cached by the proxy")
    assert assets.fill_cache(["requirejs@2.3.6"], tmp_path / "cdn", executable) == {
        "requirejs@2.3.6": "fetched"
    }
    assert (partial / "other.js").read_text() == "cached by the proxy"
    assert (partial / "dist" / "main.js").is_file() and (partial / "package.json").is_file()


def test_an_npm_failure_is_reported(tmp_path, npm):
    executable, _ = npm
    with pytest.raises(RuntimeError, match=r"npm pack missing@1\.0\.0 failed:\n.*404"):
        assets.fill_cache(["missing@1.0.0"], tmp_path / "cdn", executable)
    status = assets.main(["--cache", str(tmp_path / "cdn"), "--npm", str(tmp_path / "nowhere")])
    assert status == 1


def test_the_script_lists_the_packages(capsys):
    assert assets.main(["--list"]) == 0
    assert capsys.readouterr().out.split() == assets.required_packages()
