"""matrix: turn directives on security and order into who-does-what tables and letters."""

__version__ = "0.2.0"
