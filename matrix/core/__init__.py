"""The model every part shares: immutable records of directives, tasks and agencies
(:mod:`.model`), the agency x task matrix every writer reads (:mod:`.pivot`), Vietnamese text
keys (:mod:`.text`), the error types and exit codes (:mod:`.errors`), the kinds of documents
(:mod:`.doctypes`), due dates read from a directive's words (:mod:`.deadlines`) and the build's clock (:mod:`.stamp`). Nothing here reads or writes files."""
