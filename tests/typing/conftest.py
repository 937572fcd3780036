"""pytest collects nothing here: these snippets are for the type checkers only."""

collect_ignore_glob = ["*.py"]
