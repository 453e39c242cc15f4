"""Safe file handling shared by every part: the locked, atomic write of a clerk's file
(:mod:`.safeio`), zip packages checked by the bytes they really unpack to (:mod:`.safezip`), and the
checks before a command writes a file the user named (:mod:`.guard`)."""
