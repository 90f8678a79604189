"""The publishing recipes (docs/publishing.md, linked from the README's Publishing section) are
copied by makers as they are: they must parse and must run the same build the project documents."""

from __future__ import annotations

import re
import tomllib

import yaml
from conftest import REPO


def publishing_doc() -> str:
    return (REPO / "docs" / "publishing.md").read_text(encoding="utf-8")


def test_readme_publishing_section_links_to_the_recipes() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## Publishing\n(.*?)^## ", text, re.S | re.M)
    assert match, "README.md has no Publishing section"
    assert "(docs/publishing.md" in match.group(1)


def blocks(lang: str) -> list[str]:
    found = re.findall(rf"^( *)```{lang}\n(.*?)^\1```", publishing_doc(), re.S | re.M)
    return [re.sub(rf"^{indent}", "", body, flags=re.M) for indent, body in found]


def test_publishing_covers_github_pages_netlify_and_s3() -> None:
    section = publishing_doc()
    for host in ("## GitHub Pages", "## Netlify", "## An S3-style bucket"):
        assert host in section
    assert "--base-url" in section


def test_github_actions_workflow_builds_and_uploads_output() -> None:
    (workflow,) = blocks("yaml")
    data = yaml.safe_load(workflow)
    assert data["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    steps = data["jobs"]["build"]["steps"]
    runs = [s.get("run", "") for s in steps]
    assert "python build.py" in runs
    assert any("touch -d" in r for r in runs)  # file dates from git, for sitemap lastmod
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "output"
    assert data["jobs"]["deploy"]["needs"] == "build"


def test_netlify_toml_publishes_output() -> None:
    (config,) = blocks("toml")
    data = tomllib.loads(config)
    assert data["build"]["publish"] == "output"
    assert data["build"]["command"].endswith("python build.py")
    assert '--base-url "$DEPLOY_PRIME_URL/"' in data["context"]["deploy-preview"]["command"]


def test_s3_recipe_syncs_output_and_serves_404() -> None:
    shell = "\n".join(blocks("sh"))
    assert "--index-document index.html --error-document 404.html" in shell
    assert "aws s3 sync output/ s3://BUCKET/ --delete" in shell
