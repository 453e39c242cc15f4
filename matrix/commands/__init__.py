"""The command layer shared by the CLI (:mod:`matrix.cli`) and the web page (:mod:`matrix.web`): one function per
command, each loading what it reads (:mod:`.loading`) and returning the one :class:`~matrix.core.reply.Reply`:
`show`, `agencies`, `validate`, `draft`, `registry init` (:mod:`.views`), `status`, `report`, `end`, `import`
(:mod:`.status`), `export`, `calendar` (:mod:`.export`), `build` (:mod:`.build`); withdrawing and restoring a
directive (:mod:`.withdraw`); the options the command line and the web forms share, declared once
(:mod:`.options`)."""
