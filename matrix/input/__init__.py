"""Reading what a clerk owns into the model: the input format declared once (:mod:`.schema`),
YAML read with line and column kept (:mod:`.yamlio`), the loader that checks every file and
collects every problem (:mod:`.load`), the standard catalogue of bodies of any province and of the
central government (:mod:`.catalogue`), the one writer of directive files (:mod:`.dump`),
synthetic corpora for benchmarks (:mod:`.synthetic`), and the loaded directives a build keeps for the
next one (:mod:`.cache`)."""
