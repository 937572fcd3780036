"""The aiocognito code generator: service model -> IR -> Jinja templates -> Python modules.

Run ``python -m codegen --model PATH/service-2.json --out DIR``; ``nox -s generate`` regenerates
``src/aiocognito/`` from ``service-model/``.
"""
