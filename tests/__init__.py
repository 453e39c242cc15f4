"""The test suite, a package: test modules import shared code from :mod:`tests.helpers`, never from each other."""
