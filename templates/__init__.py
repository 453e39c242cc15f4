"""The default Word templates (package data of ``matrix.defaults``; see setup.cfg and matrix/templates.py)."""
