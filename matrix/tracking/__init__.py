"""Follow-up: the records of what each agency reported (one YAML file per directive, written through
:mod:`matrix.files.safeio`), and the state of every assignment on a date (:mod:`.records`)."""
