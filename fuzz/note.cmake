# Fuzz target: the audit module's signed-note, checkpoint and verifier-key parsers (src/lib/audit/note.c).
attt_fuzz(note LIBS attt_audit attt_db attt_base)
