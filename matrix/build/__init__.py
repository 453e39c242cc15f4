"""The build: the plan of output units (:mod:`.outputs`), each document's content key
(:mod:`.keys`), the run that renders what changed and reuses the rest (:mod:`.pipeline`), and
publishing into the output folder as one switch (:mod:`.publish`)."""
