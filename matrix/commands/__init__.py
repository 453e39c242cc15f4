"""What the commands compute, as library functions shared by the CLI (:mod:`matrix.cli`) and the web
page (:mod:`matrix.web`), each returning the one :class:`~matrix.core.reply.Reply`: the listings of
`show`, `agencies`, `validate` and `draft` (:mod:`.views`), and `status`, `report`, `import` with
what they add to the tracking records (:mod:`.status`)."""
