# Fuzz target: the backup engine's index parser (src/lib/backup/format.c).
attt_fuzz(bindex LIBS attt_backup attt_base)
