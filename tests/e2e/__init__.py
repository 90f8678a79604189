"""Browser suite (pytest marker `browser`): the sample shop built, served on 127.0.0.1 and driven in
headless Chromium, plus the Nu Html Checker and axe-core, and live reload through the dev server.
See README, "Fast tests and browser tests"."""
