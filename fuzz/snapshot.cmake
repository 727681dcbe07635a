# Fuzz target: the backup engine's snapshot and tree parsers (src/lib/backup/format.c).
attt_fuzz(snapshot LIBS attt_backup attt_base)
