"""Usage snippets that are type-checked, never run: ``nox -s typecheck``.

Each module is what a user writes, with ``typing.assert_type`` on what the type checkers must
infer. Lines that must *not* type-check carry ``# type: ignore[<mypy code>]``: mypy
(``--strict`` warns on unused ignores) and pyright (``reportUnnecessaryTypeIgnoreComment``)
both fail when such a line stops being an error, so a loosened signature is caught.

File names avoid ``test_*.py`` and ``conftest.py`` here tells pytest to collect nothing: the
coroutines below would need a live service.
"""
