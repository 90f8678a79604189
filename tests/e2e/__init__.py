"""Browser suite (pytest marker `browser`): the sample shop built, served on 127.0.0.1 and driven in
headless Chromium, plus the Nu Html Checker and axe-core. See README, "Fast tests and browser tests".

Not covered yet: live reload (an edit to a listing reloads the open page by itself). It needs the
dev server (`python build.py serve`), which is being built in a separate issue; add the test here
when it lands.
"""
