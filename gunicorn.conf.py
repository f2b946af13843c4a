"""gunicorn settings from the checkout: ``gunicorn -c gunicorn.conf.py wsgi:app``.

The settings live in the package (``gatherings/ops/gunicorn_config.py``), so an installed wheel serves with
``gunicorn -c python:gatherings.ops.gunicorn_config gatherings.wsgi:app`` and the same settings.
"""
import runpy

# Run afresh rather than imported: the settings read the environment each time this file is loaded.
globals().update({name: value for name, value in runpy.run_module("gatherings.ops.gunicorn_config").items()
                  if not name.startswith("__")})
